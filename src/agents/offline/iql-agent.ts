/**
 * IQL (`--algo iql`; Kostrikov et al. 2022) after gwthomas/IQL-PyTorch (`src/iql.py`), the
 * implementation O-DICE's code builds on: per step, an expectile update of V towards the target
 * twin-Q minimum, a regression of both Q heads towards r + γ(1 − d)·V(s') (V before its update),
 * an EMA of the target Q, and an advantage-weighted step of the policy.
 * @module
 */

import { advantageWeights, expectileValueLoss, twinRegressionLoss } from '../../algorithms/iql.js';
import type { Rng } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { OfflineBatch } from '../../data/offline-sampler.js';
import { createOfflinePolicy, ExtractedPolicyAgent, type OfflineStepMetrics } from './offline-agent.js';
import type { IqlConfig } from './offline-config.js';
import { ValueHeads, type ValueHeadsState } from './value-heads.js';

interface IqlLearnerState {
  readonly q: ValueHeadsState;
  readonly v: ValueHeadsState;
}

/** PyTorch's CosineAnnealingLR with η_min = 0 at `progress` ∈ [0, 1] of T_max. */
export function cosineAnnealing(lr: number, progress: number): number {
  return (lr * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, progress))))) / 2;
}

/** An IQL learner. */
export class IqlAgent extends ExtractedPolicyAgent {
  readonly q: ValueHeads;
  readonly v: ValueHeads;
  private readonly config: IqlConfig;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly stateActions: Float32Array;
  private readonly targetQ: Float64Array;
  private readonly nextValues: Float64Array;
  private readonly targets: Float64Array;
  private readonly advantages: Float64Array;
  private readonly gradV: Float64Array;
  private readonly gradQ: Float64Array;
  private readonly weights: Float64Array;

  constructor(config: IqlConfig, observationSize: number, actionSpace: Box, rng: Rng) {
    super(createOfflinePolicy(config, observationSize, actionSpace, config.learningRate, 0, rng), rng);
    this.config = config;
    this.obsDim = observationSize;
    this.actDim = actionSpace.flatDim;
    this.q = new ValueHeads({ inputSize: observationSize + this.actDim, hidden: config.value.hidden, heads: 2, layerNorm: false, lr: config.learningRate, rng: rng.split('q') });
    this.v = new ValueHeads({ inputSize: observationSize, hidden: config.value.hidden, heads: 1, layerNorm: false, lr: config.learningRate, rng: rng.split('v') });
    const B = config.batchSize;
    this.stateActions = new Float32Array(B * (observationSize + this.actDim));
    this.targetQ = new Float64Array(B);
    this.nextValues = new Float64Array(B);
    this.targets = new Float64Array(B);
    this.advantages = new Float64Array(B);
    this.gradV = new Float64Array(B);
    this.gradQ = new Float64Array(2 * B);
    this.weights = new Float64Array(B);
  }

  update(batch: OfflineBatch, progress: number): OfflineStepMetrics {
    const c = this.config;
    const B = batch.size;
    const sa = concatRows(batch.observations, this.obsDim, batch.actions as Float32Array, this.actDim, B, this.stateActions);
    this.q.targetMin(sa, B, this.targetQ);
    this.nextValues.set(this.v.pass(0).inference(batch.nextObservations, B));
    // Value: expectile regression towards the target Q.
    const atS = this.v.pass(0);
    const values = atS.forward(batch.observations, B);
    const valueLoss = expectileValueLoss(this.targetQ, values, B, c.expectile, this.gradV, this.advantages);
    atS.backward(this.gradV, B);
    this.v.step(atS.grads);
    // Q: both heads towards r + γ(1 − d)·V(s').
    for (let b = 0; b < B; b++) this.targets[b] = (batch.rewards[b] as number) + (batch.bootstrap[b] as number) * (this.nextValues[b] as number);
    const qPass = this.q.pass(0);
    const qLoss = twinRegressionLoss(qPass.forward(sa, B), this.targets, 2, B, this.gradQ);
    qPass.backward(this.gradQ, B);
    this.q.step(qPass.grads);
    this.q.softUpdate(c.targetUpdate);
    // Policy: advantage-weighted regression with the advantages from before the V step.
    advantageWeights(this.advantages, B, c.temperature, c.maxWeight, this.weights);
    const lr = c.policyLrSchedule === 'cosine' ? cosineAnnealing(c.learningRate, progress) : c.learningRate;
    const pi = this.policy.update(batch.observations, batch.actions as Float32Array, this.weights, B, lr);
    let adv = 0;
    let w = 0;
    for (let b = 0; b < B; b++) {
      adv += this.advantages[b] as number;
      w += this.weights[b] as number;
    }
    return { policyLoss: pi.loss, valueLoss, learningRate: lr, details: { qLoss, meanAdvantage: adv / B, meanWeight: w / B, nll: pi.nll } };
  }

  protected learnerState(): IqlLearnerState {
    return { q: this.q.getState(), v: this.v.getState() };
  }

  protected setLearnerState(state: unknown): void {
    const s = state as IqlLearnerState;
    this.q.setState(s.q);
    this.v.setState(s.v);
  }
}

/** Rows [x_b, y_b] of two row-major arrays, into `out`. */
export function concatRows(x: Float32Array, dx: number, y: Float32Array, dy: number, rows: number, out: Float32Array): Float32Array {
  const d = dx + dy;
  for (let b = 0; b < rows; b++) {
    out.set(x.subarray(b * dx, (b + 1) * dx), b * d);
    out.set(y.subarray(b * dy, (b + 1) * dy), b * d + dx);
  }
  return out.subarray(0, rows * d);
}
