/**
 * Off-policy evaluation with DualDICE (`rxrl ope`): the discounted value of a target policy
 * estimated from a fixed dataset alone, by learning the occupancy correction ζ = d^π/d^D with the
 * saddle-point objective of `algorithms/dual-dice.ts`, plus an episode-bootstrap interval.
 *
 * Episode ends: a terminal transition leads to an absorbing state that loops on itself with
 * reward 0 (the standard construction of the DICE papers for episodic tasks). Every batch mixes
 * a fraction p = 1/9 of absorbing self-transitions into the data's, so the augmented MDP's
 * discounted occupancy always has mass 1 and the estimate can be self-normalised without
 * erasing what the episode ends say:
 *
 *     V̂ = E_d̃[ζ·r] / E_d̃[ζ] / (1 − γ),   d̃ = (1 − p)·d^D + p·δ_absorbing.
 * @module
 */

import { augmentedMass, dualDiceGradients, normalizedValueEstimate, type DualDiceGradients } from '../../algorithms/dual-dice.js';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { OfflineDataset } from '../../data/dataset.js';
import { episodeBootstrap, sumPerEpisode } from '../../data/episode-bootstrap.js';
import { splitEpisodes } from '../../data/episodes.js';
import { OfflineSampler } from '../../data/offline-sampler.js';
import type { PolicyActor } from '../../loop/agent.js';
import { StateActionEncoder } from './state-action-encoder.js';
import { ValueHeads } from './value-heads.js';

/** Options of {@link DualDiceEstimator}. */
export interface DualDiceOptions {
  /** Discount of the value to estimate (default 0.99). */
  readonly gamma?: number;
  /** Hidden ReLU layers of ν and ζ (dice_rl: [64, 64]). */
  readonly hidden?: readonly number[];
  /** Adam rate of ν (default 1e-4). */
  readonly learningRate?: number;
  /** Adam rate of ζ (default 10 × ν's, the ratio of the original DualDICE code: ν 1e-4, ζ 1e-3; the maximising player tracks its best response). */
  readonly zetaLearningRate?: number;
  /** Transitions per step (dice_rl: 2048; 512 by default here, for CPU time). */
  readonly batchSize?: number;
  /** Rate τ of the Polyak average of ζ's parameters the estimate uses (default 1e-3: a window of ~1000 steps). */
  readonly averaging?: number;
  /** Initial states per step (default: batchSize). */
  readonly initialBatchSize?: number;
  readonly seed?: number | string;
}

/** An estimate with its interval. */
export interface ValueEstimate {
  /** V̂ = E_d̃[ζ·r] / E_d̃[ζ] / (1 − γ) over the data mixed with the absorbing state. */
  readonly value: number;
  /** 95% percentile interval of an episode bootstrap of V̂ (ζ held fixed; 2000 resamples). */
  readonly low: number;
  readonly high: number;
  /** E_d̃[ζ] (the augmented occupancy's mass: 1 when ζ is right). */
  readonly meanWeight: number;
  readonly gamma: number;
}

/** Progress of {@link DualDiceEstimator.train}, reported every `every` steps. */
export interface DualDiceProgress {
  readonly step: number;
  readonly objective: number;
  readonly meanResidual: number;
}

/**
 * DualDICE for a target `policy` that acts on the dataset's (raw) observations. Actions enter
 * the networks one-hot for a Discrete space, as they are (clipped to the bounds) for a Box.
 */
export class DualDiceEstimator {
  readonly gamma: number;
  private readonly nu: ValueHeads;
  private readonly zeta: ValueHeads;
  private readonly sampler: OfflineSampler;
  private readonly initialRows: Int32Array;
  private readonly initialBatch: number;
  private readonly encoder: StateActionEncoder;
  private readonly rng: Rng;
  /** The stream the target's actions are sampled from (its own, so the estimate does not depend on what else the policy did). */
  private readonly targetSampler: Rng;
  private readonly bufs: { sa: Float32Array; next: Float32Array; initial: Float32Array; initialObs: Float32Array; bootstrap: Float64Array; grads: DualDiceGradients; nuSum: Float64Array };
  /** Data transitions and absorbing self-transitions per batch. */
  private readonly dataRows: number;
  private readonly absorbingRows: number;
  private step = 0;
  private readonly averaging: number;

  constructor(
    private readonly dataset: OfflineDataset,
    private readonly policy: PolicyActor,
    actionSpace: Box | Discrete,
    options: DualDiceOptions = {},
  ) {
    this.gamma = options.gamma ?? 0.99;
    if (!(this.gamma > 0 && this.gamma < 1)) throw new ConfigError(`DualDICE needs a discount in (0, 1), got ${this.gamma}`);
    this.encoder = new StateActionEncoder(dataset, actionSpace);
    const width = this.encoder.width;
    this.rng = new Rng(options.seed ?? 0);
    this.targetSampler = this.rng.split('target-actions');
    const hidden = options.hidden ?? [64, 64];
    const lr = options.learningRate ?? 1e-4;
    const batch = options.batchSize ?? 512;
    this.dataRows = batch;
    this.absorbingRows = Math.max(1, Math.round(batch / 8));
    const rows = batch + this.absorbingRows;
    this.initialBatch = options.initialBatchSize ?? batch;
    this.averaging = options.averaging ?? 1e-3;
    // ν is evaluated at (s, a), (s′, a′) and (s₀, a₀) before one backward each: three passes.
    this.nu = new ValueHeads({ inputSize: width, hidden, heads: 1, layerNorm: false, lr, passes: 3, rng: this.rng.split('nu') });
    this.zeta = new ValueHeads({ inputSize: width, hidden, heads: 1, layerNorm: false, lr: options.zetaLearningRate ?? 10 * lr, rng: this.rng.split('zeta') });
    this.sampler = new OfflineSampler(dataset, { batchSize: batch, gamma: this.gamma, rewardScale: 1, rng: this.rng.split('batches') });
    this.initialRows = splitEpisodes(dataset).starts;
    this.bufs = {
      sa: new Float32Array(rows * width),
      next: new Float32Array(rows * width),
      initial: new Float32Array(this.initialBatch * width),
      initialObs: new Float32Array(this.initialBatch * dataset.observationDim),
      bootstrap: new Float64Array(rows).fill(this.gamma),
      grads: { nu: new Float64Array(rows), nuNext: new Float64Array(rows), nuInitial: new Float64Array(this.initialBatch), zetaDescent: new Float64Array(rows) },
      nuSum: new Float64Array(this.nu.params.length),
    };
    // The absorbing self-transitions at the end of every batch never change.
    for (let i = batch; i < rows; i++) {
      this.encoder.absorbing(this.bufs.sa, i);
      this.encoder.absorbing(this.bufs.next, i);
    }
  }

  /** Runs `steps` gradient steps of the saddle point (ν descends, ζ ascends), reporting every `every` steps. */
  train(steps: number, onProgress?: (p: DualDiceProgress) => void, every = 1000): void {
    const { sa, next, initial, initialObs, bootstrap, grads, nuSum } = this.bufs;
    const d = this.encoder.observationDim;
    const B = this.dataRows + this.absorbingRows;
    let objective = 0;
    let residual = 0;
    for (let k = 0; k < steps; k++) {
      const b = this.sampler.next();
      const n = b.size;
      this.encoder.encode(b.observations, b.actions, n, sa);
      this.encoder.encode(b.nextObservations, this.policy.act(b.nextObservations, n, false, this.targetSampler).actions, n, next);
      for (let i = 0; i < n; i++) {
        // A terminal transition leads to the absorbing state, from which the discounting goes on.
        if ((b.bootstrap[i] as number) === 0) this.encoder.absorbing(next, i);
        bootstrap[i] = this.gamma;
      }
      for (let i = 0; i < this.initialBatch; i++) {
        const row = this.initialRows[this.rng.int(this.initialRows.length)] as number;
        initialObs.set(this.dataset.observations.subarray(row * d, (row + 1) * d), i * d);
      }
      this.encoder.encode(initialObs, this.policy.act(initialObs, this.initialBatch, false, this.targetSampler).actions, this.initialBatch, initial);
      const [atSa, atNext, atInitial] = [this.nu.pass(0), this.nu.pass(1), this.nu.pass(2)];
      const zetaPass = this.zeta.pass(0);
      const r = dualDiceGradients(
        { batch: B, nu: atSa.forward(sa, B), nuNext: atNext.forward(next, B), zeta: zetaPass.forward(sa, B), bootstrap, nuInitial: atInitial.forward(initial, this.initialBatch), initialBatch: this.initialBatch, gamma: this.gamma },
        grads,
      );
      atSa.backward(grads.nu, B);
      atNext.backward(grads.nuNext, B);
      atInitial.backward(grads.nuInitial, this.initialBatch);
      for (let i = 0; i < nuSum.length; i++) nuSum[i] = (atSa.grads[i] as number) + (atNext.grads[i] as number) + (atInitial.grads[i] as number);
      this.nu.step(nuSum);
      zetaPass.backward(grads.zetaDescent, B);
      this.zeta.step(zetaPass.grads);
      this.zeta.softUpdate(this.averaging);
      objective += r.objective;
      residual += r.meanResidual;
      this.step++;
      if (onProgress !== undefined && this.step % every === 0) {
        onProgress({ step: this.step, objective: objective / every, meanResidual: residual / every });
        objective = 0;
        residual = 0;
      }
    }
  }

  /** ζ on every dataset row, from the Polyak average of ζ's parameters (gradient descent-ascent circles around the saddle point; the average settles). */
  weights(): Float64Array {
    const ds = this.dataset;
    const out = new Float64Array(ds.size);
    this.encoder.applyToRows((rows, m) => this.zeta.targetForward(rows, m), ds.observations, ds.actions, ds.size, out);
    return out;
  }

  /** ζ at the absorbing state (from the same averaged parameters). */
  absorbingWeight(): number {
    const input = new Float32Array(this.encoder.width);
    this.encoder.absorbing(input, 0);
    return this.zeta.targetForward(input, 1)[0] as number;
  }

  /** The share p of absorbing self-transitions in every batch (the mixture d̃ = (1 − p)·d^D + p·δ_absorbing). */
  get absorbingShare(): number {
    return this.absorbingRows / (this.dataRows + this.absorbingRows);
  }

  /** The value estimate with an episode-bootstrap interval (seeded: same estimator, same interval). */
  estimate(resamples = 2000): ValueEstimate {
    const zeta = this.weights();
    const ds = this.dataset;
    const p = this.absorbingShare;
    const zetaAbs = this.absorbingWeight();
    const episodes = splitEpisodes(ds);
    const zetaReward = zeta.map((z, i) => z * (ds.rewards[i] as number));
    const columns = [sumPerEpisode(zetaReward, episodes), sumPerEpisode(zeta, episodes)];
    const estimateOf = (zr: number, z: number, rows: number) => normalizedValueEstimate(zr / rows, z / rows, zetaAbs, p, this.gamma);
    const [zetaRewardTotal, zetaTotal] = columns.map((c) => c.reduce((a, b) => a + b, 0)) as [number, number];
    const value = estimateOf(zetaRewardTotal, zetaTotal, ds.size);
    const ci = episodeBootstrap({ episodes, columns }, (sums, rows, _n, out) => (out[0] = estimateOf(sums[0] as number, sums[1] as number, rows)), 1, resamples, 'dualdice/bootstrap');
    const meanWeight = augmentedMass(zetaTotal / ds.size, zetaAbs, p);
    return { value, low: ci.low[0] as number, high: ci.high[0] as number, meanWeight, gamma: this.gamma };
  }
}
