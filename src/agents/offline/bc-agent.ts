/**
 * Behaviour cloning (`--algo bc`): maximum likelihood of the dataset's actions under the same
 * Gaussian policy the other offline agents extract — the floor they are compared with.
 * @module
 */

import type { Rng } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { OfflineBatch } from '../../data/offline-sampler.js';
import { createOfflinePolicy, ExtractedPolicyAgent, type OfflineStepMetrics } from './offline-agent.js';
import type { BcConfig } from './offline-config.js';

/** A behaviour-cloning learner. */
export class BcAgent extends ExtractedPolicyAgent {
  private readonly config: BcConfig;
  private readonly ones: Float64Array;

  constructor(config: BcConfig, observationSize: number, actionSpace: Box, rng: Rng) {
    super(createOfflinePolicy(config, observationSize, actionSpace, config.learningRate, config.weightDecay, rng), rng);
    this.config = config;
    this.ones = new Float64Array(config.batchSize).fill(1);
  }

  update(batch: OfflineBatch, _progress: number): OfflineStepMetrics {
    const pi = this.policy.update(batch.observations, batch.actions as Float32Array, this.ones, batch.size, this.config.learningRate);
    return { policyLoss: pi.loss, valueLoss: Number.NaN, learningRate: this.config.learningRate, details: { nll: pi.nll } };
  }

  protected learnerState(): null {
    return null;
  }

  protected setLearnerState(): void {}
}
