/**
 * O-DICE (`--algo odice`) and the semi-gradient (`semi-dice`) and true-gradient (`true-dice`)
 * DICE updates it is compared with (Mao et al., ICLR 2024; ALGORITHMS.md §7), after the
 * reference code maoliyuan/ODICE-Pytorch (`odice.py`): per step, one update of the (twin) value
 * network on the V-DICE objective, an EMA of its target, and one weighted-BC step of the policy
 * with weights min(relu(δ), 100) of the residuals computed before the value update.
 * @module
 */

import {
  diceBackwardTerm,
  diceExtractionWeights,
  diceForwardTerm,
  diceTrueGradientTerm,
  diceValueTerm,
  orthogonalDualGradient,
  type DiceTermInput,
} from '../../algorithms/dice.js';
import type { Rng } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { OfflineBatch } from '../../data/offline-sampler.js';
import { createOfflinePolicy, ExtractedPolicyAgent, type OfflineStepMetrics } from './offline-agent.js';
import type { DiceConfig } from './offline-config.js';
import { ValueHeads, type ValueHeadsState } from './value-heads.js';

/** An O-DICE, semi-gradient DICE or true-gradient DICE learner. */
export class DiceAgent extends ExtractedPolicyAgent {
  readonly value: ValueHeads;
  private readonly config: DiceConfig;
  private readonly heads: number;
  // Per-step buffers (heads × B unless noted), allocated for the configured batch size.
  private readonly residuals: Float64Array;
  private readonly gradValues: Float64Array;
  private readonly gradNextValues: Float64Array;
  private readonly targetS: Float64Array;
  private readonly targetNext: Float64Array;
  private readonly weights: Float64Array;
  /** Flat gradients over every value parameter. */
  private readonly forwardGrad: Float64Array;
  private readonly dualGrad: Float64Array;

  constructor(config: DiceConfig, observationSize: number, actionSpace: Box, rng: Rng) {
    super(createOfflinePolicy(config, observationSize, actionSpace, config.policyLearningRate, config.policyWeightDecay, rng), rng);
    this.config = config;
    this.heads = config.value.twin ? 2 : 1;
    this.value = new ValueHeads({ inputSize: observationSize, hidden: config.value.hidden, heads: this.heads, layerNorm: config.value.layerNorm, lr: config.valueLearningRate, passes: 2, rng: rng.split('value') });
    const hb = this.heads * config.batchSize;
    this.residuals = new Float64Array(hb);
    this.gradValues = new Float64Array(hb);
    this.gradNextValues = new Float64Array(hb);
    this.targetS = new Float64Array(config.batchSize);
    this.targetNext = new Float64Array(config.batchSize);
    this.weights = new Float64Array(config.batchSize);
    this.forwardGrad = new Float64Array(this.value.params.length);
    this.dualGrad = new Float64Array(this.value.params.length);
  }

  update(batch: OfflineBatch, _progress: number): OfflineStepMetrics {
    const c = this.config;
    const B = batch.size;
    const H = this.heads;
    const term: DiceTermInput = { heads: H, batch: B, rewards: batch.rewards, bootstrap: batch.bootstrap, divergence: c.divergence };
    const atS = this.value.pass(0);
    const values = atS.forward(batch.observations, B);
    let valueLoss: number;
    let projection = Number.NaN;
    let forwardTerm = Number.NaN;
    let backwardTerm = Number.NaN;
    if (c.algo === 'true-dice') {
      // Both sides of the residual differentiated; no target network in the loss.
      const atNext = this.value.pass(1);
      const nextValues = atNext.forward(batch.nextObservations, B);
      forwardTerm = diceTrueGradientTerm(term, values, nextValues, c.lambda, this.residuals, this.gradValues, this.gradNextValues);
      valueLoss = forwardTerm + diceValueTerm(H, B, values, c.lambda, this.gradValues);
      atS.backward(this.gradValues, B);
      atNext.backward(this.gradNextValues, B);
      addInto(atS.grads, atNext.grads);
    } else {
      this.value.targetMin(batch.nextObservations, B, this.targetNext);
      forwardTerm = diceForwardTerm(term, values, this.targetNext, c.lambda, this.residuals, this.gradValues);
      if (c.algo === 'semi-dice') {
        valueLoss = forwardTerm + diceValueTerm(H, B, values, c.lambda, this.gradValues);
        atS.backward(this.gradValues, B);
      } else {
        // O-DICE: g_f and g_b separately, over all value parameters, then the orthogonal combination.
        atS.backward(this.gradValues, B);
        this.forwardGrad.set(atS.grads);
        this.value.targetMin(batch.observations, B, this.targetS);
        const atNext = this.value.pass(1);
        const nextValues = atNext.forward(batch.nextObservations, B);
        backwardTerm = diceBackwardTerm(term, nextValues, this.targetS, c.lambda * c.eta, this.gradNextValues);
        atNext.backward(this.gradNextValues, B);
        projection = orthogonalDualGradient(this.forwardGrad, atNext.grads, this.dualGrad);
        this.gradValues.fill(0, 0, H * B);
        const linear = diceValueTerm(H, B, values, c.lambda, this.gradValues);
        atS.backward(this.gradValues, B);
        addInto(atS.grads, this.dualGrad);
        valueLoss = linear + forwardTerm + backwardTerm;
      }
    }
    this.value.step(atS.grads);
    this.value.softUpdate(c.targetUpdate);
    diceExtractionWeights(H, B, this.residuals, c.maxWeight, this.weights);
    const pi = this.policy.update(batch.observations, batch.actions as Float32Array, this.weights, B, c.policyLearningRate);
    let weightSum = 0;
    let residualSum = 0;
    for (let b = 0; b < B; b++) weightSum += this.weights[b] as number;
    for (let i = 0; i < H * B; i++) residualSum += this.residuals[i] as number;
    let valueSum = 0;
    for (let i = 0; i < H * B; i++) valueSum += values[i] as number;
    return {
      policyLoss: pi.loss,
      valueLoss,
      learningRate: c.policyLearningRate,
      details: { forwardTerm, backwardTerm, projection, meanValue: valueSum / (H * B), meanResidual: residualSum / (H * B), meanWeight: weightSum / B, nll: pi.nll },
    };
  }

  protected learnerState(): ValueHeadsState {
    return this.value.getState();
  }

  protected setLearnerState(state: unknown): void {
    this.value.setState(state as ValueHeadsState);
  }
}

/** a += b, elementwise. */
function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) + (b[i] as number);
}
