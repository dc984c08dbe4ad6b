/**
 * The losses of soft actor-critic (Haarnoja et al. 2018, with the automatic entropy
 * temperature of the follow-up paper), as Stable-Baselines3's `sac.py` computes them. Pure
 * functions on typed arrays; the agent (`src/agents/sac/`) wires them to its networks.
 *
 * Actions live in the squashed space t = tanh(u) ∈ (−1, 1)^A (SB3 stores and criticises actions
 * there; the env gets them rescaled to its bounds), with u = μ + σ·ε the Gaussian sample.
 * @module
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_2 = Math.log(2);

/** log(1 − tanh²u), computed without cancellation as 2·(log 2 − u − softplus(−2u)). */
export function logOneMinusTanhSquared(u: number): number {
  const x = -2 * u;
  // softplus(x) = log(1 + eˣ), stable on both sides.
  const softplus = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  return 2 * (LOG_2 - u - softplus);
}

/**
 * log π(t) of one row of a tanh-squashed diagonal Gaussian, from its noise ε, log σ and
 * pre-squash sample u = μ + σ·ε: Σ_j [−½ε_j² − log σ_j − ½ log 2π − log(1 − tanh²u_j)].
 */
export function squashedLogProb(eps: ArrayLike<number>, logStd: ArrayLike<number>, u: ArrayLike<number>, offset: number, size: number): number {
  let lp = 0;
  for (let j = 0; j < size; j++) {
    const e = eps[offset + j] as number;
    lp += -0.5 * e * e - (logStd[offset + j] as number) - HALF_LOG_2PI - logOneMinusTanhSquared(u[offset + j] as number);
  }
  return lp;
}

/**
 * The soft Bellman targets y_b = r_b + bootstrap_b·(min_k Q̄_k(s′_b, t′_b) − h_b), where h_b is the
 * entropy term Σ_g α_g·log π_g(t′_b | s′_b) of the next action (one group for SAC; the action and
 * the next internal state for SAC-RS) and `bootstrap` is γ^m·(1 − terminal) of each row; into `out`.
 */
export function softTargets(rewards: ArrayLike<number>, bootstrap: ArrayLike<number>, nextMinQ: ArrayLike<number>, nextEntropyTerms: ArrayLike<number>, batch: number, out: Float64Array): void {
  for (let b = 0; b < batch; b++) out[b] = (rewards[b] as number) + (bootstrap[b] as number) * ((nextMinQ[b] as number) - (nextEntropyTerms[b] as number));
}

/** The entropy terms h_b = Σ_g α_g·log π_g of `batch` rows of per-group log-probabilities (row-major, `alphas.length` per row), into `out`. */
export function entropyTerms(logProbs: ArrayLike<number>, alphas: ArrayLike<number>, batch: number, out: Float64Array): void {
  const G = alphas.length;
  for (let b = 0; b < batch; b++) {
    let h = (alphas[0] as number) * (logProbs[b * G] as number);
    for (let g = 1; g < G; g++) h += (alphas[g] as number) * (logProbs[b * G + g] as number);
    out[b] = h;
  }
}

/**
 * The temperature's loss −mean_b[log α·(log π_b + H̄)] (SB3 optimises log α) and its gradient
 * with respect to log α, −mean_b(log π_b + H̄), for the log-probs of one group (entry `group` of
 * each row of `stride`): α grows while the group's entropy −log π is below the target H̄, and
 * shrinks above it.
 */
export function temperatureLoss(logAlpha: number, logProbs: ArrayLike<number>, targetEntropy: number, batch: number, stride = 1, group = 0): { readonly loss: number; readonly grad: number } {
  let mean = 0;
  for (let b = 0; b < batch; b++) mean += ((logProbs[b * stride + group] as number) + targetEntropy) / batch;
  return { loss: -logAlpha * mean, grad: -mean };
}

/**
 * The actor's loss mean_b[h_b − min_k Q_k(s_b, t_b)] for `heads` head-major Q values of the
 * policy's own actions and their entropy terms h_b (see {@link entropyTerms}). Writes ∂L/∂Q
 * (−1/B on the row's smallest head, first one on ties, as `torch.min` routes it; 0 elsewhere)
 * into `gradQ`, and returns the loss; ∂L/∂log π_g is α_g/B for every row.
 */
export function actorLoss(q: ArrayLike<number>, entropyTerms: ArrayLike<number>, heads: number, batch: number, gradQ: Float64Array): number {
  let loss = 0;
  gradQ.fill(0, 0, heads * batch);
  for (let b = 0; b < batch; b++) {
    let best = 0;
    let min = q[b] as number;
    for (let k = 1; k < heads; k++) {
      const v = q[k * batch + b] as number;
      if (v < min) {
        min = v;
        best = k;
      }
    }
    gradQ[best * batch + b] = -1 / batch;
    loss += ((entropyTerms[b] as number) - min) / batch;
  }
  return loss;
}
