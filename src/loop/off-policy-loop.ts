/**
 * The training loop of the off-policy algorithms (SAC, TD3, DQN): act (uniformly at random
 * before `learningStarts`), store every transition in a replay buffer, and every `trainFreq`
 * vector steps take `gradientSteps` gradient steps on uniform minibatches of it — SB3's
 * `OffPolicyAlgorithm.learn`. Events,
 * evaluations, checkpoints (which hold the replay buffer and the env's snapshot, so a resumed run
 * continues bit-identically) and the run's end are those of the other loops. Steps count env
 * steps of all copies.
 * @module
 */

import type { OffPolicyConfig } from '../agents/algorithms.js';
import { requireBoundedBox, type OffPolicyAgent, type OffPolicyStepMetrics } from '../agents/off-policy-agent.js';
import { SacAgent } from '../agents/sac/sac-agent.js';
import type { SacConfig } from '../agents/sac/sac-config.js';
import { Td3Agent } from '../agents/td3/td3-agent.js';
import { DqnAgent, requireDiscrete } from '../agents/dqn/dqn-agent.js';
import { ConfigError } from '../core/errors.js';
import { awaitMaybe } from '../core/maybe-promise.js';
import { Rng, type RngState } from '../core/rng.js';
import { Discrete } from '../core/spaces.js';
import { ReplayBuffer, type ReplayBufferState } from '../data/replay-buffer.js';
import { isSnapshotVectorEnv, type VectorEnv, type VectorResetResult, type VectorStepResult } from '../envs/vector/vector-env.js';
import { fastEngineInfo } from '../nn/fast/index.js';
import { writeCheckpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import { updateMetrics, type EvalResult, type UpdateMetrics } from './events.js';
import type { LoopState } from './on-policy-loop.js';
import { finishRun, freshLoopState, nextMultiple, periodicWork, runClock, type SelfDrivenTrainingOptions } from './run-end.js';
import { recordTrainingEpisode } from './training-episodes.js';
import { boundedActionSpaceOf, buildEnv, restoreEnvSnapshot } from './training-env.js';

/** Env steps between two `update` events at most (an iteration also ends where an evaluation or a checkpoint is due). */
export const OFF_POLICY_STEPS_PER_ITERATION = 1000;

/** What an off-policy checkpoint keeps in its `env` slot: the env's snapshot (or null), the replay buffer and the loop's streams. */
interface OffPolicySnapshot {
  readonly vectorEnv: unknown;
  readonly replay: ReplayBufferState;
  readonly batches: RngState;
  readonly explore: RngState;
}

/** The SAC agent of `config` for its (training or evaluation) env, with the run's initialisation stream. */
export function createSacAgent(config: SacConfig, env: VectorEnv): SacAgent {
  const actionSpace = requireBoundedBox(boundedActionSpaceOf(env, config.env), config.env, config.stateDim ?? 0);
  return new SacAgent(config, env.observationSize, actionSpace, new Rng(config.seed).split('agent'));
}

/** The off-policy agent (SAC, TD3 or DQN) of `config` for its (training or evaluation) env, with the run's initialisation stream. */
export function createOffPolicyAgent(config: OffPolicyConfig, env: VectorEnv): OffPolicyAgent {
  if (config.algo === 'sac') return createSacAgent(config, env);
  const rng = new Rng(config.seed).split('agent');
  if (config.algo === 'dqn') return new DqnAgent(config, env.observationSize, requireDiscrete(boundedActionSpaceOf(env, config.env), config.env), rng);
  return new Td3Agent(config, env.observationSize, requireBoundedBox(boundedActionSpaceOf(env, config.env), config.env, 0, 'TD3'), rng);
}

/**
 * Trains an off-policy agent for `config.totalSteps` env steps, emitting `start`, training
 * `episode`s, per iteration `rollout` (env steps per second, learning included) and `update`
 * (the gradient steps' mean losses), `eval` and `checkpoint` on schedule, and `done` at the budget.
 */
export async function runOffPolicyTraining(o: SelfDrivenTrainingOptions<OffPolicyConfig>): Promise<void> {
  const { config, resumed } = o;
  const N = config.numEnvs;
  const env = buildEnv(config, N);
  const evalEnv = buildEnv(config, 1);
  try {
    const agent = createOffPolicyAgent(config, env);
    const O = env.observationSize;
    const A = env.actionSize;
    const rng = new Rng(config.seed);
    const discrete = env.singleActionSpace instanceof Discrete;
    const buffer = new ReplayBuffer({ capacity: config.bufferSize, observationShape: [O], actionDim: A, discrete, numEnvs: N, gamma: config.gamma });
    // SB3's gradient_steps −1: as many gradient steps as the round's env steps.
    const gradientSteps = config.gradientSteps === -1 ? config.trainFreq * N : config.gradientSteps;
    let batches = rng.split('batches');
    let explore = rng.split('explore');
    let state: LoopState;
    if (resumed !== undefined) {
      agent.setState(resumed.agent);
      const snap = resumed.env as OffPolicySnapshot;
      buffer.setState(snap.replay);
      batches = Rng.fromState(snap.batches);
      explore = Rng.fromState(snap.explore);
      state = resumed.loop;
      if (snap.vectorEnv !== null) await restoreEnvSnapshot(env, config.env, config.seed, snap.vectorEnv);
      else {
        // An env without snapshots: every copy starts a new episode, seeded by the iteration (reproducible, not equal to an uninterrupted run).
        const reset = await awaitMaybe<VectorResetResult>(env.reset({ seed: config.seed + state.iteration }));
        state = { ...state, observations: Float32Array.from(reset.observations) };
      }
    } else {
      const reset = await awaitMaybe<VectorResetResult>(env.reset({ seed: config.seed }));
      state = { ...freshLoopState(), observations: Float32Array.from(reset.observations) };
    }
    o.lend?.(agent);
    const backend = `fast-mlp (${fastEngineInfo().kernels})`;
    o.emit({ type: 'start', step: state.step, config, backend, resumed: resumed !== undefined, exact: resumed === undefined || (resumed.env as OffPolicySnapshot).vectorEnv !== null });
    const elapsed = runClock(state);
    const evaluate = (): Promise<EvalResult> => evaluatePolicy(agent, evalEnv, config.evalEpisodes, { seed: `${config.seed}/eval/${state.step}`, deterministic: config.evalDeterministic });
    const checkpoint = async (): Promise<void> => {
      if (o.checkpointDir === undefined) return;
      state.priorSeconds = elapsed();
      const snapshot: OffPolicySnapshot = { vectorEnv: isSnapshotVectorEnv(env) ? env.getSnapshot() : null, replay: buffer.getState(), batches: batches.getState(), explore: explore.getState() };
      const file = writeCheckpoint(o.checkpointDir, { format: 'rxrl-checkpoint', version: 1, algo: config.algo, config, loop: state, agent: agent.getState(), env: snapshot, observationNormalizer: null, rewardNormalizer: null });
      o.emit({ type: 'checkpoint', step: state.step, path: file });
    };
    const afterIteration = periodicWork(config, state, evaluate, checkpoint, o.emit);
    // The step's actions, copied out of the agent's buffers (a viewer may act while the env steps).
    const actions = discrete ? new Int32Array(N) : new Float32Array(N * A);
    while (state.step < config.totalSteps) {
      if (o.shouldStop()) break;
      const t0 = performance.now();
      const start = state.step;
      // Iterations end at the evaluation and checkpoint grids too, so that those land on their steps.
      const end = Math.min(config.totalSteps, nextMultiple(state.step, OFF_POLICY_STEPS_PER_ITERATION), nextMultiple(state.step, config.evalEvery), nextMultiple(state.step, config.checkpointEvery));
      const sums = new MetricSums(config.algo.toUpperCase());
      while (state.step < end) {
        if (state.step < config.learningStarts) agent.randomActions(N, explore, actions);
        else actions.set(agent.act(state.observations, N, false).actions);
        const r = await awaitMaybe<VectorStepResult>(env.step(actions));
        buffer.addStep(state.observations, actions, r);
        state.step += N;
        for (let i = 0; i < N; i++) {
          const episode = r.finalInfos[i]?.['episode'] as { r: number; l: number } | undefined;
          if (episode !== undefined) recordTrainingEpisode(state, o.rewardThreshold, o.emit, state.step, episode.r, episode.l, i);
        }
        state.observations.set(r.observations);
        agent.afterEnvStep?.(state.step, config.totalSteps);
        if (state.step > config.learningStarts && (state.step / N) % config.trainFreq === 0) {
          for (let g = 0; g < gradientSteps; g++) sums.add(agent.update(buffer.sample(config.batchSize, batches)), state.step);
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      state.iteration++;
      o.emit({ type: 'rollout', step: state.step, iteration: state.iteration, stepsPerSecond: (state.step - start) / seconds });
      if (sums.steps > 0) o.emit({ type: 'update', step: state.step, iteration: state.iteration, metrics: sums.metrics(config.learningRate, seconds, buffer.size) });
      await afterIteration();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await finishRun({ config, state, backend, evaluate, checkpoint, elapsed, emit: o.emit });
  } finally {
    await env.close();
    await evalEnv.close();
  }
}

/** Sums of the gradient steps' metrics over an iteration; each diagnostic is averaged over the steps that measured it. */
class MetricSums {
  steps = 0;
  private readonly algo: string;
  private critic = new FiniteMean();
  private actor = new FiniteMean();
  private entropy = new FiniteMean();
  private details = new Map<string, FiniteMean>();

  constructor(algo: string) {
    this.algo = algo;
  }

  add(m: OffPolicyStepMetrics, step: number): void {
    if (!Number.isFinite(m.criticLoss) || (m.actorLoss !== null && !Number.isFinite(m.actorLoss))) {
      throw new ConfigError(`${this.algo} at step ${step}: the loss is not finite (critic ${m.criticLoss}, actor ${m.actorLoss}); lower learningRate, or check the env's rewards and observations for NaN or huge values`);
    }
    this.steps++;
    this.critic.add(m.criticLoss);
    if (m.actorLoss !== null) this.actor.add(m.actorLoss);
    if (m.entropy !== null) this.entropy.add(m.entropy);
    for (const [key, value] of Object.entries(m.details)) {
      let mean = this.details.get(key);
      if (mean === undefined) this.details.set(key, (mean = new FiniteMean()));
      mean.add(value);
    }
  }

  /** The means (NaN for what no step measured). */
  metrics(learningRate: number, seconds: number, bufferRows: number): UpdateMetrics {
    const details: Record<string, number> = {};
    for (const [key, mean] of this.details) details[key] = mean.value;
    details['bufferRows'] = bufferRows;
    return updateMetrics({ policyLoss: this.actor.value, valueLoss: this.critic.value, entropy: this.entropy.value, learningRate, epochs: this.steps, seconds, details });
  }
}

/** The mean of the finite numbers added (NaN if none). */
class FiniteMean {
  private sum = 0;
  private count = 0;

  add(x: number): void {
    if (!Number.isFinite(x)) return;
    this.sum += x;
    this.count++;
  }

  get value(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
}
