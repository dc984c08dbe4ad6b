import type { EvalResult, RunSummary, TrainEvent } from './events.js';
import type { LoopState } from './on-policy-loop.js';

/** What {@link finishRun} needs from a loop that drives its agent itself (the gradient and offline loops). */
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
