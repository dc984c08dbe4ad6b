/**
 * Generalised advantage estimation (Schulman et al. 2016), shared by every on-policy algorithm.
 *
 * Arrays are time-major `[T × N]` (step t of copy i at `t*N + i`). `nextValues[t,i]` is the
 * value of the state that followed step t: V(s_{t+1}) within an episode, V(final observation)
 * where the episode was truncated, and 0 where it terminated — so truncated episodes are
 * bootstrapped and terminated ones are not, with no special cases below.
 */
export interface GaeInput {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly rewards: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly nextValues: ArrayLike<number>;
  /** 1 where the episode ended at step t (terminated or truncated): the λ-trace stops there. */
  readonly episodeEnds: ArrayLike<number>;
  readonly gamma: number;
  readonly lambda: number;
}

/**
 * Writes advantages A_t = δ_t + γλ(1 − end_t)·A_{t+1} with δ_t = r_t + γ·nextV_t − V_t, and
 * returns R_t = A_t + V_t (the critic's regression target).
 */
export function computeGae(input: GaeInput, advantages: Float64Array, returns: Float64Array): void {
  const { numSteps: T, numEnvs: N, rewards, values, nextValues, episodeEnds, gamma, lambda } = input;
  for (let i = 0; i < N; i++) {
    let next = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = t * N + i;
      const v = values[k] as number;
      const delta = (rewards[k] as number) + gamma * (nextValues[k] as number) - v;
      next = delta + gamma * lambda * (1 - (episodeEnds[k] as number)) * next;
      advantages[k] = next;
      returns[k] = next + v;
    }
  }
}

/** Normalises `x[from … to)` in place to mean 0, std 1 (population std + `eps`), as SB3 and CleanRL do per minibatch. */
export function normalizeInPlace(x: Float64Array, from = 0, to = x.length, eps = 1e-8): void {
  const n = to - from;
  if (n <= 1) return;
  let mean = 0;
  for (let k = from; k < to; k++) mean += x[k] as number;
  mean /= n;
  let sq = 0;
  for (let k = from; k < to; k++) {
    const d = (x[k] as number) - mean;
    sq += d * d;
  }
  // Bessel-corrected, as torch.Tensor.std() used by SB3 and CleanRL.
  const std = Math.sqrt(sq / (n - 1));
  for (let k = from; k < to; k++) x[k] = ((x[k] as number) - mean) / (std + eps);
}
