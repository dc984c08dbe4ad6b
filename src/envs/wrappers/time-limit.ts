import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { requireInteger } from './internal.js';
import { Wrapper } from './wrapper.js';

/**
 * Truncates episodes after `maxEpisodeSteps` steps, as Gymnasium's `TimeLimit`.
 *
 * The step that brings the count to the limit comes back with `truncated: true`, even if it
 * also terminated — exactly as Gymnasium. Learners give `terminated` precedence (no
 * bootstrap from a true end). The count restarts at every `reset`; stepping past the end
 * without a reset does not throw (as Gymnasium) and keeps reporting `truncated: true`.
 */
export class TimeLimit<O = Float32Array, A = unknown> extends Wrapper<O, A> {
  /** Steps after which an episode is truncated. */
  readonly maxEpisodeSteps: number;
  private elapsed = 0;

  constructor(env: Env<O, A>, maxEpisodeSteps: number) {
    super(env);
    requireInteger(maxEpisodeSteps, 1, 'TimeLimit maxEpisodeSteps');
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  /** Steps taken since the last reset. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<O>> {
    this.elapsed = 0;
    return this.env.reset(options);
  }

  override step(action: A): MaybePromise<StepResult<O>> {
    return thenMaybe(this.env.step(action), (r) => {
      this.elapsed++;
      if (this.elapsed >= this.maxEpisodeSteps && !r.truncated) return { ...r, truncated: true };
      return r;
    });
  }
}
