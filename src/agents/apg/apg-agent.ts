/**
 * APG: Short-Horizon Actor-Critic (SHAC, Xu et al. ICLR 2022) on rxrl's differentiable physics.
 *
 * Each iteration runs one window of h steps in B worlds from where the previous window left
 * them, then differentiates the actor loss through the window:
 *
 *     L(θ) = −1/(B·h) · Σ_w Σ_segments [ Σ_k γ^k r_k + γ^len · V_target(o_end) ]
 *
 * where a segment is the part of a world's trajectory inside the window between episode ends:
 * the discount restarts after every end, a terminated episode adds no value, an episode cut by
 * the time limit or by the window's end adds the target critic's value of its final
 * observation. Gradients are cut at resets (`Rollout.markReset`) and at window ends. The
 * actor's gradient is clipped to `maxGradNorm` and applied with Adam; then the critic fits the
 * window's TD(λ) targets for `criticIterations` passes and the target critic is soft-updated.
 * Observations are normalised by running statistics frozen for the window (see
 * {@link WindowNormalizer}). Reference: NVlabs/DiffRL `algorithms/shac.py`.
 *
 * Backward pass per step t (from the last step back), through the rollout's hooks:
 * - seed(t): ∂L/∂s_{t+1} of r_t (the forward-velocity term) and of the value terms at s_{t+1};
 * - the physics VJP of step t gives ∂L/∂a_t and ∂L/∂s_t;
 * - onStep(t): add ∂r_t/∂a_t (control cost) and ∂r_t/∂s_t, take ∂L/∂a_t through the policy
 *   (accumulating its parameter gradient) and add (∂π/∂s_t)ᵀ·ā_t to ∂L/∂s_t.
 * @module
 */

import { explainedVariance } from '../../algorithms/explained-variance.js';
import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { RunningMeanStdState } from '../../envs/wrappers/running-mean-std.js';
import type { ActOutput } from '../../loop/agent.js';
import type { UpdateMetrics } from '../../loop/events.js';
import { Adam, clipGradNorm, type AdamState } from '../../nn/fast/index.js';
import { Rollout } from '../../physics/index.js';
import { trainingContactOptions, type ApgConfig } from './apg-config.js';
import type { EpisodeEnd, GradientAgent, GradientIteration } from './gradient-agent.js';
import { differentiableTask, LocomotionWorlds, registeredTimeLimit, type LocomotionWorldsSnapshot } from './locomotion-worlds.js';
import { PolicyActor } from './policy-actor.js';
import { ShacCritic, type ShacCriticState } from './shac-critic.js';
import { SquashedGaussianPolicy, type SquashedGaussianPolicyState } from './squashed-gaussian.js';
import { stepViews } from './step-views.js';
import { tdLambdaTargets } from './td-lambda.js';
import { WindowNormalizer } from './window-normalizer.js';

/** Everything of an {@link ApgAgent} but its training worlds (see {@link ApgAgent.getEnvSnapshot}). */
export interface ApgAgentState {
  readonly policy: SquashedGaussianPolicyState;
  readonly actorAdam: { readonly mean: AdamState; readonly logStd: AdamState };
  readonly critic: ShacCriticState;
  readonly observationRms: RunningMeanStdState;
  readonly noise: RngState;
  readonly act: RngState;
  readonly iteration: number;
}

/** SHAC's actor-critic over B differentiable training worlds. */
export class ApgAgent implements GradientAgent {
  readonly config: ApgConfig;
  readonly worlds: LocomotionWorlds;
  readonly policy: SquashedGaussianPolicy;
  readonly critic: ShacCritic;
  readonly normalizer: WindowNormalizer;
  readonly stepsPerIteration: number;
  /** Time limit of the training worlds' episodes. */
  readonly maxEpisodeSteps: number;
  /** The differentiable window over the worlds' physics. */
  readonly window: Rollout;
  private readonly actor: PolicyActor;
  private readonly meanAdam: Adam;
  private readonly logStdAdam: Adam;
  private noiseRng: Rng;
  private iteration = 0;

  private readonly B: number;
  private readonly T: number;
  private readonly O: number;
  private readonly nu: number;
  // Window buffers, step-major: step t's block starts at t·(block size).
  private readonly obsRaw: Float64Array;
  private readonly obsNorm: Float64Array;
  private readonly nextObsNorm: Float64Array;
  private readonly qposBefore: Float64Array;
  private readonly qvelBefore: Float64Array;
  private readonly eps: Float64Array;
  private readonly squashed: Float64Array;
  private readonly actions: Float64Array;
  private readonly rewards: Float64Array;
  private readonly rewardCoef: Float64Array;
  private readonly valueCoef: Float64Array;
  private readonly nextValues: Float64Array;
  private readonly dones: Float64Array;
  private readonly targets: Float64Array;
  private readonly predicted: Float64Array;
  private readonly gammaPow: Float64Array;
  private readonly values: Float64Array;
  private readonly actionsBar: Float64Array;
  private readonly scratch: Float64Array;
  private episodes: EpisodeEnd[] = [];
  // Per-step views of the buffers above (see stepViews).
  private readonly obsNormAt: readonly Float64Array[];
  private readonly nextObsNormAt: readonly Float64Array[];
  private readonly qvelBeforeAt: readonly Float64Array[];
  private readonly epsAt: readonly Float64Array[];
  private readonly squashedAt: readonly Float64Array[];
  private readonly actionsAt: readonly Float64Array[];
  private readonly rewardsAt: readonly Float64Array[];
  private readonly rewardCoefAt: readonly Float64Array[];
  private readonly valueCoefAt: readonly Float64Array[];

  /**
   * @param config a resolved APG configuration (its env must be an rxrl locomotion env).
   * @param seed the run's seed: every random stream (weights, noise, resets, evaluation sampling) derives from it.
   */
  constructor(config: ApgConfig, seed: number | string = config.seed) {
    this.config = config;
    if (!(config.tdLambda < 1)) throw new ConfigError('APG: tdLambda must be < 1 (SHAC divides by 1 − λ)');
    const task = differentiableTask(config.env, 'APG');
    const rng = new Rng(seed).split('apg');
    this.B = config.numEnvs;
    this.T = config.horizon;
    this.worlds = new LocomotionWorlds(task, this.B, rng.split('worlds').key, trainingContactOptions(config.trainingContact));
    const { batch, diff } = this.worlds;
    this.O = diff.observationSize;
    this.nu = diff.nu;
    this.maxEpisodeSteps = config.maxEpisodeSteps ?? registeredTimeLimit(config.env);
    this.stepsPerIteration = this.B * this.T;
    this.window = new Rollout(batch.model, batch.data, { horizon: this.T, substeps: batch.settings.frameSkip });
    this.policy = new SquashedGaussianPolicy({
      observationSize: this.O,
      low: Array.from(batch.actionSpace.low),
      high: Array.from(batch.actionSpace.high),
      hidden: config.policy.hidden,
      activation: config.policy.activation,
      logStdInit: config.policy.logStdInit,
      rng: rng.split('actor'),
    });
    this.critic = new ShacCritic({ observationSize: this.O, hidden: config.critic.hidden, activation: config.critic.activation, betas: config.betas, rng: rng.split('critic') });
    this.normalizer = new WindowNormalizer(this.O, config.observationRms);
    this.meanAdam = new Adam(this.policy.net.paramCount, { beta1: config.betas[0], beta2: config.betas[1] });
    this.logStdAdam = new Adam(this.nu, { beta1: config.betas[0], beta2: config.betas[1] });
    this.noiseRng = rng.split('noise');
    this.actor = new PolicyActor(this.policy, this.normalizer, this.critic, rng.split('act'));

    const { B, T, O, nu } = this;
    const { nq, nv } = diff;
    this.obsRaw = new Float64Array(B * O);
    this.obsNorm = new Float64Array((T + 1) * B * O);
    this.nextObsNorm = new Float64Array(T * B * O);
    this.qposBefore = new Float64Array(nq * B);
    this.qvelBefore = new Float64Array(T * nv * B);
    this.eps = new Float64Array(T * B * nu);
    this.squashed = new Float64Array(T * B * nu);
    this.actions = new Float64Array(T * B * nu);
    this.rewards = new Float64Array(T * B);
    this.rewardCoef = new Float64Array(T * B);
    this.valueCoef = new Float64Array(T * B);
    this.nextValues = new Float64Array(T * B);
    this.dones = new Float64Array(T * B);
    this.targets = new Float64Array(T * B);
    this.predicted = new Float64Array(T * B);
    this.gammaPow = new Float64Array(B);
    this.values = new Float64Array(B);
    this.actionsBar = new Float64Array(B * nu);
    this.scratch = new Float64Array(Math.max(3 * B, B * O));
    this.obsNormAt = stepViews(this.obsNorm, B * O, T + 1);
    this.nextObsNormAt = stepViews(this.nextObsNorm, B * O, T);
    this.qvelBeforeAt = stepViews(this.qvelBefore, nv * B, T);
    this.epsAt = stepViews(this.eps, B * nu, T);
    this.squashedAt = stepViews(this.squashed, B * nu, T);
    this.actionsAt = stepViews(this.actions, B * nu, T);
    this.rewardsAt = stepViews(this.rewards, B, T);
    this.rewardCoefAt = stepViews(this.rewardCoef, B, T);
    this.valueCoefAt = stepViews(this.valueCoef, B, T);
  }

  /**
   * One SHAC iteration: the actor's window (forward and backward), a clipped Adam step of the
   * actor, the critic's fit on the window's TD(λ) targets, the target critic's soft update.
   */
  iterate(progress: number): GradientIteration {
    const started = performance.now();
    const c = this.config;
    const lrScale = c.lrSchedule === 'linear' ? Math.min(1, Math.max(0, progress)) : 0;
    const actorLr = c.actorLearningRate + (c.finalLearningRate - c.actorLearningRate) * lrScale;
    const criticLr = c.criticLearningRate + (c.finalLearningRate - c.criticLearningRate) * lrScale;

    this.policy.zeroGrad();
    const loss = this.actorWindow(true);
    const gradNorm = clipGradNorm([this.policy.meanGrad, this.policy.logStdGrad], c.maxGradNorm);
    // SHAC stops on a NaN gradient; skipping the step keeps a long run alive through one bad window.
    const stepped = Number.isFinite(gradNorm);
    if (stepped) {
      this.meanAdam.step(this.policy.net.params, this.policy.meanGrad, actorLr);
      this.logStdAdam.step(this.policy.logStd, this.policy.logStdGrad, actorLr);
    }

    const { B, T } = this;
    tdLambdaTargets(this.rewards, this.nextValues, this.dones, T, B, c.gamma, c.tdLambda, this.targets, this.scratch);
    const obs = this.obsNorm.subarray(0, T * B * this.O);
    this.critic.values(obs, T * B, this.predicted);
    const ev = explainedVariance(this.predicted, this.targets);
    const fit = this.critic.fit(obs, this.targets, T * B, c.criticIterations, c.criticMinibatches, criticLr, c.maxGradNorm);
    this.critic.softUpdate(c.targetCriticAlpha);
    this.iteration++;

    let rewardSum = 0;
    for (let i = 0; i < T * B; i++) rewardSum += this.rewards[i] as number;
    const metrics: UpdateMetrics = {
      policyLoss: loss,
      valueLoss: fit.loss,
      entropy: this.policy.gaussianEntropy(),
      approxKl: Number.NaN,
      clipFraction: Number.NaN,
      explainedVariance: ev,
      gradNorm,
      learningRate: actorLr,
      clipRange: Number.NaN,
      epochs: c.criticIterations,
      seconds: (performance.now() - started) / 1000,
      details: { criticLearningRate: criticLr, criticGradNorm: fit.gradNorm, meanReward: rewardSum / (T * B), actorStepSkipped: stepped ? 0 : 1 },
    };
    const episodes = this.episodes;
    this.episodes = [];
    return { metrics, episodes };
  }

  /**
   * Runs one window of the actor from the worlds' current state (advancing them, resetting
   * finished episodes, updating the observation statistics) and returns the actor loss. With
   * `backward`, **adds** its gradient to the policy's `meanGrad`/`logStdGrad`.
   */
  actorWindow(backward: boolean): number {
    const { B, T, O, nu, worlds, normalizer, window: win } = this;
    const { diff, batch } = worlds;
    const { data } = batch;
    const { nq, nv } = diff;
    const gamma = this.config.gamma;
    const scale = 1 / (B * T);
    let loss = 0;

    normalizer.freeze();
    diff.observe(data.qpos, data.qvel, B, this.obsRaw);
    normalizer.update(this.obsRaw, B);
    normalizer.normalize(this.obsRaw, B, this.obsNorm, 0);
    this.gammaPow.fill(1);
    win.begin();
    for (let t = 0; t < T; t++) {
      const eps = this.epsAt[t] as Float64Array;
      const actions = this.actionsAt[t] as Float64Array;
      for (let i = 0; i < B * nu; i++) eps[i] = this.noiseRng.normal();
      this.policy.act(this.obsNormAt[t] as Float64Array, B, eps, this.squashedAt[t] as Float64Array, actions);
      for (let w = 0; w < B; w++) for (let u = 0; u < nu; u++) data.ctrl[u * B + w] = actions[w * nu + u] as number;
      this.qposBefore.set(data.qpos);
      (this.qvelBeforeAt[t] as Float64Array).set(data.qvel);
      win.step();

      // Rewards, ends and values at the state after the step, before any reset.
      const r0 = t * B;
      const rewards = this.rewardsAt[t] as Float64Array;
      diff.reward(this.qposBefore, data.qpos, data.qvel, actions, B, rewards);
      diff.observe(data.qpos, data.qvel, B, this.obsRaw);
      const next = this.nextObsNormAt[t] as Float64Array;
      normalizer.normalize(this.obsRaw, B, next, 0);
      this.critic.targetValues(next, B, this.values);
      for (let w = 0; w < B; w++) {
        const k = r0 + w;
        const finite = isFiniteWorld(data.qpos, data.qvel, nq, nv, B, w) && Number.isFinite(rewards[w] as number);
        // A world whose physics blew up ends like a terminated one and contributes nothing.
        if (!finite) rewards[w] = 0;
        const terminated = !finite || diff.isTerminated(data.qpos, data.qvel, B, w);
        const count = (worlds.stepCounts[w] as number) + 1;
        const truncated = count >= this.maxEpisodeSteps;
        const done = terminated || truncated;
        const g = this.gammaPow[w] as number;
        const rc = finite ? -g * scale : 0;
        this.rewardCoef[k] = rc;
        loss += rc * (rewards[w] as number);
        this.nextValues[k] = terminated ? 0 : (this.values[w] as number);
        const vc = (done || t === T - 1) && !terminated ? -g * gamma * scale : 0;
        this.valueCoef[k] = vc;
        if (vc !== 0) loss += vc * (this.values[w] as number);
        this.dones[k] = done || t === T - 1 ? 1 : 0;
        this.gammaPow[w] = done ? 1 : g * gamma;
        worlds.episodeReturns[w] = (worlds.episodeReturns[w] as number) + (rewards[w] as number);
        worlds.stepCounts[w] = count;
        if (done) {
          this.episodes.push({ return: worlds.episodeReturns[w] as number, length: count, envIndex: w, stepOffset: (t + 1) * B });
          worlds.resetWorld(w);
          win.markReset(w);
        }
      }
      diff.observe(data.qpos, data.qvel, B, this.obsRaw);
      normalizer.update(this.obsRaw, B);
      normalizer.normalize(this.obsRaw, B, this.obsNorm, (t + 1) * B * O);
    }
    if (backward) this.actorBackward();
    return loss;
  }

  /** The backward pass of {@link ApgAgent.actorWindow} (see the module notes). */
  private actorBackward(): void {
    const { B, nu, worlds, normalizer, window: win } = this;
    const { diff } = worlds;
    const actionsBar = this.actionsBar;
    win.backward({
      seed: (t, qposBar, qvelBar) => {
        diff.rewardVjp(this.actionsAt[t] as Float64Array, B, this.rewardCoefAt[t] as Float64Array, null, qposBar, null);
        const coef = this.valueCoefAt[t] as Float64Array;
        if (allZero(coef)) return;
        const gObs = this.critic.targetInputGrad(this.nextObsNormAt[t] as Float64Array, B, coef);
        const g = this.scratch;
        g.set(gObs);
        normalizer.backward(g, B);
        diff.observeVjp(win.qvelAfterSteps[t] as Float64Array, B, g, qposBar, qvelBar);
      },
      onStep: (t, ctrlBar, qposBar, qvelBar) => {
        for (let w = 0; w < B; w++) for (let u = 0; u < nu; u++) actionsBar[w * nu + u] = ctrlBar[u * B + w] as number;
        diff.rewardVjp(this.actionsAt[t] as Float64Array, B, this.rewardCoefAt[t] as Float64Array, qposBar, null, actionsBar);
        // The state before the window's first step is a constant: no need for its cotangent.
        const needInput = t > 0;
        const gObs = this.policy.backward(this.obsNormAt[t] as Float64Array, B, this.epsAt[t] as Float64Array, this.squashedAt[t] as Float64Array, actionsBar, needInput);
        if (gObs === null) return;
        const g = this.scratch;
        g.set(gObs);
        normalizer.backward(g, B);
        diff.observeVjp(this.qvelBeforeAt[t] as Float64Array, B, g, qposBar, qvelBar);
      },
    });
  }

  /** Episodes that ended in windows run since the last {@link ApgAgent.iterate} (which hands them over and clears them). */
  get pendingEpisodes(): readonly EpisodeEnd[] {
    return this.episodes;
  }

  act(observations: Float32Array, n: number, deterministic: boolean): ActOutput {
    return this.actor.act(observations, n, deterministic);
  }

  getState(): ApgAgentState {
    return {
      policy: this.policy.getState(),
      actorAdam: { mean: this.meanAdam.getState(), logStd: this.logStdAdam.getState() },
      critic: this.critic.getState(),
      observationRms: this.normalizer.getState(),
      noise: this.noiseRng.getState(),
      act: this.actor.getRngState(),
      iteration: this.iteration,
    };
  }

  setState(state: unknown): void {
    const s = state as ApgAgentState;
    this.policy.setState(s.policy);
    this.meanAdam.setState(s.actorAdam.mean);
    this.logStdAdam.setState(s.actorAdam.logStd);
    this.critic.setState(s.critic);
    this.normalizer.setState(s.observationRms);
    this.noiseRng = Rng.fromState(s.noise);
    this.actor.setRngState(s.act);
    this.iteration = s.iteration;
  }

  getEnvSnapshot(): LocomotionWorldsSnapshot {
    return this.worlds.getSnapshot();
  }

  setEnvSnapshot(snapshot: unknown): void {
    this.worlds.setSnapshot(snapshot as LocomotionWorldsSnapshot);
  }

  restartEpisodes(seed: string): void {
    this.worlds.restart(seed);
  }
}

function allZero(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

/** Whether every qpos and qvel entry of world w is finite. */
function isFiniteWorld(qpos: Float64Array, qvel: Float64Array, nq: number, nv: number, B: number, w: number): boolean {
  for (let i = 0; i < nq; i++) if (!Number.isFinite(qpos[i * B + w] as number)) return false;
  for (let i = 0; i < nv; i++) if (!Number.isFinite(qvel[i * B + w] as number)) return false;
  return true;
}
