import { explainedVariance } from '../algorithms/explained-variance.js';
import { awaitMaybe } from '../core/maybe-promise.js';
import { RolloutBuffer } from '../data/rollout-buffer.js';
import type { BatchedActions, VectorEnv, VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import type { OnPolicyAgent } from './agent.js';
import type { EvalResult, TrainEvent } from './events.js';
import { isDue, runClock } from './run-end.js';
import { recordTrainingEpisode } from './training-episodes.js';

/** Episode bookkeeping of a run, kept in checkpoints. */
export interface LoopState {
  step: number;
  iteration: number;
  /** Observations the next action will be taken in (N × observationSize). */
  observations: Float32Array;
  episodes: number;
  /** Returns of the last (up to) 10 training episodes. */
  recentReturns: number[];
  firstStepAtThreshold: number | null;
  /** Wall-clock seconds spent before this process (resumed runs). */
  priorSeconds: number;
  /** Steps each copy has taken in its current episode (absent in older checkpoints: zeros). */
  turns?: Int32Array;
}

/** Inputs of {@link runOnPolicy}. */
export interface OnPolicyLoopOptions {
  readonly agent: OnPolicyAgent;
  /** The training env, wrapped in `VectorRecordEpisodeStatistics` below any reward normaliser. */
  readonly env: VectorEnv;
  readonly seed: number;
  readonly numSteps: number;
  readonly totalSteps: number;
  readonly gamma: number;
  readonly gaeLambda: number;
  readonly discrete: boolean;
  readonly actionSize: number;
  readonly rewardThreshold: number | undefined;
  readonly evalEvery: number;
  readonly evaluate: ((step: number) => Promise<EvalResult>) | undefined;
  readonly checkpointEvery: number;
  readonly checkpoint: ((state: LoopState) => Promise<string>) | undefined;
  /** Continue from a checkpoint's loop state (the env and agent are restored by the caller). */
  readonly resumeFrom: LoopState | undefined;
  readonly emit: (event: TrainEvent) => void;
  /** Polled between iterations: true stops the run cleanly (with a final checkpoint). */
  readonly shouldStop: () => boolean;
}

/** How {@link runOnPolicy} ended. */
export interface OnPolicyLoopResult {
  readonly state: LoopState;
  readonly completed: boolean;
  readonly wallSeconds: number;
  readonly finalEval: EvalResult | null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The on-policy training loop, written once for every on-policy algorithm: collect
 * `numSteps` steps from each of the N copies, bootstrap truncated episodes from their final
 * observations, compute GAE, let the agent train, emit events; evaluate and checkpoint on
 * schedule. Between iterations it yields to the event loop so subscribers stay live.
 */
export async function runOnPolicy(o: OnPolicyLoopOptions): Promise<OnPolicyLoopResult> {
  const { agent, env, numSteps } = o;
  const N = env.numEnvs;
  const obsSize = env.observationSize;
  const buffer = new RolloutBuffer({ numSteps, numEnvs: N, observationSize: obsSize, actionSize: o.actionSize, discrete: o.discrete });
  const state: LoopState = o.resumeFrom ?? {
    step: 0,
    iteration: 0,
    observations: new Float32Array(N * obsSize),
    episodes: 0,
    recentReturns: [],
    firstStepAtThreshold: null,
    priorSeconds: 0,
  };
  if (o.resumeFrom === undefined) {
    const reset = await awaitMaybe<VectorResetResult>(env.reset({ seed: o.seed }));
    state.observations.set(reset.observations);
  }
  const elapsed = runClock(state);
  const turns = (state.turns ??= new Int32Array(N));
  const nextValues = new Float64Array(N);
  const ends = new Float64Array(N);
  // The agent's outputs live in its own buffers, which anything acting with it while the env
  // steps (the dashboard's live picture) overwrites: the step keeps a copy of its own.
  // (Actions keep the agent's array type: the first step's are copied, later ones written over them.)
  const taken = { actions: undefined as BatchedActions | undefined, logProbs: new Float64Array(N), values: new Float64Array(N) };
  let lastEvalStep = state.step;
  let lastCheckpointStep = state.step;
  let finalEval: EvalResult | null = null;

  while (state.step < o.totalSteps) {
    if (o.shouldStop()) break;
    const rolloutStart = performance.now();
    buffer.clear();
    agent.startRollout();
    for (let t = 0; t < numSteps; t++) {
      const act = agent.act(state.observations, N, false);
      if (t > 0) {
        // The values of these observations bootstrap the previous step of copies that went on.
        for (let i = 0; i < N; i++) if (ends[i] === 0) nextValues[i] = act.values[i] as number;
        buffer.setNextValues(t - 1, nextValues, ends);
      }
      if (taken.actions === undefined) taken.actions = act.actions.slice();
      else taken.actions.set(act.actions);
      taken.logProbs.set(act.logProbs);
      taken.values.set(act.values);
      const actions = taken.actions;
      const r = await awaitMaybe<VectorStepResult>(env.step(actions));
      buffer.addStep(state.observations, actions, taken.logProbs, taken.values, r.rewards, turns);
      state.step += N;
      let anyTruncated = false;
      for (let i = 0; i < N; i++) {
        const term = r.terminated[i] === 1;
        const trunc = r.truncated[i] === 1;
        ends[i] = term || trunc ? 1 : 0;
        turns[i] = term || trunc ? 0 : (turns[i] as number) + 1;
        nextValues[i] = 0;
        if (trunc && !term) anyTruncated = true;
        const episode = r.finalInfos[i]?.['episode'] as { r: number; l: number } | undefined;
        if (episode !== undefined) recordTrainingEpisode(state, o.rewardThreshold, o.emit, state.step, episode.r, episode.l, i);
      }
      if (anyTruncated) {
        // A time-limit cut is not an end of the task: bootstrap from the real final observation.
        const finalValues = agent.predictValues(r.finalObservations, N);
        for (let i = 0; i < N; i++) if (r.truncated[i] === 1 && r.terminated[i] === 0) nextValues[i] = finalValues[i] as number;
      }
      if (agent.resetMemory !== undefined) for (let i = 0; i < N; i++) if (ends[i] === 1) agent.resetMemory(i);
      state.observations.set(r.observations);
      agent.afterStep(t);
    }
    const lastValues = agent.predictValues(state.observations, N);
    for (let i = 0; i < N; i++) if (ends[i] === 0) nextValues[i] = lastValues[i] as number;
    buffer.setNextValues(numSteps - 1, nextValues, ends);
    buffer.computeAdvantages(o.gamma, o.gaeLambda);
    state.iteration++;
    o.emit({ type: 'rollout', step: state.step, iteration: state.iteration, stepsPerSecond: (numSteps * N) / ((performance.now() - rolloutStart) / 1000) });

    const metrics = agent.train(buffer, Math.min(1, state.step / o.totalSteps));
    metrics.explainedVariance = explainedVariance(buffer.values, buffer.returns);
    o.emit({ type: 'update', step: state.step, iteration: state.iteration, metrics });

    if (o.evaluate !== undefined && isDue(state.step, lastEvalStep, o.evalEvery) && state.step < o.totalSteps) {
      lastEvalStep = state.step;
      o.emit({ type: 'eval', step: state.step, result: await o.evaluate(state.step) });
    }
    if (o.checkpoint !== undefined && isDue(state.step, lastCheckpointStep, o.checkpointEvery) && state.step < o.totalSteps) {
      lastCheckpointStep = state.step;
      state.priorSeconds = elapsed();
      o.emit({ type: 'checkpoint', step: state.step, path: await o.checkpoint(state) });
    }
    await yieldToEventLoop();
  }

  const completed = state.step >= o.totalSteps;
  if (completed && o.evaluate !== undefined) {
    finalEval = await o.evaluate(state.step);
    o.emit({ type: 'eval', step: state.step, result: finalEval });
  }
  const wallSeconds = elapsed();
  state.priorSeconds = wallSeconds;
  if (o.checkpoint !== undefined) o.emit({ type: 'checkpoint', step: state.step, path: await o.checkpoint(state) });
  return { state, completed, wallSeconds, finalEval };
}
