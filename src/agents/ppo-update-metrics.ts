import type { PpoLossMetrics } from '../algorithms/ppo-loss.js';
import type { UpdateMetrics } from '../loop/events.js';

/** The diagnostics of one PPO update that are averaged over its applied minibatch steps. */
type AveragedMetric = 'policyLoss' | 'valueLoss' | 'entropy' | 'approxKl' | 'clipFraction' | 'gradNorm';

/**
 * Sums of the per-minibatch PPO diagnostics over one update and their means, as SB3 and CleanRL
 * log them: losses, entropy, KL estimate, clip fraction and gradient norm averaged over the
 * minibatch steps that were applied (a step the target KL stopped counts for nothing).
 */
export class PpoMinibatchMeans {
  private added = 0;
  private policyLoss = 0;
  private valueLoss = 0;
  private entropy = 0;
  private approxKl = 0;
  private clipFraction = 0;
  private gradNorm = 0;

  /** Adds one applied minibatch step: its loss diagnostics and the gradient norm before clipping. */
  add(m: Pick<PpoLossMetrics, Exclude<AveragedMetric, 'gradNorm'>>, gradNorm: number): void {
    this.policyLoss += m.policyLoss;
    this.valueLoss += m.valueLoss;
    this.entropy += m.entropy;
    this.approxKl += m.approxKl;
    this.clipFraction += m.clipFraction;
    this.gradNorm += gradNorm;
    this.added++;
  }

  /** Minibatch steps added so far. */
  get count(): number {
    return this.added;
  }

  /** The update's metrics: these means (zeros when no step was applied) with the rest as given; the critic's explained variance is the loop's to fill. */
  metrics(rest: Omit<UpdateMetrics, AveragedMetric | 'explainedVariance'>): UpdateMetrics {
    const k = Math.max(1, this.added);
    return {
      policyLoss: this.policyLoss / k,
      valueLoss: this.valueLoss / k,
      entropy: this.entropy / k,
      approxKl: this.approxKl / k,
      clipFraction: this.clipFraction / k,
      gradNorm: this.gradNorm / k,
      explainedVariance: Number.NaN,
      ...rest,
    };
  }
}
