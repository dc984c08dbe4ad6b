import { Observable, share } from 'rxjs';
import path from 'node:path';
import { selectEngine } from '../agents/engines/select.js';
import { ActorCritic } from '../agents/actor-critic.js';
import { createOnPolicyAgent, isGradientConfig, isGroupConfig, isOfflineConfig, isOffPolicyConfig, resolveConfig, type AgentConfig, type AgentConfigInput, type GradientAgentConfig, type OffPolicyConfig, type OnPolicyConfig } from '../agents/algorithms.js';
import type { GrpoConfig } from '../agents/grpo/grpo-config.js';
import type { OfflineConfig } from '../agents/offline/offline-config.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { OfflineDataset } from '../data/dataset.js';
import '../envs/index.js';
import { registration } from '../envs/registry.js';
import { isSnapshotVectorEnv, type VectorEnv } from '../envs/vector/vector-env.js';
import { VectorNormalizeObservation, type NormalizeObservationState } from '../envs/wrappers/normalize-observation.js';
import type { PolicyActor } from './agent.js';
import { VectorNormalizeReward } from '../envs/wrappers/normalize-reward.js';
import { LATEST, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import type { RunSummary, TrainEvent } from './events.js';
import { runGradientTraining } from './gradient-loop.js';
import { runGroupTraining } from './group-loop.js';
import { runOfflineTraining } from './offline-loop.js';
import { runOffPolicyTraining } from './off-policy-loop.js';
import { runOnPolicy, type LoopState } from './on-policy-loop.js';
import { actionSpaceOf, buildEnv, findWrapper, restoreEnvSnapshot } from './training-env.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** The algorithm's configuration (`env` required; `algo` defaults to `ppo`; everything else has defaults). Ignored when resuming. */
  readonly config?: AgentConfigInput;
  /** Run folder for checkpoints; omit to keep no checkpoints. */
  readonly checkpointDir?: string;
  /** Resume from this run folder's latest checkpoint (continues toward its configured totalSteps). */
  readonly resumeFrom?: string;
  /** Offline algorithms: the dataset `config.dataset` names, already loaded (else the run reads it). */
  readonly dataset?: OfflineDataset;
}

/**
 * A training run's policy lent to a viewer: its config, the policy, and training's observation
 * statistics as they are now (null where the env does not normalise them: the gradient agents
 * normalise inside the policy, the offline agents act on raw observations).
 */
export interface LivePolicy {
  readonly config: OnPolicyConfig | GradientAgentConfig | OfflineConfig | GrpoConfig | OffPolicyConfig;
  readonly policy: PolicyActor;
  observationNormalizer(): NormalizeObservationState | null;
}

/**
 * A training run. The first subscription to `events$` starts it; every subscriber sees the
 * same run. When the last subscriber unsubscribes, or {@link TrainRun.stop} is called, it stops
 * cleanly at the next iteration boundary.
 */
export interface TrainRun {
  readonly config: AgentConfig;
  readonly events$: Observable<TrainEvent>;
  /** The policy as it trains, for watching it act (e.g. the dashboard); undefined before the run has built it. */
  live(): LivePolicy | undefined;
  /** Asks the run to stop at the next iteration boundary (after a final checkpoint). */
  stop(): void;
  /** Resolves when the run has fully stopped (after its final checkpoint), however it ended. */
  readonly finished: Promise<void>;
}

/**
 * Trains an agent, as an rxjs Observable of typed events. Nothing runs until `events$` is
 * subscribed; unsubscribing stops the run at the next iteration boundary and writes a final
 * checkpoint (when a checkpoint folder is set), from which `resumeFrom` continues
 * bit-identically.
 *
 * @example
 * const run = train({ config: { env: 'CartPole-v1', seed: 1 } });
 * run.events$.subscribe((e) => { if (e.type === 'done') console.log(e.summary.finalEval); });
 */
export function train(options: TrainOptions): TrainRun {
  const resumed: Checkpoint | undefined = options.resumeFrom !== undefined ? readCheckpoint(path.join(options.resumeFrom, 'checkpoints', LATEST)) : undefined;
  const config = resumed !== undefined ? resolveConfig({ algo: resumed.algo, ...(resumed.config as Record<string, unknown>) }) : resolveConfig({ ...(options.config ?? {}) });
  if (resumed !== undefined && resumed.algo !== config.algo) throw new ConfigError(`${options.resumeFrom}: checkpoint of algorithm "${resumed.algo}", but its config is for "${config.algo}"`);
  const reg = registration(config.env);
  const checkpointDir = options.checkpointDir ?? (options.resumeFrom !== undefined ? path.join(options.resumeFrom, 'checkpoints') : undefined);

  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));

  let stopRequested = false;
  let live: LivePolicy | undefined;
  // The gradient agents normalise observations inside the policy, the others here not at all: no env statistics to lend.
  const lendOwnPolicy = (own: GradientAgentConfig | OfflineConfig | GrpoConfig | OffPolicyConfig) => (policy: PolicyActor) => (live = { config: own, policy, observationNormalizer: () => null });
  const source$ = new Observable<TrainEvent>((subscriber) => {
    let step = 0;
    const emit = (event: TrainEvent) => {
      step = event.step;
      if (!subscriber.closed) subscriber.next(event);
    };
    const run = async () => {
      // Let every subscriber that attaches in the same tick see the first event.
      await Promise.resolve();
      let env: VectorEnv | undefined;
      let evalEnv: VectorEnv | undefined;
      try {
        if (isGradientConfig(config)) {
          // APG and ILD own their (differentiable) training worlds: their own loop, the same events.
          await runGradientTraining({ config, resumed, checkpointDir, rewardThreshold: reg.rewardThreshold, emit, shouldStop: () => stopRequested, lend: lendOwnPolicy(config) });
          if (!subscriber.closed) subscriber.complete();
          return;
        }
        if (isOffPolicyConfig(config)) {
          // SAC learns from a replay buffer of its own experience: its own loop, the same events.
          await runOffPolicyTraining({ config, resumed, checkpointDir, rewardThreshold: reg.rewardThreshold, emit, shouldStop: () => stopRequested, lend: lendOwnPolicy(config) });
          if (!subscriber.closed) subscriber.complete();
          return;
        }
        if (isGroupConfig(config)) {
          // GRPO samples groups of rollouts per task instance: its own loop, the same events.
          await runGroupTraining({ config, resumed, checkpointDir, rewardThreshold: reg.rewardThreshold, emit, shouldStop: () => stopRequested, lend: lendOwnPolicy(config) });
          if (!subscriber.closed) subscriber.complete();
          return;
        }
        if (isOfflineConfig(config)) {
          // Offline agents learn from a dataset: their own loop (gradient steps), the same events.
          await runOfflineTraining({ config, resumed, checkpointDir, emit, shouldStop: () => stopRequested, lend: lendOwnPolicy(config), ...(options.dataset !== undefined ? { dataset: options.dataset } : {}) });
          if (!subscriber.closed) subscriber.complete();
          return;
        }
        const trainEnv = (env = buildEnv(config, config.numEnvs));
        const evaluationEnv = (evalEnv = buildEnv(config, 1));
        const rng = new Rng(config.seed);
        const actionSpace = actionSpaceOf(trainEnv, config.env);
        const engine = await selectEngine(config);
        const agent = createOnPolicyAgent(config, trainEnv.observationSize, actionSpace, rng.split('agent'), engine);
        const backend = agent.net instanceof ActorCritic ? agent.net.engine.name : 'fast-gru (js)';
        let loopState: LoopState | undefined;
        if (resumed !== undefined) {
          agent.setState(resumed.agent);
          if (resumed.env !== null) {
            await restoreEnvSnapshot(trainEnv, config.env, config.seed, resumed.env);
            loopState = resumed.loop;
          } else loopState = await restartEpisodes(trainEnv, config, resumed);
        }
        live = { config, policy: agent, observationNormalizer: () => findWrapper(trainEnv, VectorNormalizeObservation)?.getState() ?? null };
        emit({ type: 'start', step: loopState?.step ?? 0, config, backend, resumed: resumed !== undefined, exact: resumed === undefined || resumed.env !== null });
        const evaluate = async (step: number) => {
          // Evaluation sees observations normalised with the training statistics, frozen.
          const trainNorm = findWrapper(trainEnv, VectorNormalizeObservation);
          const evalNorm = findWrapper(evaluationEnv, VectorNormalizeObservation);
          if (trainNorm !== undefined && evalNorm !== undefined) {
            evalNorm.setState(trainNorm.getState());
            evalNorm.updateStats = false;
          }
          return evaluatePolicy(agent, evaluationEnv, config.evalEpisodes, { seed: `${config.seed}/eval/${step}`, deterministic: config.evalDeterministic });
        };
        const checkpoint =
          checkpointDir === undefined
            ? undefined
            : async (state: LoopState) =>
                writeCheckpoint(checkpointDir, {
                  format: 'rxrl-checkpoint',
                  version: 1,
                  algo: config.algo,
                  config,
                  loop: state,
                  agent: agent.getState(),
                  // An env that cannot save its state gives an agent-only checkpoint (see Checkpoint.env).
                  env: isSnapshotVectorEnv(trainEnv) ? trainEnv.getSnapshot() : null,
                  observationNormalizer: findWrapper(trainEnv, VectorNormalizeObservation)?.getState() ?? null,
                  rewardNormalizer: findWrapper(trainEnv, VectorNormalizeReward)?.getState() ?? null,
                });
        const result = await runOnPolicy({
          agent,
          env: trainEnv,
          seed: config.seed,
          numSteps: config.nSteps,
          totalSteps: config.totalSteps,
          gamma: config.gamma,
          gaeLambda: config.gaeLambda,
          discrete: actionSpace.kind === 'Discrete',
          actionSize: trainEnv.actionSize,
          rewardThreshold: reg.rewardThreshold,
          evalEvery: config.evalEvery,
          evaluate: config.evalEpisodes > 0 ? evaluate : undefined,
          checkpointEvery: config.checkpointEvery,
          checkpoint,
          resumeFrom: loopState,
          emit,
          shouldStop: () => stopRequested,
        });
        if (result.completed) {
          const summary: RunSummary = {
            algo: config.algo,
            env: config.env,
            seed: config.seed,
            backend,
            totalSteps: result.state.step,
            wallSeconds: result.wallSeconds,
            stepsPerSecond: result.state.step / result.wallSeconds,
            finalEval: result.finalEval,
            firstStepAtThreshold: result.state.firstStepAtThreshold,
            episodes: result.state.episodes,
          };
          emit({ type: 'done', step: result.state.step, summary });
        }
        if (!subscriber.closed) subscriber.complete();
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        emit({ type: 'error', step, error: { name: error.name, message: error.message } });
        if (!subscriber.closed) subscriber.error(error);
      } finally {
        await env?.close();
        await evalEnv?.close();
        resolveFinished();
      }
    };
    void run();
    return () => {
      stopRequested = true;
    };
  });
  const events$ = source$.pipe(share());
  return { config, events$, finished, stop: () => (stopRequested = true), live: () => live };
}

/**
 * Resumes from an agent-only checkpoint: the normalisers get their saved statistics and every
 * copy starts a new episode, seeded from the run's seed and the iteration so that a resumed run
 * is still reproducible (though not equal to an uninterrupted one).
 */
async function restartEpisodes(env: VectorEnv, config: AgentConfig, resumed: Checkpoint): Promise<LoopState> {
  const obsNorm = findWrapper(env, VectorNormalizeObservation);
  if (obsNorm !== undefined && resumed.observationNormalizer !== null) obsNorm.setState(resumed.observationNormalizer);
  const rewardNorm = findWrapper(env, VectorNormalizeReward);
  if (rewardNorm !== undefined && resumed.rewardNormalizer != null) rewardNorm.setState(resumed.rewardNormalizer);
  const reset = await env.reset({ seed: config.seed + resumed.loop.iteration });
  const observations = Float32Array.from(reset.observations);
  return { ...resumed.loop, observations, turns: new Int32Array(env.numEnvs) };
}
