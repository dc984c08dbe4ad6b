import { EnvStateError } from '../../core/errors.js';
import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import type { Env, Info, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../vector/vector-env.js';
import { assignStepResult, emptyStepResult } from './internal.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/** Statistics of one finished episode, put at `info.episode`. */
export interface EpisodeStatistics {
  /** Undiscounted return (sum of rewards). */
  readonly r: number;
  /** Length in steps. */
  readonly l: number;
  /** Seconds since the wrapper was created, rounded to microseconds (as SB3's Monitor). */
  readonly t: number;
}

function secondsSince(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1e6;
}

function withEpisode(info: Info | undefined, episode: EpisodeStatistics): Info {
  // Gymnasium asserts the same: a second statistics wrapper would silently overwrite the first.
  if (info !== undefined && 'episode' in info) {
    throw new EnvStateError("RecordEpisodeStatistics: info already has an 'episode' key (is the wrapper applied twice?)");
  }
  // A new object: the inner info may be shared or frozen (EMPTY_INFO).
  return { ...info, episode };
}

/**
 * Puts `info.episode = { r, l, t }` on the step that ends an episode (terminated or
 * truncated): the episode's return, its length and the seconds since the wrapper was
 * created. Counters restart at `reset`.
 */
export class RecordEpisodeStatistics<O = Float32Array, A = unknown> extends Wrapper<O, A> {
  /** Episodes finished so far. */
  episodeCount = 0;
  private readonly startTime = performance.now();
  private episodeReturn = 0;
  private episodeLength = 0;

  constructor(env: Env<O, A>) {
    super(env);
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<O>> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(options);
  }

  override step(action: A): MaybePromise<StepResult<O>> {
    return thenMaybe(this.env.step(action), (r) => {
      this.episodeReturn += r.reward;
      this.episodeLength++;
      if (!r.terminated && !r.truncated) return r;
      const episode: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t: secondsSince(this.startTime) };
      this.episodeReturn = 0;
      this.episodeLength = 0;
      this.episodeCount++;
      return { ...r, info: withEpisode(r.info, episode) };
    });
  }
}

/**
 * Vector version of {@link RecordEpisodeStatistics}: where copy i finishes,
 * `finalInfos[i].episode = { r, l, t }` (a new info object; the inner one is not mutated).
 * Steps where no copy finishes return the inner result unchanged and allocate nothing.
 */
export class VectorRecordEpisodeStatistics extends VectorWrapper {
  /** Episodes finished so far, over all copies. */
  episodeCount = 0;
  private readonly startTime = performance.now();
  private readonly returns: Float64Array;
  private readonly lengths: Int32Array;
  private readonly finalInfos: (Info | undefined)[];
  private readonly out = emptyStepResult();

  constructor(env: VectorEnv) {
    super(env);
    this.returns = new Float64Array(env.numEnvs);
    this.lengths = new Int32Array(env.numEnvs);
    this.finalInfos = new Array<Info | undefined>(env.numEnvs).fill(undefined);
  }

  protected override ownSnapshot(): unknown {
    return { returns: this.returns.slice(), lengths: this.lengths.slice() };
  }

  protected override restoreOwnSnapshot(own: unknown): void {
    const s = own as { returns: Float64Array; lengths: Int32Array };
    this.returns.set(s.returns);
    this.lengths.set(s.lengths);
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    this.returns.fill(0);
    this.lengths.fill(0);
    return this.env.reset(options);
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    return thenMaybe(this.env.step(actions), (r) => {
      let anyDone = false;
      const n = this.returns.length;
      for (let i = 0; i < n; i++) {
        this.returns[i] = (this.returns[i] as number) + (r.rewards[i] as number);
        this.lengths[i] = (this.lengths[i] as number) + 1;
        if (r.terminated[i] || r.truncated[i]) anyDone = true;
      }
      if (!anyDone) return r;
      const t = secondsSince(this.startTime);
      for (let i = 0; i < n; i++) {
        const inner = r.finalInfos[i];
        if (r.terminated[i] || r.truncated[i]) {
          this.finalInfos[i] = withEpisode(inner, { r: this.returns[i] as number, l: this.lengths[i] as number, t });
          this.returns[i] = 0;
          this.lengths[i] = 0;
          this.episodeCount++;
        } else {
          this.finalInfos[i] = inner;
        }
      }
      const out = assignStepResult(this.out, r);
      out.finalInfos = this.finalInfos;
      return out;
    });
  }
}
