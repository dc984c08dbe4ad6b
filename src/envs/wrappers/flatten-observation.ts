import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Tuple, type Space } from '../../core/spaces.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from './wrapper.js';

/** Writes the bounds of `space`'s flat encoding into `low`/`high` at `offset`, as Gymnasium's `flatten_space`. */
function writeFlatBounds(space: Space<unknown>, low: Float32Array, high: Float32Array, offset: number): void {
  if (space instanceof Box) {
    low.set(space.low, offset);
    high.set(space.high, offset);
  } else if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary) {
    // One-hot or bit encodings.
    low.fill(0, offset, offset + space.flatDim);
    high.fill(1, offset, offset + space.flatDim);
  } else if (space instanceof Dict) {
    let o = offset;
    for (const key of space.keys) {
      const sub = space.spaces[key] as Space<unknown>;
      writeFlatBounds(sub, low, high, o);
      o += sub.flatDim;
    }
  } else if (space instanceof Tuple) {
    let o = offset;
    for (const sub of space.spaces) {
      writeFlatBounds(sub, low, high, o);
      o += sub.flatDim;
    }
  } else {
    // A custom space: its flat encoding's range is unknown.
    low.fill(-Infinity, offset, offset + space.flatDim);
    high.fill(Infinity, offset, offset + space.flatDim);
  }
}

/** The Box of `space`'s flat encodings (Gymnasium's `flatten_space`). */
export function flattenSpace(space: Space<unknown>): Box {
  const low = new Float32Array(space.flatDim);
  const high = new Float32Array(space.flatDim);
  writeFlatBounds(space, low, high, 0);
  return new Box(low, high, [space.flatDim]);
}

/**
 * Replaces each observation by its flat float32 encoding (`space.flattenInto`: one-hot for
 * discrete parts, sorted keys for Dict), as Gymnasium's `FlattenObservation`. The
 * observation space becomes the 1-D Box of {@link flattenSpace}. Returns a new array each call.
 */
export class FlattenObservation<A = unknown, InnerO = unknown> extends Wrapper<Float32Array, A, InnerO, A> {
  private readonly space: Box;

  constructor(env: Env<InnerO, A>) {
    super(env);
    this.space = flattenSpace(env.observationSpace as Space<unknown>);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<Float32Array>> {
    return thenMaybe(this.env.reset(options), (r) => ({ observation: this.flat(r.observation), info: r.info }));
  }

  override step(action: A): MaybePromise<StepResult<Float32Array>> {
    return thenMaybe(this.env.step(action), (r) => ({ ...r, observation: this.flat(r.observation) }));
  }

  private flat(observation: InnerO): Float32Array {
    const out = new Float32Array(this.space.flatDim);
    this.env.observationSpace.flattenInto(observation, out, 0);
    return out;
  }
}
