/**
 * DQN's pieces as Stable-Baselines3's `dqn.py` computes them: the ε schedule, the targets from the
 * target network's best next action, and the Huber (smooth L1) loss of the taken actions' values.
 * Pure functions on typed arrays; the agent (`src/agents/dqn/`) wires them to its networks.
 * @module
 */

/**
 * SB3's `LinearSchedule(start, end, endFraction)` at `progress` ∈ [0, 1] (the fraction of the budget
 * used, 1 − SB3's progress_remaining): linear from `start` to `end` over the first `endFraction`,
 * then `end`.
 */
export function linearSchedule(start: number, end: number, endFraction: number, progress: number): number {
  return progress > endFraction ? end : start + (progress * (end - start)) / endFraction;
}

/**
 * The targets y_b = r_b + bootstrap_b·max_a Q̄(s′_b, a) from the target network's values
 * (`batch × actions`, row-major) into `out`; `bootstrap` is γ^m·(1 − terminal) of each row.
 */
export function greedyTargets(rewards: ArrayLike<number>, bootstrap: ArrayLike<number>, nextQ: ArrayLike<number>, batch: number, actions: number, out: Float64Array): void {
  for (let b = 0; b < batch; b++) {
    let best = nextQ[b * actions] as number;
    for (let a = 1; a < actions; a++) best = Math.max(best, nextQ[b * actions + a] as number);
    out[b] = (rewards[b] as number) + (bootstrap[b] as number) * best;
  }
}

/**
 * The Huber loss mean_b ℓ(Q(s_b, a_b) − y_b), ℓ(x) = ½x² for |x| < 1 and |x| − ½ beyond (PyTorch's
 * `smooth_l1_loss` with β 1), of the taken actions' values in `q` (`batch × actions`). Writes
 * ∂L/∂q into `gradQ` (clip(x, −1, 1)/B at the taken action, 0 elsewhere) and returns the loss.
 */
export function huberTdLoss(q: ArrayLike<number>, takenActions: ArrayLike<number>, targets: ArrayLike<number>, batch: number, actions: number, gradQ: Float64Array): number {
  gradQ.fill(0, 0, batch * actions);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    const k = b * actions + (takenActions[b] as number);
    const x = (q[k] as number) - (targets[b] as number);
    const ax = Math.abs(x);
    loss += (ax < 1 ? 0.5 * x * x : ax - 0.5) / batch;
    gradQ[k] = Math.min(1, Math.max(-1, x)) / batch;
  }
  return loss;
}

/** The index of the largest of `actions` values starting at `offset` (the first on ties, as `argmax`). */
export function argmax(values: ArrayLike<number>, offset: number, actions: number): number {
  let best = 0;
  for (let a = 1; a < actions; a++) if ((values[offset + a] as number) > (values[offset + best] as number)) best = a;
  return best;
}
