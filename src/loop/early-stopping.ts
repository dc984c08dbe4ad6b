import type { Subscription } from 'rxjs';
import type { TrainRun } from './train.js';

/**
 * Early-stopping rules, as subscribers of a run's events: they call `run.stop()`, which ends
 * the run cleanly (final checkpoint) at the next iteration boundary. The run then completes
 * without a `done` event; its last `checkpoint` event says where it stopped.
 */

/** Stops once the mean return of the last `window` training episodes reaches `threshold` (e.g. the env's `rewardThreshold`). */
export function stopOnRewardThreshold(run: Pick<TrainRun, 'events$' | 'stop'>, threshold: number, window = 10): Subscription {
  const recent: number[] = [];
  return run.events$.subscribe({
    next: (e) => {
      if (e.type !== 'episode') return;
      recent.push(e.return);
      if (recent.length > window) recent.shift();
      if (recent.length === window && recent.reduce((a, b) => a + b, 0) / window >= threshold) run.stop();
    },
    error: () => {},
  });
}

/** Stops when `patience` evaluations in a row have not improved the best mean evaluation return by more than `minDelta`. */
export function stopOnNoImprovement(run: Pick<TrainRun, 'events$' | 'stop'>, patience: number, minDelta = 0): Subscription {
  let best = -Infinity;
  let stale = 0;
  return run.events$.subscribe({
    next: (e) => {
      if (e.type !== 'eval') return;
      if (e.result.mean > best + minDelta) {
        best = e.result.mean;
        stale = 0;
      } else if (++stale >= patience) {
        run.stop();
      }
    },
    error: () => {},
  });
}
