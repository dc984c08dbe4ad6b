import type { PolicyActor } from './agent.js';
import type { Checkpoint } from './checkpoint.js';
import type { EvalResult, RunSummary, TrainEvent } from './events.js';
import type { LoopState } from './on-policy-loop.js';

/** Inputs of a loop that drives its agent itself (the gradient and group loops), whatever its config. */
export interface SelfDrivenTrainingOptions<C> {
  readonly config: C;
  /** Continue from this checkpoint (its agent and loop counters; the gradient loop's training worlds too). */
  readonly resumed: Checkpoint | undefined;
  /** Folder for checkpoints; undefined: none. */
  readonly checkpointDir: string | undefined;
  /** The env's reward threshold, for `firstStepAtThreshold` (mean of the last 10 training episodes). */
  readonly rewardThreshold: number | undefined;
  readonly emit: (event: TrainEvent) => void;
  /** Polled between iterations: true stops the run cleanly (with a final checkpoint). */
  readonly shouldStop: () => boolean;
  /** Called once the agent is built (and restored), with the policy a viewer may act with between iterations. */
  readonly lend?: (policy: PolicyActor) => void;
}

/** The loop state of a run that starts now (self-driven loops keep no observations in it). */
export function freshLoopState(): LoopState {
  return { step: 0, iteration: 0, observations: new Float32Array(0), episodes: 0, recentReturns: [], firstStepAtThreshold: null, priorSeconds: 0 };
}

/**
 * The run's wall clock across processes: the seconds of the processes before this one (the
 * resumed checkpoint's `priorSeconds`, read once here, as the loop keeps updating the field for
 * its own checkpoints) plus this process's.
 */
export function runClock(state: Pick<LoopState, 'priorSeconds'>): () => number {
  const prior = state.priorSeconds;
  const started = performance.now();
  return () => prior + (performance.now() - started) / 1000;
}

/** The first multiple of `every` after `step` (Infinity when `every` is 0: never). */
export function nextMultiple(step: number, every: number): number {
  return every > 0 ? (Math.floor(step / every) + 1) * every : Infinity;
}

/**
 * Whether work done every `every` steps (evaluations, checkpoints) is due at `step`, having last
 * been done at `last` (or the run having started or resumed there): the step count has crossed a
 * multiple of `every` since. The grid is fixed by the step count, so a run resumed from a
 * checkpoint evaluates and checkpoints where the uninterrupted run did.
 */
export function isDue(step: number, last: number, every: number): boolean {
  return every > 0 && Math.floor(step / every) > Math.floor(last / every);
}

/**
 * The evaluations and checkpoints due between iterations (see {@link isDue}), never at the
 * budget's end ({@link finishRun} does those). Returns the function to await after every iteration.
 */
export function periodicWork(
  config: { readonly totalSteps: number; readonly evalEpisodes: number; readonly evalEvery: number; readonly checkpointEvery: number },
  state: LoopState,
  evaluate: () => Promise<EvalResult>,
  checkpoint: () => Promise<void>,
  emit: (event: TrainEvent) => void,
): () => Promise<void> {
  let lastEvalStep = state.step;
  let lastCheckpointStep = state.step;
  return async () => {
    if (config.evalEpisodes > 0 && isDue(state.step, lastEvalStep, config.evalEvery) && state.step < config.totalSteps) {
      lastEvalStep = state.step;
      emit({ type: 'eval', step: state.step, result: await evaluate() });
    }
    if (isDue(state.step, lastCheckpointStep, config.checkpointEvery) && state.step < config.totalSteps) {
      lastCheckpointStep = state.step;
      await checkpoint();
    }
  };
}

/** What {@link finishRun} needs from a loop that drives its agent itself (the gradient, group and offline loops). */
export interface RunEnd {
  readonly config: { readonly algo: string; readonly env: string; readonly seed: number; readonly totalSteps: number; readonly evalEpisodes: number };
  readonly state: LoopState;
  readonly backend: string;
  readonly evaluate: () => Promise<EvalResult>;
  readonly checkpoint: () => Promise<void>;
  /** Wall-clock seconds of the run, earlier processes included. */
  readonly elapsed: () => number;
  readonly emit: (event: TrainEvent) => void;
}

/**
 * The end of a run: when the budget was reached, a final evaluation; then (reached or stopped)
 * a last checkpoint; then, when reached, the `done` event with the run's summary.
 */
export async function finishRun(o: RunEnd): Promise<void> {
  const { config, state } = o;
  const completed = state.step >= config.totalSteps;
  let finalEval: EvalResult | null = null;
  if (completed && config.evalEpisodes > 0) {
    finalEval = await o.evaluate();
    o.emit({ type: 'eval', step: state.step, result: finalEval });
  }
  const wallSeconds = o.elapsed();
  state.priorSeconds = wallSeconds;
  await o.checkpoint();
  if (!completed) return;
  const summary: RunSummary = {
    algo: config.algo,
    env: config.env,
    seed: config.seed,
    backend: o.backend,
    totalSteps: state.step,
    wallSeconds,
    stepsPerSecond: state.step / wallSeconds,
    finalEval,
    firstStepAtThreshold: state.firstStepAtThreshold,
    episodes: state.episodes,
  };
  o.emit({ type: 'done', step: state.step, summary });
}
