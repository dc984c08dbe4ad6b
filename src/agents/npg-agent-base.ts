import { countTrajectories, decaySchedule, l2Norm, momentumWeight, normalizedStep } from '../algorithms/normalized-pg.js';
import type { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { ActOutput } from '../loop/agent.js';
import type { UpdateMetrics } from '../loop/events.js';
import { ActorCriticAgent } from './actor-critic-agent.js';
import { ActorCritic, networkOptions, type ActorCriticState } from './actor-critic.js';
import type { EngineFactory } from './engines/engine.js';
import type { NormalizedPgConfig } from './npg-config.js';
import { PolicyCurvature } from './policy-curvature.js';

/** Checkpointed state shared by the normalised policy-gradient agents. */
export interface NormalizedPgAgentState {
  /** The network, whose `params` are the iterate θ_t (what evaluation, export and `rxrl eval` use). */
  readonly network: ActorCriticState;
  /** Iterations done (t of the next one). */
  readonly iteration: number;
  /** θ_{t−1}. */
  readonly previous: Float64Array;
  /** The momentum d. */
  readonly momentum: Float64Array;
  /** Where the next rollout is sampled (N-PG-IGT: θ̃_t; HARPG: θ̂_t). */
  readonly samplingPoint: Float64Array;
}

/** What a subclass reports about its momentum update. */
export type MomentumDetails = Readonly<Record<string, number>>;

/**
 * Base of N-PG-IGT and HARPG on the shared on-policy loop: value-free Monte-Carlo policy
 * gradients (the critic is never used or trained), a normalised step θ_{t+1} = θ_t + γ_t·d/‖d‖,
 * and a sampling point different from the iterate. Subclasses supply the momentum update and
 * the next sampling point.
 *
 * Which parameters act: the network holds the sampling point only between `startRollout()`
 * and the end of `train()`, and the iterate θ_t at every other time. The loop evaluates and
 * checkpoints only at iteration boundaries (after `train()`), so its deterministic evaluation,
 * `rxrl eval` and `rxrl export` see θ_t — the point the paper's guarantees are about — while the
 * training trajectories come from the sampling point, as the algorithms prescribe. This needs no
 * change to the loop.
 *
 * The gradient estimate of a rollout (GPOMDP-style, as specified): with R_t the discounted
 * reward-to-go within its episode (the loop's GAE with λ = 1 and V ≡ 0; a piece cut by the
 * rollout's end loses its tail) and K the number of trajectories (episode pieces) in the
 * rollout, g = (1/K)·∇_θ Σ_t R_t·log π(a_t|s_t): the mean of the per-trajectory estimates, so
 * that iterations with many short episodes and with one long one weigh alike in the momentum.
 */
export abstract class NormalizedPgAgent extends ActorCriticAgent {
  override readonly net: ActorCritic;
  protected readonly curvature: PolicyCurvature;
  /** θ_t, the iterate. */
  protected readonly iterate: Float64Array;
  /** θ_{t−1}. */
  protected readonly previous: Float64Array;
  protected readonly momentum: Float64Array;
  protected readonly sampling: Float64Array;
  /** The stochastic gradient g of the last rollout, at the sampling point. */
  protected readonly grad: Float64Array;
  /** Per-sample weights R_t / K of the gradient estimate. */
  protected readonly weights: Float64Array;
  protected iteration = 0;
  private zeros: Float64Array;

  constructor(
    readonly config: NormalizedPgConfig,
    observationSize: number,
    actionSpace: Box | Discrete,
    rng: Rng,
    engine?: EngineFactory,
  ) {
    super();
    // The same stream name as A2C/REINFORCE: a seed gives every one of them the same initial policy.
    this.net = new ActorCritic({ ...networkOptions(config, observationSize, actionSpace, engine), adamEps: 1e-5 }, rng.split('network'));
    this.curvature = PolicyCurvature.of(this.net);
    const P = this.net.params.length;
    this.iterate = this.net.params.slice();
    this.previous = this.net.params.slice();
    this.sampling = this.net.params.slice();
    this.momentum = new Float64Array(P);
    this.grad = new Float64Array(P);
    this.weights = new Float64Array(config.nSteps * config.numEnvs);
    this.zeros = new Float64Array(config.numEnvs);
  }

  /** Acts with the network's current parameters; the critic is not used, so the values are 0. */
  override act(observations: Float32Array, n: number, deterministic: boolean): ActOutput {
    const out = this.net.act(observations, n, deterministic);
    out.values.fill(0);
    return out;
  }

  /** V ≡ 0: the loop's GAE(λ = 1) then yields the Monte-Carlo returns, and truncations add nothing. */
  override predictValues(_observations: Float32Array, n: number): Float64Array {
    if (this.zeros.length < n) this.zeros = new Float64Array(n);
    return this.zeros.subarray(0, n);
  }

  /** Puts the sampling point into the network for the rollout. */
  override startRollout(): void {
    this.setNetworkParams(this.sampling);
    super.startRollout();
  }

  /**
   * The momentum update of iteration t = {@link iteration}: `grad` holds g at the sampling point
   * (the curvature is prepared there, with `weights`); write the new d into `momentum`.
   */
  protected abstract updateMomentum(buffer: RolloutBuffer, scale: number, eta: number): MomentumDetails;

  /** Writes the next rollout's sampling point into `sampling`, once `iterate` = θ_{t+1} and `previous` = θ_t. */
  protected abstract nextSamplingPoint(): MomentumDetails;

  /** One iteration: g at the sampling point, the momentum update, the normalised step, the next sampling point. */
  override train(buffer: RolloutBuffer, _progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const B = buffer.size;
    const { numSteps, numEnvs } = buffer.shape;
    const trajectories = countTrajectories(numSteps, numEnvs, buffer.episodeEnds);
    const scale = 1 / trajectories;
    let surrogate = 0;
    for (let b = 0; b < B; b++) {
      const w = scale * (buffer.returns[b] as number);
      this.weights[b] = w;
      surrogate += w * (buffer.logProbs[b] as number);
    }
    this.curvature.prepare(this.sampling, buffer.observations, B);
    this.curvature.logProbGradient(this.weights, buffer.actions, this.grad);
    const t = this.iteration;
    const eta = momentumWeight(c.eta, c.etaPower, t);
    const stepSize = decaySchedule(c.stepSize, c.stepSizePower, t);
    const details = this.updateMomentum(buffer, scale, eta);
    this.previous.set(this.iterate);
    const momentumNorm = normalizedStep(this.iterate, this.momentum, stepSize, this.iterate);
    this.iteration++;
    const samplingDetails = this.nextSamplingPoint();
    this.setNetworkParams(this.iterate);
    return {
      // −(1/K)·Σ R·log π: the surrogate whose gradient is −g.
      policyLoss: -surrogate,
      valueLoss: Number.NaN,
      entropy: Number.NaN,
      approxKl: Number.NaN,
      clipFraction: Number.NaN,
      gradNorm: l2Norm(this.grad),
      explainedVariance: Number.NaN,
      learningRate: stepSize,
      clipRange: Number.NaN,
      epochs: 1,
      seconds: (performance.now() - started) / 1000,
      details: { eta, stepSize, momentumNorm, trajectories, ...details, ...samplingDetails },
    };
  }

  private setNetworkParams(params: Float64Array): void {
    this.net.params.set(params);
    this.net.engine.setParams(this.net.params);
  }

  override getState(): NormalizedPgAgentState {
    return {
      network: { ...this.net.getState(), params: this.iterate.slice() },
      iteration: this.iteration,
      previous: this.previous.slice(),
      momentum: this.momentum.slice(),
      samplingPoint: this.sampling.slice(),
    };
  }

  override setState(state: unknown): void {
    const s = state as NormalizedPgAgentState;
    this.net.setState(s.network);
    this.iterate.set(s.network.params);
    this.previous.set(s.previous);
    this.momentum.set(s.momentum);
    this.sampling.set(s.samplingPoint);
    this.iteration = s.iteration;
  }
}
