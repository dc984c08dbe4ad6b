/**
 * `rxrl/TMaze-v0`: the T-maze memory task (Bakker 2002). The agent starts at the west end of a
 * corridor of `length` cells; on the first step only, it sees a cue saying whether the goal is up
 * (north) or down (south) at the junction at the east end. At the junction, turning north or south
 * ends the episode: reward 1 for the cued side, 0 for the other. A policy without memory can do no
 * better than guess at the junction (50% success); remembering one bit across `length` steps
 * solves it.
 *
 * Observation (4 floats in {0, 1}): cue-up, cue-down (both 0 after the first step), in the
 * corridor, at the junction. Actions: 0 north, 1 east, 2 south, 3 west; north and south do nothing
 * in the corridor, east does nothing at the junction, west stops at the start. The final info
 * carries `is_success`.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { Info } from '../env.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';

/** Keyword arguments of `rxrl/TMaze-v0`. */
export interface TMazeOptions {
  /** Corridor cells from the start to the junction (default 10; 1 … 200). */
  readonly length?: number;
}

/** The time limit: enough for the longest corridor walked with detours. */
export const T_MAZE_MAX_EPISODE_STEPS = 500;

const SUCCESS: Info = Object.freeze({ is_success: true });
const FAILURE: Info = Object.freeze({ is_success: false });
const [NORTH, EAST, SOUTH, WEST] = [0, 1, 2, 3];
// Copy state layout.
const [POSITION, CUE, STEPS, OUTCOME] = [0, 1, 2, 3];

/** The T-maze dynamics as an {@link EnvKernel}. Copy state: `[position, cue (0 up, 1 down), steps taken, outcome (1 success)]`. */
export class TMazeKernel implements EnvKernel {
  readonly id = 'rxrl/TMaze-v0';
  readonly observationSpace = new Box(0, 1, [4]);
  readonly actionSpace = new Discrete(4);
  readonly stateSize = 4;
  readonly actionSize = 1;
  readonly length: number;

  constructor(options: TMazeOptions = {}) {
    this.length = options.length ?? 10;
    if (!Number.isInteger(this.length) || this.length < 1 || this.length > 200) throw new ConfigError(`${this.id}: length must be an integer in [1, 200], got ${this.length}`);
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    state[offset + POSITION] = 0;
    state[offset + CUE] = rng.int(2);
    state[offset + STEPS] = 0;
    state[offset + OUTCOME] = 0;
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const action = actions[actionOffset] as number;
    const position = state[offset + POSITION] as number;
    state[offset + STEPS] = (state[offset + STEPS] as number) + 1;
    out.reward = 0;
    out.terminated = false;
    if (position === this.length && (action === NORTH || action === SOUTH)) {
      const right = (action === NORTH ? 0 : 1) === state[offset + CUE];
      state[offset + OUTCOME] = right ? 1 : 0;
      out.reward = right ? 1 : 0;
      out.terminated = true;
    } else if (action === EAST) {
      state[offset + POSITION] = Math.min(this.length, position + 1);
    } else if (action === WEST) {
      state[offset + POSITION] = Math.max(0, position - 1);
    }
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    const first = state[offset + STEPS] === 0;
    const cue = state[offset + CUE] as number;
    const atJunction = state[offset + POSITION] === this.length;
    obs[obsOffset] = first && cue === 0 ? 1 : 0;
    obs[obsOffset + 1] = first && cue === 1 ? 1 : 0;
    obs[obsOffset + 2] = atJunction ? 0 : 1;
    obs[obsOffset + 3] = atJunction ? 1 : 0;
  }

  finalInfo(state: Float64Array, offset: number): Info {
    return state[offset + OUTCOME] === 1 ? SUCCESS : FAILURE;
  }

  /** The corridor (`A` the agent, `+` the junction) with the goal (`G`) above or below the junction, where the cue points. */
  renderText(state: Float64Array, offset: number): string {
    const L = this.length;
    const at = state[offset + POSITION] as number;
    let corridor = '';
    for (let p = 0; p <= L; p++) corridor += p === at ? 'A' : p === L ? '+' : '.';
    const arm = (goal: boolean) => `${' '.repeat(L)}${goal ? 'G' : '·'}`;
    const up = state[offset + CUE] === 0;
    return `${arm(up)}\n${corridor}\n${arm(!up)}`;
  }
}
