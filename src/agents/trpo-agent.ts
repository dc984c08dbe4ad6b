import { normalizeInPlace } from '../algorithms/gae.js';
import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead } from '../algorithms/policy-head.js';
import { backtrackingLineSearch, cgWork, conjugateGradient, trpoStepScale, type CgWork, type TrialResult } from '../algorithms/trpo.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { UpdateMetrics } from '../loop/events.js';
import { categorical, diagGaussian } from '../nn/distributions.js';
import type { AdamState } from '../nn/fast/adam.js';
import { ActorCriticAgent } from './actor-critic-agent.js';
import { ActorCritic, networkOptions, type ActorCriticState } from './actor-critic.js';
import type { EngineFactory } from './engines/engine.js';
import { actorCriticRanges, CriticFitter, paramSegment, type ActorCriticRanges } from './param-segments.js';
import { PolicyCurvature } from './policy-curvature.js';
import { scheduleValue } from './schedule.js';
import type { TrpoConfig } from './trpo-config.js';

/** Checkpointed state of a {@link TrpoAgent}. */
export interface TrpoAgentState {
  readonly network: ActorCriticState;
  readonly minibatchRng: RngState;
  readonly valueAdam: AdamState;
}

/**
 * Trust-region policy optimisation (Schulman et al. 2015; ALGORITHMS.md §2), as sb3-contrib's
 * `TRPO.train`. Each iteration, at θ_old:
 *
 * 1. g = ∇θ L with L(θ) = mean(ρ·A), ρ = π_θ(a|s)/π_θold(a|s) (advantages standardised once);
 * 2. x ≈ F̃⁻¹g by conjugate gradient on damped Fisher-vector products F̃v = F·v + c·v
 *    ({@link PolicyCurvature}: exact J ᵀ·M·J products, F = ∇²KL at θ_old);
 * 3. Δ = β·x with β = √(2δ / xᵀF̃x), the step whose quadratic KL model equals δ;
 * 4. backtracking: θ_old + s^j·Δ for j = 0 … J−1, accept the first with mean KL(π_old ‖ π_θ) ≤ δ
 *    and L(θ) ≥ L(θ_old); if none, θ_old is restored bit for bit;
 * 5. the critic is regressed on the returns by its own Adam (`nCriticUpdates` epochs of
 *    minibatches), separately from the policy step.
 */
export class TrpoAgent extends ActorCriticAgent {
  override readonly net: ActorCritic;
  private minibatchRng: Rng;
  private readonly ranges: ActorCriticRanges;
  private readonly critic: CriticFitter;
  private readonly curvature: PolicyCurvature;
  private readonly cg: CgWork;
  private readonly vec: { g: Float64Array; x: Float64Array; fx: Float64Array; step: Float64Array; old: Float64Array };
  private readonly batch: {
    advantages: Float64Array;
    zeroValues: Float64Array;
    gradPolicy: Float64Array;
    gradLogStd: Float64Array;
    scratchLogp: Float64Array;
    oldPolicy: Float64Array;
    oldLogStd: Float64Array;
    subObservations: Float32Array;
  };

  constructor(
    readonly config: TrpoConfig,
    observationSize: number,
    actionSpace: Box | Discrete,
    rng: Rng,
    engine?: EngineFactory,
    /** The line search (default {@link backtrackingLineSearch}); replaceable to exercise the failure path. */
    private readonly lineSearch: typeof backtrackingLineSearch = backtrackingLineSearch,
  ) {
    super();
    this.net = new ActorCritic({ ...networkOptions(config, observationSize, actionSpace, engine), adamEps: config.adamEps }, rng.split('network'));
    this.minibatchRng = rng.split('minibatch');
    const rolloutSize = config.nSteps * config.numEnvs;
    this.ranges = actorCriticRanges(this.net);
    this.critic = new CriticFitter(this.net, paramSegment(this.net, this.ranges.value, config.adamEps), rolloutSize, config.batchSize);
    this.curvature = PolicyCurvature.of(this.net);
    const P = this.net.params.length;
    this.cg = cgWork(P);
    this.vec = { g: new Float64Array(P), x: new Float64Array(P), fx: new Float64Array(P), step: new Float64Array(P), old: new Float64Array(P) };
    const out = this.net.policyOutputSize;
    const D = this.net.actionSize;
    this.batch = {
      advantages: new Float64Array(rolloutSize),
      zeroValues: new Float64Array(rolloutSize),
      gradPolicy: new Float64Array(rolloutSize * out),
      gradLogStd: new Float64Array(rolloutSize * D),
      scratchLogp: new Float64Array(rolloutSize * out),
      oldPolicy: new Float64Array(rolloutSize * out),
      oldLogStd: new Float64Array(rolloutSize * D),
      subObservations: new Float32Array(Math.ceil(rolloutSize / config.fvpSubsample) * observationSize),
    };
  }

  override train(buffer: RolloutBuffer, progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const { net, batch, vec } = this;
    const B = buffer.size;
    batch.advantages.set(buffer.advantages.subarray(0, B));
    if (c.normalizeAdvantage && B > 1) normalizeInPlace(batch.advantages, 0, B);

    // θ_old: its distribution on the rollout, L(θ_old) and g = ∇L (ρ = 1, so ∂L/∂log π = A/B).
    const atOld = net.forwardTrain(buffer.observations, B);
    const K = net.policyOutputSize;
    const D = net.actionSize;
    if (net.discrete) categorical.logSoftmax(atOld.policy, B, K, batch.oldPolicy);
    else batch.oldPolicy.set(atOld.policy.subarray(0, B * K));
    if (!net.discrete) batch.oldLogStd.set(atOld.logStd.subarray(0, B * D));
    const head = net.policyHead(atOld, buffer.actions, { policy: batch.gradPolicy, logStd: batch.gradLogStd, logp: batch.scratchLogp });
    prepareHead(head, B);
    let entropySum = 0;
    for (let b = 0; b < B; b++) {
      entropySum += headEntropy(head, b);
      accumulateHeadGrad(head, b, (batch.advantages[b] as number) / B, 0);
    }
    net.backwardTrain(B, batch.gradPolicy, batch.gradLogStd, batch.zeroValues);
    vec.g.set(net.grads);
    this.zeroCritic(vec.g);
    const baseline = this.evaluate(buffer, B);

    // Natural direction x ≈ F̃⁻¹g and the step Δ = βx to the trust-region boundary.
    let gg = 0;
    for (let i = 0; i < vec.g.length; i++) gg += (vec.g[i] as number) ** 2;
    let accepted = -1;
    let trials = 0;
    let cgIterations = 0;
    let result: TrialResult = baseline;
    if (gg > 1e-24) {
      const sub = this.fvpObservations(buffer, B);
      this.curvature.prepare(net.params, sub.observations, sub.count);
      const damped = (v: Float64Array, out: Float64Array) => {
        this.curvature.fisherVectorProduct(v, out);
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + c.cgDamping * (v[i] as number);
      };
      cgIterations = conjugateGradient(damped, vec.g, vec.x, c.cgMaxSteps, c.cgTolerance, this.cg).iterations;
      damped(vec.x, vec.fx);
      const beta = trpoStepScale(vec.x, vec.fx, c.targetKl);
      for (let i = 0; i < vec.x.length; i++) vec.step[i] = beta * (vec.x[i] as number);

      vec.old.set(net.params);
      const search = this.lineSearch(
        (scale) => {
          for (const [from, to] of this.ranges.policy) for (let i = from; i < to; i++) net.params[i] = (vec.old[i] as number) + scale * (vec.step[i] as number);
          net.engine.setParams(net.params);
          return this.evaluate(buffer, B);
        },
        baseline.objective,
        { maxKl: c.targetKl, shrink: c.lineSearchShrink, maxTrials: c.lineSearchMaxIter },
      );
      accepted = search.accepted;
      trials = search.trials;
      if (accepted < 0) {
        // Every trial failed: keep θ_old exactly.
        net.params.set(vec.old);
        net.engine.setParams(net.params);
      } else {
        result = search.last;
      }
    }

    const learningRate = scheduleValue(c.learningRate, progress);
    const valueLoss = this.critic.fit(buffer, this.minibatchRng, { epochs: c.nCriticUpdates, batchSize: c.batchSize, clipRangeVf: null, maxGradNorm: null, learningRate });
    return {
      policyLoss: -result.objective,
      valueLoss,
      entropy: entropySum / B,
      approxKl: accepted >= 0 ? result.kl : 0,
      clipFraction: Number.NaN,
      gradNorm: Math.sqrt(gg),
      explainedVariance: Number.NaN,
      learningRate,
      clipRange: Number.NaN,
      epochs: 1,
      seconds: (performance.now() - started) / 1000,
      details: { cgIterations, lineSearchTrials: trials, stepAccepted: accepted >= 0 ? 1 : 0 },
    };
  }

  /** L(θ) = mean(ρ·A) and the mean KL(π_old ‖ π_θ) of the current parameters on the rollout. */
  private evaluate(buffer: RolloutBuffer, B: number): TrialResult {
    const { net, batch } = this;
    const out = net.forwardTrain(buffer.observations, B);
    const head = net.policyHead(out, buffer.actions, { policy: batch.gradPolicy, logStd: batch.gradLogStd, logp: batch.scratchLogp });
    prepareHead(head, B);
    const K = net.policyOutputSize;
    let objective = 0;
    let kl = 0;
    for (let b = 0; b < B; b++) {
      objective += Math.exp(headLogProb(head, b) - (buffer.logProbs[b] as number)) * (batch.advantages[b] as number);
      kl += net.discrete ? categorical.klRow(batch.oldPolicy, batch.scratchLogp, b * K, K) : diagGaussian.klRow(batch.oldPolicy, batch.oldLogStd, out.policy, out.logStd, b * K, K);
    }
    return { objective: objective / B, kl: kl / B };
  }

  /** The observations the Fisher-vector products average over: every `fvpSubsample`-th sample. */
  private fvpObservations(buffer: RolloutBuffer, B: number): { observations: Float32Array; count: number } {
    const k = this.config.fvpSubsample;
    if (k === 1) return { observations: buffer.observations, count: B };
    const obsSize = buffer.shape.observationSize;
    let count = 0;
    for (let b = 0; b < B; b += k, count++) for (let j = 0; j < obsSize; j++) this.batch.subObservations[count * obsSize + j] = buffer.observations[b * obsSize + j] as number;
    return { observations: this.batch.subObservations, count };
  }

  private zeroCritic(v: Float64Array): void {
    v.fill(0, this.ranges.value[0], this.ranges.value[1]);
  }

  override getState(): TrpoAgentState {
    return { network: this.net.getState(), minibatchRng: this.minibatchRng.getState(), valueAdam: this.critic.segment.adam.getState() };
  }

  override setState(state: unknown): void {
    const s = state as TrpoAgentState;
    this.net.setState(s.network);
    this.minibatchRng = Rng.fromState(s.minibatchRng);
    this.critic.segment.adam.setState(s.valueAdam);
  }
}
