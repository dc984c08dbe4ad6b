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
import type { ActOutput } from '../../loop/agent.js';
import type { UpdateMetrics } from '../../loop/events.js';
import type { DifferentiableWindow } from '../../envs/differentiable-task.js';
import { trainingContactOptions, type ApgConfig } from './apg-config.js';
import type { EpisodeEnd, GradientAgent, GradientIteration } from './gradient-agent.js';
import { registeredTimeLimit } from './locomotion-worlds.js';
import { createTrainingWorlds, type TrainingWorlds } from './training-worlds.js';
import { ShacCritic, type ShacCriticState } from './shac-critic.js';
import type { SquashedGaussianPolicy } from './squashed-gaussian.js';
import { stepViews } from './step-views.js';
import { tdLambdaTargets } from './td-lambda.js';
import { scheduledRate, TrainablePolicy, type TrainablePolicyState } from './trainable-policy.js';
import type { WindowNormalizer } from './window-normalizer.js';

/** Everything of an {@link ApgAgent} but its training worlds (see {@link ApgAgent.getEnvSnapshot}). */
export interface ApgAgentState {
  readonly policy: TrainablePolicyState['policy'];
  readonly actorAdam: TrainablePolicyState['adam'];
  readonly critic: ShacCriticState;
  readonly observationRms: TrainablePolicyState['observationRms'];
  readonly noise: RngState;
  readonly act: RngState;
  readonly iteration: number;
}

/** SHAC's actor-critic over B differentiable training worlds. */
export class ApgAgent implements GradientAgent {
  readonly config: ApgConfig;
  readonly worlds: TrainingWorlds;
  readonly policy: SquashedGaussianPolicy;
  readonly critic: ShacCritic;
  readonly normalizer: WindowNormalizer;
  readonly stepsPerIteration: number;
  /** Time limit of the training worlds' episodes. */
  readonly maxEpisodeSteps: number;
  /** The differentiable window over the worlds (the physics `Rollout` for locomotion tasks). */
  readonly window: DifferentiableWindow;
  /** The policy with its optimisers, noise and per-step window buffers. */
  private readonly trainer: TrainablePolicy;
  private iteration = 0;

  private readonly B: number;
  private readonly T: number;
  private readonly O: number;
  // Window buffers, step-major: step t's block starts at t·(block size).
  private readonly obsRaw: Float64Array;
  private readonly nextObsNorm: Float64Array;
  private readonly rewards: Float64Array;
  private readonly rewardCoef: Float64Array;
  private readonly valueCoef: Float64Array;
  private readonly nextValues: Float64Array;
  private readonly dones: Float64Array;
  private readonly targets: Float64Array;
  private readonly predicted: Float64Array;
  private readonly gammaPow: Float64Array;
  private readonly values: Float64Array;
  private readonly scratch: Float64Array;
  private episodes: EpisodeEnd[] = [];
  // Per-step views of the buffers above (see stepViews).
  private readonly nextObsNormAt: readonly Float64Array[];
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
    const rng = new Rng(seed).split('apg');
    this.B = config.numEnvs;
    this.T = config.horizon;
    this.worlds = createTrainingWorlds(config.env, 'APG', this.B, rng.split('worlds').key, trainingContactOptions(config.trainingContact), config.envKwargs);
    const { diff } = this.worlds;
    this.O = diff.observationSize;
    this.maxEpisodeSteps = config.maxEpisodeSteps ?? registeredTimeLimit(config.env);
    this.stepsPerIteration = this.B * this.T;
    this.window = this.worlds.createWindow(this.T);
    this.critic = new ShacCritic({ observationSize: this.O, hidden: config.critic.hidden, activation: config.critic.activation, betas: config.betas, rng: rng.split('critic') });
    // One more observation block than steps: the window's last observation starts the next window.
    this.trainer = new TrainablePolicy({
      diff,
      low: this.worlds.actionLow,
      high: this.worlds.actionHigh,
      numWorlds: this.B,
      steps: this.T,
      observationSteps: this.T + 1,
      policy: config.policy,
      observationRms: config.observationRms,
      betas: config.betas,
      critic: this.critic,
      rng,
    });
    this.policy = this.trainer.policy;
    this.normalizer = this.trainer.normalizer;

    const { B, T, O } = this;
    this.obsRaw = new Float64Array(B * O);
    this.nextObsNorm = new Float64Array(T * B * O);
    this.rewards = new Float64Array(T * B);
    this.rewardCoef = new Float64Array(T * B);
    this.valueCoef = new Float64Array(T * B);
    this.nextValues = new Float64Array(T * B);
    this.dones = new Float64Array(T * B);
    this.targets = new Float64Array(T * B);
    this.predicted = new Float64Array(T * B);
    this.gammaPow = new Float64Array(B);
    this.values = new Float64Array(B);
    this.scratch = new Float64Array(Math.max(3 * B, B * O));
    this.nextObsNormAt = stepViews(this.nextObsNorm, B * O, T);
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
    const actorLr = scheduledRate(c.actorLearningRate, c.finalLearningRate, c.lrSchedule, progress);
    const criticLr = scheduledRate(c.criticLearningRate, c.finalLearningRate, c.lrSchedule, progress);

    this.policy.zeroGrad();
    const loss = this.actorWindow(true);
    // SHAC stops on a NaN gradient; the trainer skips the step instead, keeping a long run alive through one bad window.
    const { gradNorm, stepped } = this.trainer.step(c.maxGradNorm, actorLr);

    const { B, T } = this;
    tdLambdaTargets(this.rewards, this.nextValues, this.dones, T, B, c.gamma, c.tdLambda, this.targets, this.scratch);
    const obs = this.trainer.obsNorm.subarray(0, T * B * this.O);
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
    const { B, T, O, worlds, normalizer, trainer, window: win } = this;
    const { diff, data } = worlds;
    const { nq, nv } = diff;
    const gamma = this.config.gamma;
    const scale = 1 / (B * T);
    let loss = 0;

    normalizer.freeze();
    diff.observe(data.qpos, data.qvel, B, this.obsRaw);
    normalizer.update(this.obsRaw, B);
    normalizer.normalize(this.obsRaw, B, trainer.obsNorm, 0);
    this.gammaPow.fill(1);
    win.begin();
    for (let t = 0; t < T; t++) {
      const actions = trainer.actStep(t, data);
      win.step();

      // Rewards, ends and values at the state after the step, before any reset.
      const r0 = t * B;
      const rewards = this.rewardsAt[t] as Float64Array;
      diff.reward(trainer.qposBefore, data.qpos, data.qvel, actions, B, rewards);
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
      normalizer.normalize(this.obsRaw, B, trainer.obsNorm, (t + 1) * B * O);
    }
    if (backward) this.actorBackward();
    return loss;
  }

  /** The backward pass of {@link ApgAgent.actorWindow} (see the module notes). */
  private actorBackward(): void {
    const { B, worlds, normalizer, trainer, window: win } = this;
    const { diff } = worlds;
    win.backward({
      seed: (t, qposBar, qvelBar) => {
        diff.rewardVjp(trainer.qposBeforeAt[t] as Float64Array, win.qposAfterSteps[t] as Float64Array, trainer.actionsAt[t] as Float64Array, B, this.rewardCoefAt[t] as Float64Array, null, qposBar, null);
        const coef = this.valueCoefAt[t] as Float64Array;
        if (allZero(coef)) return;
        const gObs = this.critic.targetInputGrad(this.nextObsNormAt[t] as Float64Array, B, coef);
        const g = this.scratch;
        g.set(gObs);
        normalizer.backward(g, B);
        diff.observeVjp(win.qposAfterSteps[t] as Float64Array, win.qvelAfterSteps[t] as Float64Array, B, g, qposBar, qvelBar);
      },
      onStep: (t, ctrlBar, qposBar, qvelBar) => {
        const actionsBar = trainer.gatherActionsBar(ctrlBar);
        diff.rewardVjp(trainer.qposBeforeAt[t] as Float64Array, win.qposAfterSteps[t] as Float64Array, trainer.actionsAt[t] as Float64Array, B, this.rewardCoefAt[t] as Float64Array, qposBar, null, actionsBar);
        // The state before the window's first step is a constant: no need for its cotangent.
        trainer.backwardStep(t, t > 0, qposBar, qvelBar);
      },
    });
  }

  /** Episodes that ended in windows run since the last {@link ApgAgent.iterate} (which hands them over and clears them). */
  get pendingEpisodes(): readonly EpisodeEnd[] {
    return this.episodes;
  }

  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    return this.trainer.act(observations, n, deterministic, sampler);
  }

  getState(): ApgAgentState {
    const p = this.trainer.getState();
    // Field names (and order) of the checkpoints written before the trainer was shared.
    return { policy: p.policy, actorAdam: p.adam, critic: this.critic.getState(), observationRms: p.observationRms, noise: p.noise, act: p.act, iteration: this.iteration };
  }

  setState(state: unknown): void {
    const s = state as ApgAgentState;
    this.trainer.setState({ policy: s.policy, adam: s.actorAdam, observationRms: s.observationRms, noise: s.noise, act: s.act });
    this.critic.setState(s.critic);
    this.iteration = s.iteration;
  }

  getEnvSnapshot(): unknown {
    return this.worlds.getSnapshot();
  }

  setEnvSnapshot(snapshot: unknown): void {
    this.worlds.setSnapshot(snapshot);
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
