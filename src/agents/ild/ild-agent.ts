/**
 * ILD: imitation learning via differentiable physics (Chen et al. ICLR 2023) on rxrl's
 * simulator. From ONE expert state trajectory, each iteration:
 *
 * 1. starts B worlds at the expert's first state plus uniform noise ±startNoise;
 * 2. rolls the stochastic policy out for L steps (no resets: a fall is just far from the
 *    expert), recording the states' features φ(s) = (qpos[1:], qvel);
 * 3. per world, the loss is the Chamfer distance between the rollout's φ(s_1…s_L) and the
 *    expert's φ(s_1…s_L) (both directions, squared distances scaled by the expert's per-feature
 *    spread), averaged over worlds;
 * 4. backpropagates it through the rollout with ILD's stabilisers: the gradient is cut every
 *    `truncation` steps (as its `stop_gradient`; `Rollout.markReset` without a reset), each
 *    step's state cotangent is clipped per world to norm `cotangentClip` (its `norm_grad`
 *    custom VJP; the action cotangent too), the policy gradient to `maxGradNorm`;
 * 5. takes an Adam step (learning rate decayed linearly).
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { ActOutput } from '../../loop/agent.js';
import type { UpdateMetrics } from '../../loop/events.js';
import { Rollout } from '../../physics/index.js';
import type { EpisodeEnd, GradientAgent, GradientIteration } from '../apg/gradient-agent.js';
import { differentiableTask } from '../apg/locomotion-worlds.js';
import type { SquashedGaussianPolicy } from '../apg/squashed-gaussian.js';
import { scheduledRate, TrainablePolicy, type TrainablePolicyState } from '../apg/trainable-policy.js';
import type { WindowNormalizer } from '../apg/window-normalizer.js';
import { DifferentiableLocomotion } from '../../envs/locomotion/differentiable.js';
import { LocomotionBatch } from '../../envs/locomotion/locomotion-env.js';
import { chamferDistance } from './chamfer.js';
import { bundledExpertPath, readExpertTrajectory, type ExpertTrajectory } from './expert-trajectory.js';
import type { IldConfig } from './ild-config.js';

/** Everything an {@link IldAgent} keeps between iterations. */
export interface IldAgentState extends TrainablePolicyState {
  readonly start: RngState;
  readonly iteration: number;
}

/** The smallest per-feature spread used to scale distances (a feature the expert holds constant would otherwise get an infinite weight). */
const MIN_FEATURE_STD = 1e-2;

/** ILD's imitation agent over B rollouts per iteration. */
export class IldAgent implements GradientAgent {
  readonly config: IldConfig;
  readonly expert: ExpertTrajectory;
  readonly batch: LocomotionBatch;
  readonly diff: DifferentiableLocomotion;
  readonly policy: SquashedGaussianPolicy;
  readonly normalizer: WindowNormalizer;
  readonly window: Rollout;
  readonly stepsPerIteration: number;
  /** Feature size d = (nq − 1) + nv. */
  readonly featureSize: number;
  /** [L × d] the expert's features φ(s_1…s_L). */
  readonly expertFeatures: Float64Array;
  /** [d] W_f = 1/σ_f² (or 1). */
  readonly featureWeights: Float64Array;
  /** The policy with its optimisers, noise and per-step window buffers. */
  private readonly trainer: TrainablePolicy;
  private startRng: Rng;
  private iteration = 0;
  private readonly startNoise: number;

  private readonly B: number;
  private readonly L: number;
  private readonly O: number;
  private readonly nu: number;
  private readonly obsRaw: Float64Array;
  private readonly rewards: Float64Array;
  private readonly returns: Float64Array;
  /** [B × L × d] the rollouts' features, world-major. */
  private readonly features: Float64Array;
  private readonly featureGrad: Float64Array;
  private readonly nearest: Int32Array;
  /** Chamfer terms of the last forward, averaged over worlds. */
  private lastToExpert = 0;
  private lastFromExpert = 0;

  /** @param expert the trajectory to imitate; default: the file `config.expert`, else the one bundled for the env. */
  constructor(config: IldConfig, expert?: ExpertTrajectory) {
    this.config = config;
    const task = differentiableTask(config.env, 'ILD');
    this.expert = expert ?? loadExpert(config);
    const rng = new Rng(config.seed).split('ild');
    this.B = config.numEnvs;
    this.L = config.horizon;
    this.batch = new LocomotionBatch(task, this.B);
    this.diff = DifferentiableLocomotion.of(this.batch);
    const { nq, nv, nu } = this.diff;
    if (this.expert.nq !== nq || this.expert.nv !== nv || this.expert.nu !== nu) {
      throw new ConfigError(`ILD: the expert trajectory (${this.expert.env}: nq ${this.expert.nq}, nv ${this.expert.nv}, nu ${this.expert.nu}) does not fit ${config.env} (nq ${nq}, nv ${nv}, nu ${nu})`);
    }
    if (this.expert.length < this.L + 1) throw new ConfigError(`ILD: horizon ${this.L} needs an expert trajectory of at least ${this.L + 1} states, the given one has ${this.expert.length}`);
    this.O = this.diff.observationSize;
    this.nu = nu;
    this.stepsPerIteration = this.B * this.L;
    this.startNoise = config.startNoise ?? this.batch.settings.resetNoiseScale;
    this.window = new Rollout(this.batch.model, this.batch.data, { horizon: this.L, substeps: this.batch.settings.frameSkip });
    // No betas: ILD's optimiser is Adam with its defaults.
    this.trainer = new TrainablePolicy({
      diff: this.diff,
      low: this.batch.actionSpace.low,
      high: this.batch.actionSpace.high,
      numWorlds: this.B,
      steps: this.L,
      observationSteps: this.L,
      policy: config.policy,
      observationRms: config.observationRms,
      critic: null,
      rng,
    });
    this.policy = this.trainer.policy;
    this.normalizer = this.trainer.normalizer;
    this.startRng = rng.split('start');

    const d = nq - 1 + nv;
    this.featureSize = d;
    this.expertFeatures = new Float64Array(this.L * d);
    const S = nq + nv;
    for (let t = 0; t < this.L; t++) {
      // Expert state s_{t+1}: compared with the rollout's state after its step t.
      const row = (t + 1) * S;
      for (let f = 0; f < d; f++) this.expertFeatures[t * d + f] = this.expert.states[row + 1 + f] as number;
    }
    this.featureWeights = new Float64Array(d).fill(1);
    if (config.featureScaling === 'expert-std') {
      for (let f = 0; f < d; f++) {
        let mean = 0;
        for (let t = 0; t < this.L; t++) mean += this.expertFeatures[t * d + f] as number;
        mean /= this.L;
        let v = 0;
        for (let t = 0; t < this.L; t++) v += ((this.expertFeatures[t * d + f] as number) - mean) ** 2;
        const std = Math.max(Math.sqrt(v / this.L), MIN_FEATURE_STD);
        this.featureWeights[f] = 1 / (std * std);
      }
    }

    const { B, L, O } = this;
    this.obsRaw = new Float64Array(B * O);
    this.rewards = new Float64Array(B);
    this.returns = new Float64Array(B);
    this.features = new Float64Array(B * L * d);
    this.featureGrad = new Float64Array(B * L * d);
    this.nearest = new Int32Array(L);
  }

  /** One ILD iteration: rollouts from the expert's start, Chamfer loss, truncated backward pass, clipped Adam step. */
  iterate(progress: number): GradientIteration {
    const started = performance.now();
    const c = this.config;
    const lr = scheduledRate(c.learningRate, c.finalLearningRate, c.lrSchedule, progress);
    this.policy.zeroGrad();
    const loss = this.imitationLoss(true);
    const { gradNorm, stepped } = this.trainer.step(c.maxGradNorm, lr);
    this.iteration++;
    let meanReturn = 0;
    const episodes: EpisodeEnd[] = [];
    for (let w = 0; w < this.B; w++) {
      meanReturn += (this.returns[w] as number) / this.B;
      episodes.push({ return: this.returns[w] as number, length: this.L, envIndex: w, stepOffset: this.stepsPerIteration });
    }
    const metrics: UpdateMetrics = {
      policyLoss: loss,
      valueLoss: Number.NaN,
      entropy: this.policy.gaussianEntropy(),
      approxKl: Number.NaN,
      clipFraction: Number.NaN,
      explainedVariance: Number.NaN,
      gradNorm,
      learningRate: lr,
      clipRange: Number.NaN,
      epochs: 1,
      seconds: (performance.now() - started) / 1000,
      details: { chamfer: loss, chamferToExpert: this.lastToExpert, chamferFromExpert: this.lastFromExpert, rolloutReturn: meanReturn, stepSkipped: stepped ? 0 : 1 },
    };
    return { metrics, episodes };
  }

  /**
   * Rolls out B worlds from the expert's start and returns the mean Chamfer distance to the
   * expert; with `backward`, **adds** its (truncated, clipped) gradient to the policy's
   * `meanGrad`/`logStdGrad`. Draws the start noise and the action noise from the agent's
   * streams, so a restored state repeats the same rollouts.
   */
  imitationLoss(backward: boolean): number {
    const { B, L, O, diff, normalizer, trainer, window: win, featureSize: d } = this;
    const { data } = this.batch;
    const { nq, nv } = diff;
    const noise = this.startNoise;
    for (let w = 0; w < B; w++) {
      for (let i = 0; i < nq; i++) data.qpos[i * B + w] = (this.expert.states[i] as number) + this.startRng.uniformRange(-noise, noise);
      for (let i = 0; i < nv; i++) data.qvel[i * B + w] = (this.expert.states[nq + i] as number) + this.startRng.uniformRange(-noise, noise);
    }
    this.returns.fill(0);
    normalizer.freeze();
    win.begin();
    const trunc = this.config.truncation;
    for (let t = 0; t < L; t++) {
      diff.observe(data.qpos, data.qvel, B, this.obsRaw);
      normalizer.update(this.obsRaw, B);
      normalizer.normalize(this.obsRaw, B, trainer.obsNorm, t * B * O);
      const actions = trainer.actStep(t, data);
      win.step();
      diff.reward(trainer.qposBefore, data.qpos, data.qvel, actions, B, this.rewards);
      for (let w = 0; w < B; w++) {
        this.returns[w] = (this.returns[w] as number) + (this.rewards[w] as number);
        const o = (w * L + t) * d;
        for (let i = 1; i < nq; i++) this.features[o + i - 1] = data.qpos[i * B + w] as number;
        for (let i = 0; i < nv; i++) this.features[o + nq - 1 + i] = data.qvel[i * B + w] as number;
      }
      // ILD's stop_gradient every `truncation` steps: a cut without a reset.
      if ((t + 1) % trunc === 0 && t + 1 < L) for (let w = 0; w < B; w++) win.markReset(w);
    }
    this.featureGrad.fill(0);
    let loss = 0;
    let to = 0;
    let from = 0;
    for (let w = 0; w < B; w++) {
      const terms = chamferDistance(this.features, w * L * d, L, this.expertFeatures, L, d, this.featureWeights, this.nearest, backward ? this.featureGrad : null, 1 / B);
      // A world whose physics blew up gives a non-finite distance; it is left out (and its gradient zeroed).
      if (!Number.isFinite(terms.toExpert + terms.fromExpert)) {
        this.featureGrad.fill(0, w * L * d, (w + 1) * L * d);
        continue;
      }
      to += terms.toExpert / B;
      from += terms.fromExpert / B;
      loss += (terms.toExpert + terms.fromExpert) / B;
    }
    this.lastToExpert = to;
    this.lastFromExpert = from;
    if (backward) this.backward();
    return loss;
  }

  private backward(): void {
    const { B, L, nu, diff, trainer, window: win, featureSize: d } = this;
    const { nq, nv } = diff;
    const clip = this.config.cotangentClip;
    const trunc = this.config.truncation;
    win.backward({
      ...(clip !== null ? { clipNorm: clip } : {}),
      seed: (t, qposBar, qvelBar) => {
        for (let w = 0; w < B; w++) {
          const o = (w * L + t) * d;
          for (let i = 1; i < nq; i++) qposBar[i * B + w] = (qposBar[i * B + w] as number) + (this.featureGrad[o + i - 1] as number);
          for (let i = 0; i < nv; i++) qvelBar[i * B + w] = (qvelBar[i * B + w] as number) + (this.featureGrad[o + nq - 1 + i] as number);
        }
      },
      onStep: (t, ctrlBar, qposBar, qvelBar) => {
        const actionsBar = trainer.gatherActionsBar(ctrlBar);
        if (clip !== null) clipRows(actionsBar, B, nu, clip);
        // The state before a cut (or the rollout's start) gets no cotangent: skip computing it.
        trainer.backwardStep(t, t % trunc !== 0, qposBar, qvelBar);
      },
    });
  }

  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    return this.trainer.act(observations, n, deterministic, sampler);
  }

  getState(): IldAgentState {
    const p = this.trainer.getState();
    // Field order of the checkpoints written before the trainer was shared.
    return { policy: p.policy, adam: p.adam, observationRms: p.observationRms, noise: p.noise, start: this.startRng.getState(), act: p.act, iteration: this.iteration };
  }

  setState(state: unknown): void {
    const s = state as IldAgentState;
    this.trainer.setState(s);
    this.startRng = Rng.fromState(s.start);
    this.iteration = s.iteration;
  }

  /** ILD keeps no worlds between iterations (each starts at the expert's first state). */
  getEnvSnapshot(): null {
    return null;
  }

  setEnvSnapshot(_snapshot: unknown): void {}

  restartEpisodes(_seed: string): void {}
}

/** The expert named by the config, or the env's bundled one. */
function loadExpert(config: IldConfig): ExpertTrajectory {
  const file = config.expert ?? bundledExpertPath(config.env);
  if (file === null) throw new ConfigError(`ILD: no expert trajectory bundled for ${config.env}; record one (bench/apg-ild-expert.ts) and pass --expert FILE`);
  const expert = readExpertTrajectory(file);
  if (expert.env !== config.env) throw new ConfigError(`ILD: ${file} was recorded on ${expert.env}, not ${config.env}`);
  return expert;
}

/** Scales each of the `rows` rows of `a` (width `width`) to Euclidean norm ≤ `max`. */
function clipRows(a: Float64Array, rows: number, width: number, max: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < width; j++) s += (a[r * width + j] as number) ** 2;
    const norm = Math.sqrt(s);
    if (!(norm > max)) continue;
    const f = max / norm;
    for (let j = 0; j < width; j++) a[r * width + j] = (a[r * width + j] as number) * f;
  }
}
