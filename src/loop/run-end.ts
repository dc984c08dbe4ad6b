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
}

/** The loop state of a run that starts now (self-driven loops keep no observations in it). */
export function freshLoopState(): LoopState {
  return { step: 0, iteration: 0, observations: new Float32Array(0), episodes: 0, recentReturns: [], firstStepAtThreshold: null, priorSeconds: 0 };
}

/**
 * The evaluations and checkpoints due between iterations: each once `evalEvery` /
 * `checkpointEvery` steps have passed since the last (or since the start), never at the budget's
 * end ({@link finishRun} does those). Returns the function to await after every iteration.
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
    if (config.evalEpisodes > 0 && config.evalEvery > 0 && state.step - lastEvalStep >= config.evalEvery && state.step < config.totalSteps) {
      lastEvalStep = state.step;
      emit({ type: 'eval', step: state.step, result: await evaluate() });
    }
    if (config.checkpointEvery > 0 && state.step - lastCheckpointStep >= config.checkpointEvery && state.step < config.totalSteps) {
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
