import { normalizeInPlace } from '../algorithms/gae.js';
import { policyGradientLoss } from '../algorithms/policy-gradient-loss.js';
import type { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { ActOutput } from '../loop/agent.js';
import type { UpdateMetrics } from '../loop/events.js';
import type { A2cConfig, ReinforceConfig } from './a2c-config.js';
import { ActorCriticAgent } from './actor-critic-agent.js';
import { ActorCritic, networkOptions, type ActorCriticState } from './actor-critic.js';
import type { EngineFactory } from './engines/engine.js';
import { scheduleValue } from './schedule.js';

/** Checkpointed state of an {@link A2cAgent}. */
export interface A2cAgentState {
  readonly network: ActorCriticState;
}

/**
 * A2C (Mnih et al. 2016, synchronous, as SB3's `A2C`) and REINFORCE (Williams 1992), one
 * agent: each rollout of `nSteps` × N steps is one batch and one gradient step (RMSprop by
 * default for A2C, Adam for REINFORCE) on
 * L = −mean(A·log π(a|s)) + c_v·mean((V − R)²) − c_e·mean(H), with a global grad-norm clip.
 * The rollout, the bootstrapping of truncated episodes and GAE are the shared loop's.
 *
 * What the advantages are:
 * - A2C: the loop's GAE with SB3's λ = 1, i.e. A = R − V with R the n-step return
 *   r_t + γ r_{t+1} + … + γ^k V(s_{t+k}) up to the rollout end (or the episode end).
 * - REINFORCE with `useBaseline`: the same with λ = 1 over long rollouts: R is the discounted
 *   Monte-Carlo return to the episode's end — except for an episode still running when the
 *   rollout ends (or cut by a time limit), whose tail is bootstrapped with V.
 * - REINFORCE without a baseline: the critic is not used at all — the agent reports V ≡ 0 to
 *   the loop, so GAE(λ = 1) yields A = R = the discounted return to the episode's end, or to the
 *   rollout's end with nothing added for an episode still running (its remaining rewards are
 *   lost: the honest, biased cut of a fixed-length rollout). The value loss is 0·mean(R²).
 */
export class A2cAgent extends ActorCriticAgent {
  override readonly net: ActorCritic;
  /** REINFORCE without a baseline: V ≡ 0 and the critic is never trained. */
  private readonly noBaseline: boolean;
  private readonly zeros: Float64Array;
  private readonly batch: {
    advantages: Float64Array;
    gradValues: Float64Array;
    gradPolicy: Float64Array;
    gradLogStd: Float64Array;
    scratchLogp: Float64Array;
  };

  constructor(
    readonly config: A2cConfig | ReinforceConfig,
    observationSize: number,
    actionSpace: Box | Discrete,
    rng: Rng,
    engine?: EngineFactory,
  ) {
    super();
    this.net = new ActorCritic({ ...networkOptions(config, observationSize, actionSpace, engine), adamEps: config.optimizerEps, ...(config.optimizer === 'rmsprop' ? { optimizer: { kind: 'rmsprop' as const, alpha: config.rmsPropAlpha, eps: config.optimizerEps } } : {}) }, rng.split('network'));
    this.noBaseline = config.algo === 'reinforce' && !config.useBaseline;
    const B = config.nSteps * config.numEnvs;
    const out = this.net.policyOutputSize;
    this.zeros = new Float64Array(Math.max(B, config.numEnvs));
    this.batch = {
      advantages: new Float64Array(B),
      gradValues: new Float64Array(B),
      gradPolicy: new Float64Array(B * out),
      gradLogStd: new Float64Array(B * this.net.actionSize),
      scratchLogp: new Float64Array(B * out),
    };
  }

  override act(observations: Float32Array, n: number, deterministic: boolean): ActOutput {
    const out = this.net.act(observations, n, deterministic);
    if (this.noBaseline) out.values.fill(0);
    return out;
  }

  override predictValues(observations: Float32Array, n: number): Float64Array {
    return this.noBaseline ? this.zeros.subarray(0, n) : this.net.values(observations, n);
  }

  /** One gradient step on the whole rollout (SB3's A2C: a single batch, no epochs). */
  override train(buffer: RolloutBuffer, progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const { net, batch } = this;
    const learningRate = scheduleValue(c.learningRate, progress);
    const B = buffer.size;
    batch.advantages.set(buffer.advantages.subarray(0, B));
    if (c.normalizeAdvantage && B > 1) normalizeInPlace(batch.advantages, 0, B);
    const out = net.forwardTrain(buffer.observations, B);
    const head = net.policyHead(out, buffer.actions, { policy: batch.gradPolicy, logStd: batch.gradLogStd, logp: batch.scratchLogp });
    const values = this.noBaseline ? this.zeros : out.values;
    const vfCoef = this.noBaseline ? 0 : c.vfCoef;
    const m = policyGradientLoss(head, values, { size: B, advantages: batch.advantages, returns: buffer.returns }, { entCoef: c.entCoef, vfCoef }, batch.gradValues);
    net.backwardTrain(B, batch.gradPolicy, batch.gradLogStd, batch.gradValues);
    const gradNorm = net.applyGradients(c.maxGradNorm, learningRate);
    return {
      policyLoss: m.policyLoss,
      valueLoss: m.valueLoss,
      entropy: m.entropy,
      // No trust region: PPO's ratio diagnostics do not apply.
      approxKl: Number.NaN,
      clipFraction: Number.NaN,
      gradNorm,
      explainedVariance: Number.NaN,
      learningRate,
      clipRange: Number.NaN,
      epochs: 1,
      seconds: (performance.now() - started) / 1000,
    };
  }

  override getState(): A2cAgentState {
    return { network: this.net.getState() };
  }

  override setState(state: unknown): void {
    this.net.setState((state as A2cAgentState).network);
  }
}
