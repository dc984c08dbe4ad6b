/**
 * `rxrl/KeyDoor-v0`: a two-room gridworld (after MiniGrid's DoorKey). A wall with a locked door
 * splits a `size` × `size` grid (border walls included); the agent starts in the left room with
 * the key somewhere in it and must pick the key up, open the door from beside it, walk through
 * and reach the goal in the right room. Reward 1 on reaching the goal, 0 otherwise; the episode
 * is cut by the time limit. Instances are drawn until the shortest solution takes at least
 * `minSolution` steps (30 by default), so every task needs a long, exactly ordered plan.
 *
 * Actions, Discrete(6): 0 up, 1 right, 2 down, 3 left (blocked by walls and the closed door),
 * 4 pick up (standing on the key), 5 open (holding the key, next to the door). Anything else is a
 * no-op.
 *
 * Observation, `view: 0` (full, default): positions relative to the agent, divided by `size` —
 * key − agent (0 once held), door − agent, goal − agent — the agent's position, the has-key and
 * door-open flags: 10 floats. `view: k` (odd) is the partially observable variant: a k × k window
 * centred on the agent, one-hot per cell over (wall, key, closed door, open door, goal), and the
 * has-key flag; the goal and the door are seen only from nearby. The final info carries
 * `is_success`.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { Info } from '../env.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';

/** Keyword arguments of `rxrl/KeyDoor-v0`. */
export interface KeyDoorOptions {
  /** Side of the grid, border walls included (default 15; at least 7). */
  readonly size?: number;
  /** Shortest solution of every instance, in steps (default 30). */
  readonly minSolution?: number;
  /** 0: full observation (default); an odd k ≥ 3: only a k × k window around the agent. */
  readonly view?: number;
}

/** The default time limit. */
export const KEY_DOOR_MAX_EPISODE_STEPS = 250;

const SUCCESS: Info = Object.freeze({ is_success: true });
const FAILURE: Info = Object.freeze({ is_success: false });
/** Cell kinds of the local view's one-hot channels. */
const CHANNELS = 5;
const [WALL, KEY, DOOR_CLOSED, DOOR_OPEN, GOAL] = [0, 1, 2, 3, 4];
const MOVES: readonly (readonly [number, number])[] = [
  [0, -1],
  [1, 0],
  [0, 1],
  [-1, 0],
];

// Copy state layout.
const AX = 0;
const AY = 1;
const KX = 2;
const KY = 3;
const HAS_KEY = 4;
const WALL_X = 5;
const DOOR_Y = 6;
const OPEN = 7;
const GX = 8;
const GY = 9;
const STATE_SIZE = 10;

/** The KeyDoor dynamics as an {@link EnvKernel}; copy state `[agent x, y, key x, y, has key, wall x, door y, open, goal x, y]`. */
export class KeyDoorKernel implements EnvKernel {
  readonly id = 'rxrl/KeyDoor-v0';
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(6);
  readonly stateSize = STATE_SIZE;
  readonly actionSize = 1;
  readonly size: number;
  readonly minSolution: number;
  readonly view: number;

  constructor(options: KeyDoorOptions = {}) {
    this.size = options.size ?? 15;
    this.minSolution = options.minSolution ?? 30;
    this.view = options.view ?? 0;
    if (!Number.isInteger(this.size) || this.size < 7 || this.size > 64) throw new ConfigError(`${this.id}: size must be an integer in [7, 64], got ${this.size}`);
    if (!Number.isInteger(this.minSolution) || this.minSolution < 0) throw new ConfigError(`${this.id}: minSolution must be a non-negative integer, got ${this.minSolution}`);
    // The longest possible solution: corner to corner of the left room and back, then across the right room.
    const longest = 4 * (this.size - 3) + 3;
    if (this.minSolution > longest - 4) throw new ConfigError(`${this.id}: minSolution ${this.minSolution} is too long for size ${this.size}; at most ${longest - 4}, or make the grid larger`);
    if (!Number.isInteger(this.view) || this.view < 0 || (this.view > 0 && (this.view < 3 || this.view % 2 === 0))) throw new ConfigError(`${this.id}: view must be 0 (full) or an odd integer ≥ 3, got ${this.view}`);
    const dim = this.view === 0 ? 10 : this.view * this.view * CHANNELS + 1;
    this.observationSpace = this.view === 0 ? new Box(-1, 1, [dim]) : new Box(0, 1, [dim]);
  }

  /** Steps of the shortest solution: to the key, pick up, to the door's left, open, through, to the goal. */
  static solutionLength(state: ArrayLike<number>, offset = 0): number {
    const at = (i: number) => state[offset + i] as number;
    const besideDoor = at(WALL_X) - 1;
    const toKey = Math.abs(at(AX) - at(KX)) + Math.abs(at(AY) - at(KY));
    const toDoor = Math.abs(at(KX) - besideDoor) + Math.abs(at(KY) - at(DOOR_Y));
    const toGoal = Math.abs(at(GX) - at(WALL_X)) + Math.abs(at(GY) - at(DOOR_Y));
    return toKey + 1 + toDoor + 1 + 1 + toGoal;
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    const S = this.size;
    const inner = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
    // Rejection sampling: the bound in the constructor keeps the acceptance rate reasonable.
    for (;;) {
      const wx = inner(3, S - 4);
      state[offset + WALL_X] = wx;
      state[offset + DOOR_Y] = inner(1, S - 2);
      state[offset + AX] = inner(1, wx - 1);
      state[offset + AY] = inner(1, S - 2);
      do {
        state[offset + KX] = inner(1, wx - 1);
        state[offset + KY] = inner(1, S - 2);
      } while (state[offset + KX] === state[offset + AX] && state[offset + KY] === state[offset + AY]);
      state[offset + GX] = inner(wx + 1, S - 2);
      state[offset + GY] = inner(1, S - 2);
      state[offset + HAS_KEY] = 0;
      state[offset + OPEN] = 0;
      if (KeyDoorKernel.solutionLength(state, offset) >= this.minSolution) return;
    }
  }

  /** What occupies cell (x, y): a channel index, or −1 for an empty floor cell. */
  private cell(state: Float64Array, offset: number, x: number, y: number): number {
    const S = this.size;
    const wx = state[offset + WALL_X] as number;
    if (x === wx && y === state[offset + DOOR_Y]) return state[offset + OPEN] === 1 ? DOOR_OPEN : DOOR_CLOSED;
    if (x <= 0 || y <= 0 || x >= S - 1 || y >= S - 1 || x === wx) return WALL;
    if (x === state[offset + GX] && y === state[offset + GY]) return GOAL;
    if (state[offset + HAS_KEY] === 0 && x === state[offset + KX] && y === state[offset + KY]) return KEY;
    return -1;
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const a = actions[actionOffset] as number;
    const ax = state[offset + AX] as number;
    const ay = state[offset + AY] as number;
    out.reward = 0;
    out.terminated = false;
    if (a < 4) {
      const [dx, dy] = MOVES[a] as readonly [number, number];
      const c = this.cell(state, offset, ax + dx, ay + dy);
      if (c === WALL || c === DOOR_CLOSED) return;
      state[offset + AX] = ax + dx;
      state[offset + AY] = ay + dy;
      if (c === GOAL) {
        out.reward = 1;
        out.terminated = true;
      }
    } else if (a === 4) {
      if (state[offset + HAS_KEY] === 0 && ax === state[offset + KX] && ay === state[offset + KY]) state[offset + HAS_KEY] = 1;
    } else if (state[offset + HAS_KEY] === 1 && Math.abs(ax - (state[offset + WALL_X] as number)) + Math.abs(ay - (state[offset + DOOR_Y] as number)) === 1) {
      state[offset + OPEN] = 1;
    }
  }

  finalInfo(state: Float64Array, offset: number): Info {
    return state[offset + AX] === state[offset + GX] && state[offset + AY] === state[offset + GY] ? SUCCESS : FAILURE;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    const S = this.size;
    const ax = state[offset + AX] as number;
    const ay = state[offset + AY] as number;
    const hasKey = state[offset + HAS_KEY] as number;
    if (this.view === 0) {
      const rel = (x: number, y: number, at: number) => {
        obs[obsOffset + at] = (x - ax) / S;
        obs[obsOffset + at + 1] = (y - ay) / S;
      };
      if (hasKey === 1) rel(ax, ay, 0);
      else rel(state[offset + KX] as number, state[offset + KY] as number, 0);
      rel(state[offset + WALL_X] as number, state[offset + DOOR_Y] as number, 2);
      rel(state[offset + GX] as number, state[offset + GY] as number, 4);
      obs[obsOffset + 6] = ax / S;
      obs[obsOffset + 7] = ay / S;
      obs[obsOffset + 8] = hasKey;
      obs[obsOffset + 9] = state[offset + OPEN] as number;
      return;
    }
    const k = this.view;
    const r = (k - 1) / 2;
    obs.fill(0, obsOffset, obsOffset + k * k * CHANNELS + 1);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) {
        const c = this.cell(state, offset, ax - r + i, ay - r + j);
        if (c >= 0) obs[obsOffset + (j * k + i) * CHANNELS + c] = 1;
      }
    }
    obs[obsOffset + k * k * CHANNELS] = hasKey;
  }

  /** The grid (`#` wall, `K` key, `D` locked door, `/` open door, `G` goal, `A` agent) and whether the key is held. */
  renderText(state: Float64Array, offset: number): string {
    const S = this.size;
    const glyphs = ['#', 'K', 'D', '/', 'G'];
    const rows: string[] = [];
    for (let y = 0; y < S; y++) {
      let row = '';
      for (let x = 0; x < S; x++) {
        const kind = this.cell(state, offset, x, y);
        row += x === state[offset + AX] && y === state[offset + AY] ? 'A' : kind < 0 ? '.' : glyphs[kind];
      }
      rows.push(row);
    }
    rows.push(state[offset + HAS_KEY] === 1 ? 'holding the key' : 'key not taken');
    return rows.join('\n');
  }
}
