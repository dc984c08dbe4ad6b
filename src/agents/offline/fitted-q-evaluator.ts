/**
 * Fitted Q evaluation of a target policy from a fixed dataset (`algorithms/fitted-q-evaluation.ts`):
 * the Q half of `rxrl ope`'s Lagrangian estimate. Terminal transitions lead to the absorbing
 * state, whose value is 0; a time-limit cut bootstraps from the next observation, since the
 * discounted value ignores time limits.
 * @module
 */

import { twinRegressionLoss } from '../../algorithms/iql.js';
import { fqeTargets, perStepValueBounds } from '../../algorithms/fitted-q-evaluation.js';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { OfflineDataset } from '../../data/dataset.js';
import { OfflineSampler } from '../../data/offline-sampler.js';
import type { PolicyActor } from '../../loop/agent.js';
import { StateActionEncoder, type RowActions } from './state-action-encoder.js';
import { ValueHeads } from './value-heads.js';

/** Options of {@link FittedQEvaluator}. */
export interface FittedQOptions {
  /** Discount of the value to estimate (default 0.99). */
  readonly gamma?: number;
  /** Hidden layers of Q (default [64, 64]). */
  readonly hidden?: readonly number[];
  /** LayerNorm in Q's hidden layers (default true: it keeps bootstrapped regression off-policy from drifting). */
  readonly layerNorm?: boolean;
  /** Adam rate (default 3e-4). */
  readonly learningRate?: number;
  /** Transitions per step (default 256). */
  readonly batchSize?: number;
  /** Rate τ of the Polyak-averaged copy Q̄ that gives the bootstrapped values and the estimates (default 0.02). */
  readonly targetUpdateRate?: number;
  readonly seed?: number | string;
}

/** Progress of {@link FittedQEvaluator.train}, reported every `every` steps. */
export interface FittedQProgress {
  readonly step: number;
  /** Mean squared Bellman error of the last `every` steps, in per-step units (1 − γ)·Q. */
  readonly loss: number;
}

/** Fitted Q evaluation for a target `policy` acting on the dataset's (raw) observations. */
export class FittedQEvaluator {
  readonly gamma: number;
  private readonly q: ValueHeads;
  private readonly encoder: StateActionEncoder;
  private readonly sampler: OfflineSampler;
  private readonly bounds: { readonly low: number; readonly high: number };
  private readonly tau: number;
  /** The stream the target's actions are sampled from (its own, so the estimate does not depend on what else the policy did). */
  private readonly targetSampler: Rng;
  private readonly batch: number;
  private readonly bufs: { sa: Float32Array; next: Float32Array; targets: Float64Array; grads: Float64Array };
  private step = 0;

  constructor(
    private readonly dataset: OfflineDataset,
    private readonly policy: PolicyActor,
    actionSpace: Box | Discrete,
    options: FittedQOptions = {},
  ) {
    this.gamma = options.gamma ?? 0.99;
    if (!(this.gamma > 0 && this.gamma < 1)) throw new ConfigError(`fitted Q evaluation needs a discount in (0, 1), got ${this.gamma}`);
    this.encoder = new StateActionEncoder(dataset, actionSpace);
    const rng = new Rng(options.seed ?? 0);
    this.targetSampler = rng.split('target-actions');
    this.batch = options.batchSize ?? 256;
    this.tau = options.targetUpdateRate ?? 0.02;
    if (!(this.tau > 0 && this.tau <= 1)) throw new ConfigError(`targetUpdateRate must be in (0, 1] (the share of Q that moves into Q̄ per step), got ${this.tau}`);
    const w = this.encoder.width;
    this.q = new ValueHeads({ inputSize: w, hidden: options.hidden ?? [64, 64], heads: 1, layerNorm: options.layerNorm ?? true, lr: options.learningRate ?? 3e-4, rng: rng.split('q') });
    this.sampler = new OfflineSampler(dataset, { batchSize: this.batch, gamma: this.gamma, rewardScale: 1, rng: rng.split('batches') });
    this.bounds = perStepValueBounds(dataset.rewards);
    this.bufs = { sa: new Float32Array(this.batch * w), next: new Float32Array(this.batch * w), targets: new Float64Array(this.batch), grads: new Float64Array(this.batch) };
  }

  /** Runs `steps` regression steps on the Bellman targets of Q̄, reporting every `every` steps. */
  train(steps: number, onProgress?: (p: FittedQProgress) => void, every = 1000): void {
    const { sa, next, targets, grads } = this.bufs;
    let loss = 0;
    for (let k = 0; k < steps; k++) {
      const b = this.sampler.next();
      const n = b.size;
      this.encoder.encode(b.observations, b.actions, n, sa);
      this.encoder.encode(b.nextObservations, this.policy.act(b.nextObservations, n, false, this.targetSampler).actions, n, next);
      // Terminal rows (bootstrap 0) ignore Q̄′: the absorbing state's value is 0.
      fqeTargets(b.rewards, b.bootstrap, this.q.targetForward(next, n), n, this.gamma, this.bounds, targets);
      const pass = this.q.pass(0);
      loss += twinRegressionLoss(pass.forward(sa, n), targets, 1, n, grads);
      pass.backward(grads, n);
      this.q.step(pass.grads);
      this.q.softUpdate(this.tau);
      this.step++;
      if (onProgress !== undefined && this.step % every === 0) {
        onProgress({ step: this.step, loss: loss / every });
        loss = 0;
      }
    }
  }

  /** Q̄(s, a) in value units (discounted sums of rewards) of `n` observations and their actions (a dataset's action rows, or drawn per chunk), into `out`. */
  values(observations: Float32Array, actions: RowActions, n: number, out: Float64Array): void {
    this.encoder.applyToRows((rows, m) => this.q.targetForward(rows, m), observations, actions, n, out);
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) / (1 - this.gamma);
  }

  /** Q̄(s, a′) with a′ drawn from the target policy at each of `n` observations, in value units, into `out`. */
  policyValues(observations: Float32Array, n: number, out: Float64Array): void {
    this.values(observations, (obs, m) => this.policy.act(obs, m, false, this.targetSampler).actions, n, out);
  }

  /**
   * The Bellman residual of Q̄ on every dataset row, δ = r + γ(1 − d)·Q̄(s′, a′) − Q̄(s, a) with one
   * a′ ∼ π(s′) (unbiased: δ is linear in Q̄(s′, ·)), in value units.
   */
  residuals(): Float64Array {
    const ds = this.dataset;
    const n = ds.size;
    const here = new Float64Array(n);
    const next = new Float64Array(n);
    this.values(ds.observations, ds.actions, n, here);
    this.policyValues(ds.nextObservations, n, next);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const bootstrap = (ds.terminals[i] as number) !== 0 ? 0 : this.gamma;
      out[i] = (ds.rewards[i] as number) + bootstrap * (next[i] as number) - (here[i] as number);
    }
    return out;
  }
}
