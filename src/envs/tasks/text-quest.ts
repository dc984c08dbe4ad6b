/**
 * `rxrl/TextQuest-v0`: a small text adventure in the spirit of ALFWorld and ScienceWorld. A
 * corridor of `rooms` rooms runs west to east, each with a side room to its north or south;
 * `doors` of the corridor's passages are locked, each by a key of its own colour lying in a side
 * room before it; a gem lies in a side room beyond the last door, and the altar stands in the
 * first room. The quest: bring the gem to the altar. Reward 1 for `put gem on altar` in the
 * first room (the episode ends), −`invalidPenalty` for a command that cannot be carried out
 * (EPO's setting), 0 otherwise. Instances are drawn until the shortest solution takes at least
 * `minSolution` turns (30 by default).
 *
 * Commands, Discrete(7 + 2·doors): `go north|south|east|west`, `take <colour> key` per key,
 * `take gem`, `use <colour> key on door` per key, `put gem on altar`, `look`.
 *
 * Observations are words of a fixed vocabulary ({@link TEXT_QUEST_VOCABULARY}), the text of the
 * turn: where you are, the exits, the doors next to you, what you see, your inventory, and
 * whether the last command worked. `observation: "bow"` (default) gives the count of each word;
 * `"tokens"` the word ids in order, padded with 0 to {@link TEXT_QUEST_MAX_TOKENS}, for sequence
 * policies. The final info carries `is_success`.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { Info } from '../env.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';

const ROOM_NAMES = ['hall', 'kitchen', 'library', 'cellar', 'attic', 'garden', 'study', 'pantry', 'gallery', 'chapel', 'vault', 'tower', 'armory', 'nursery', 'observatory', 'crypt'] as const;
const COLOURS = ['red', 'blue', 'green', 'yellow', 'white'] as const;

/** Every word an observation can hold; id = index + 1 (0 pads token sequences). */
export const TEXT_QUEST_VOCABULARY: readonly string[] = [
  'you', 'are', 'in', 'the', ...ROOM_NAMES, 'exits', 'north', 'south', 'east', 'west', 'door', 'locked', 'open', 'see', 'key', ...COLOURS, 'gem', 'altar', 'inventory', 'ok', 'invalid', 'nothing',
];
/** Length of a `"tokens"` observation. */
export const TEXT_QUEST_MAX_TOKENS = 48;
/** The default time limit. */
export const TEXT_QUEST_MAX_EPISODE_STEPS = 120;

const word = (w: string): number => {
  const i = TEXT_QUEST_VOCABULARY.indexOf(w);
  if (i < 0) throw new Error(`not a TextQuest word: ${w}`);
  return i + 1;
};
const W = {
  you: word('you'), are: word('are'), in: word('in'), the: word('the'), exits: word('exits'), north: word('north'), south: word('south'), east: word('east'), west: word('west'),
  door: word('door'), locked: word('locked'), open: word('open'), see: word('see'), key: word('key'), gem: word('gem'), altar: word('altar'), inventory: word('inventory'), ok: word('ok'), invalid: word('invalid'), nothing: word('nothing'),
};
const ROOM_WORD = ROOM_NAMES.map(word);
const COLOUR_WORD = COLOURS.map(word);

/** Keyword arguments of `rxrl/TextQuest-v0`. */
export interface TextQuestOptions {
  /** Corridor rooms, each with a side room (default 7, at most 8). */
  readonly rooms?: number;
  /** Locked passages, one key each (default 4, at most min(5, rooms − 2)). */
  readonly doors?: number;
  /** Shortest solution of every instance, in turns (default 30). */
  readonly minSolution?: number;
  /** Reward of a command that cannot be carried out, negated (default 0.1). */
  readonly invalidPenalty?: number;
  /** `bow` (word counts, default) or `tokens` (word ids in order). */
  readonly observation?: 'bow' | 'tokens';
}

const SUCCESS: Info = Object.freeze({ is_success: true });
const FAILURE: Info = Object.freeze({ is_success: false });
/** Where an item is when it is not in a room. */
const HELD = -1;
const PLACED = -2;

/**
 * The TextQuest dynamics as an {@link EnvKernel}. Rooms: corridor room i is i, its side room
 * C + i. Copy state: `[room, last command valid, side of each corridor room (1 north, 0 south) × C,
 * gap of each door × D, door open × D, location of each key × D, location of the gem]`.
 */
export class TextQuestKernel implements EnvKernel {
  readonly id = 'rxrl/TextQuest-v0';
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly stateSize: number;
  readonly actionSize = 1;
  readonly rooms: number;
  readonly doors: number;
  readonly minSolution: number;
  readonly invalidPenalty: number;
  readonly observation: 'bow' | 'tokens';
  private readonly tokens: number[] = [];
  // State offsets.
  private readonly SIDE = 2;
  private readonly GAP: number;
  private readonly OPEN: number;
  private readonly KEY: number;
  private readonly GEM: number;

  constructor(options: TextQuestOptions = {}) {
    this.rooms = options.rooms ?? 7;
    this.doors = options.doors ?? 4;
    this.minSolution = options.minSolution ?? 30;
    this.invalidPenalty = options.invalidPenalty ?? 0.1;
    this.observation = options.observation ?? 'bow';
    if (!Number.isInteger(this.rooms) || this.rooms < 3 || this.rooms > 8) throw new ConfigError(`${this.id}: rooms must be an integer in [3, 8], got ${this.rooms}`);
    const maxDoors = Math.min(COLOURS.length, this.rooms - 2);
    if (!Number.isInteger(this.doors) || this.doors < 1 || this.doors > maxDoors) throw new ConfigError(`${this.id}: doors must be an integer in [1, ${maxDoors}] for ${this.rooms} rooms, got ${this.doors}`);
    if (!(this.invalidPenalty >= 0)) throw new ConfigError(`${this.id}: invalidPenalty must be ≥ 0, got ${this.invalidPenalty}`);
    if (this.observation !== 'bow' && this.observation !== 'tokens') throw new ConfigError(`${this.id}: observation must be "bow" or "tokens", got "${String(this.observation)}"`);
    // Walking to the far end and back, a side-room detour and a take per item, a use per door, the put.
    const longest = 2 * (this.rooms - 1) + 3 * (this.doors + 1) + this.doors + 1;
    if (!Number.isInteger(this.minSolution) || this.minSolution < 0 || this.minSolution > longest) throw new ConfigError(`${this.id}: minSolution must be an integer in [0, ${longest}] for ${this.rooms} rooms and ${this.doors} doors, got ${this.minSolution}`);
    const C = this.rooms;
    const D = this.doors;
    this.GAP = this.SIDE + C;
    this.OPEN = this.GAP + D;
    this.KEY = this.OPEN + D;
    this.GEM = this.KEY + D;
    this.stateSize = this.GEM + 1;
    this.actionSpace = new Discrete(7 + 2 * D);
    const V = TEXT_QUEST_VOCABULARY.length;
    this.observationSpace = this.observation === 'bow' ? new Box(0, TEXT_QUEST_MAX_TOKENS, [V]) : new Box(0, V, [TEXT_QUEST_MAX_TOKENS]);
  }

  /** Names of the side rooms (those after the corridor's in the name list). */
  get sideRoomNames(): readonly string[] {
    return ROOM_NAMES.slice(this.rooms, 2 * this.rooms);
  }

  /** The command of action `a`, as words (for logs and people). */
  command(a: number): string {
    const D = this.doors;
    if (a < 4) return `go ${['north', 'south', 'east', 'west'][a]}`;
    if (a < 4 + D) return `take ${COLOURS[a - 4]} key`;
    if (a === 4 + D) return 'take gem';
    if (a < 5 + 2 * D) return `use ${COLOURS[a - 5 - D]} key on door`;
    return a === 5 + 2 * D ? 'put gem on altar' : 'look';
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    const C = this.rooms;
    const D = this.doors;
    const sideRoomUpTo = (corridor: number) => C + rng.int(corridor + 1);
    for (;;) {
      state[offset] = 0;
      state[offset + 1] = 1;
      for (let i = 0; i < C; i++) state[offset + this.SIDE + i] = rng.int(2);
      // D distinct passages among the C − 1, in corridor order; key j lies in a side room before door j.
      const gaps = rng.shuffle(Array.from({ length: C - 1 }, (_, g) => g)).slice(0, D).sort((a, b) => a - b);
      for (let j = 0; j < D; j++) {
        state[offset + this.GAP + j] = gaps[j] as number;
        state[offset + this.OPEN + j] = 0;
        state[offset + this.KEY + j] = sideRoomUpTo(gaps[j] as number);
      }
      const last = gaps[D - 1] as number;
      state[offset + this.GEM] = C + last + 1 + rng.int(C - 1 - last);
      if (this.solutionLength(state, offset) >= this.minSolution) return;
    }
  }

  /** Turns of the shortest solution (breadth-first search over room, items held and doors open). */
  solutionLength(state: Float64Array, offset = 0): number {
    const C = this.rooms;
    const D = this.doors;
    const items = D + 1;
    const work = Float64Array.from(state.subarray(offset, offset + this.stateSize));
    // Search state: room + 2C·(held mask + 2^items·open mask); items once held stay held.
    const code = (room: number, held: number, open: number) => room + 2 * C * (held + (1 << items) * open);
    const start = code(0, 0, 0);
    const seen = new Map<number, number>([[start, 0]]);
    let frontier = [start];
    const actions = new Int32Array(1);
    const out = { reward: 0, terminated: false };
    for (let depth = 0; frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const s of frontier) {
        for (let a = 0; a < 6 + 2 * D; a++) {
          // Rebuild the state from the code, then try the command.
          const room = s % (2 * C);
          const rest = Math.floor(s / (2 * C));
          const held = rest % (1 << items);
          const open = Math.floor(rest / (1 << items));
          work[0] = room;
          for (let j = 0; j < D; j++) {
            work[this.OPEN + j] = (open >> j) & 1;
            work[this.KEY + j] = (held >> j) & 1 ? HELD : (state[offset + this.KEY + j] as number);
          }
          work[this.GEM] = (held >> D) & 1 ? HELD : (state[offset + this.GEM] as number);
          actions[0] = a;
          this.step(work, 0, actions, 0, out);
          if (out.terminated) return depth + 1;
          if (work[1] === 0) continue;
          let h = 0;
          let o = 0;
          for (let j = 0; j < D; j++) {
            if (work[this.KEY + j] === HELD) h |= 1 << j;
            if (work[this.OPEN + j] === 1) o |= 1 << j;
          }
          if (work[this.GEM] === HELD) h |= 1 << D;
          const c = code(work[0] as number, h, o);
          if (!seen.has(c)) {
            seen.set(c, depth + 1);
            next.push(c);
          }
        }
      }
      frontier = next;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** The door (index) on the passage east of corridor room i, or −1. */
  private doorAt(state: Float64Array, offset: number, gap: number): number {
    for (let j = 0; j < this.doors; j++) if (state[offset + this.GAP + j] === gap) return j;
    return -1;
  }

  /** The room reached by moving in direction d (0 N, 1 S, 2 E, 3 W) from `room`, or −1 (no way, or a locked door). */
  private neighbour(state: Float64Array, offset: number, room: number, d: number): number {
    const C = this.rooms;
    if (room >= C) {
      // A side room's only exit leads back to its corridor room.
      const north = state[offset + this.SIDE + room - C] === 1;
      return (north && d === 1) || (!north && d === 0) ? room - C : -1;
    }
    if (d < 2) return (state[offset + this.SIDE + room] === 1) === (d === 0) ? C + room : -1;
    const gap = d === 2 ? room : room - 1;
    if (gap < 0 || gap >= C - 1) return -1;
    const door = this.doorAt(state, offset, gap);
    if (door >= 0 && state[offset + this.OPEN + door] === 0) return -1;
    return d === 2 ? room + 1 : room - 1;
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const D = this.doors;
    const a = actions[actionOffset] as number;
    const room = state[offset] as number;
    let valid = true;
    out.terminated = false;
    if (a < 4) {
      const to = this.neighbour(state, offset, room, a);
      if (to < 0) valid = false;
      else state[offset] = to;
    } else if (a <= 4 + D) {
      const at = a < 4 + D ? offset + this.KEY + (a - 4) : offset + this.GEM;
      if (state[at] === room) state[at] = HELD;
      else valid = false;
    } else if (a < 5 + 2 * D) {
      const j = a - 5 - D;
      const gap = state[offset + this.GAP + j] as number;
      const beside = room === gap || room === gap + 1;
      if (state[offset + this.KEY + j] === HELD && beside && state[offset + this.OPEN + j] === 0) state[offset + this.OPEN + j] = 1;
      else valid = false;
    } else if (a === 5 + 2 * D) {
      if (room === 0 && state[offset + this.GEM] === HELD) {
        state[offset + this.GEM] = PLACED;
        out.terminated = true;
      } else valid = false;
    }
    state[offset + 1] = valid ? 1 : 0;
    out.reward = out.terminated ? 1 : valid ? 0 : -this.invalidPenalty;
  }

  finalInfo(state: Float64Array, offset: number): Info {
    return state[offset + this.GEM] === PLACED ? SUCCESS : FAILURE;
  }

  /** The words of the current turn's text. */
  private describe(state: Float64Array, offset: number): number[] {
    const C = this.rooms;
    const D = this.doors;
    const room = state[offset] as number;
    const t = this.tokens;
    t.length = 0;
    t.push(W.you, W.are, W.in, W.the, ROOM_WORD[room] as number, W.exits);
    const dirs = [W.north, W.south, W.east, W.west];
    for (let d = 0; d < 4; d++) {
      const wayExists = room >= C ? this.neighbour(state, offset, room, d) >= 0 : d < 2 ? this.neighbour(state, offset, room, d) >= 0 : (d === 2 ? room < C - 1 : room > 0);
      if (wayExists) t.push(dirs[d] as number);
    }
    if (room < C) {
      for (const [d, gap] of [
        [2, room],
        [3, room - 1],
      ] as const) {
        const door = gap >= 0 ? this.doorAt(state, offset, gap) : -1;
        if (door >= 0) t.push(W.door, dirs[d] as number, COLOUR_WORD[door] as number, state[offset + this.OPEN + door] === 1 ? W.open : W.locked);
      }
    }
    t.push(W.see);
    const before = t.length;
    for (let j = 0; j < D; j++) if (state[offset + this.KEY + j] === room) t.push(COLOUR_WORD[j] as number, W.key);
    if (state[offset + this.GEM] === room) t.push(W.gem);
    if (room === 0) t.push(W.altar);
    if (t.length === before) t.push(W.nothing);
    t.push(W.inventory);
    const held = t.length;
    for (let j = 0; j < D; j++) if (state[offset + this.KEY + j] === HELD) t.push(COLOUR_WORD[j] as number, W.key);
    if (state[offset + this.GEM] === HELD) t.push(W.gem);
    if (t.length === held) t.push(W.nothing);
    t.push(state[offset + 1] === 1 ? W.ok : W.invalid);
    return t;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    const words = this.describe(state, offset);
    const size = this.observationSpace.flatDim;
    obs.fill(0, obsOffset, obsOffset + size);
    if (this.observation === 'bow') for (const w of words) obs[obsOffset + w - 1] = (obs[obsOffset + w - 1] as number) + 1;
    else for (let i = 0; i < Math.min(words.length, TEXT_QUEST_MAX_TOKENS); i++) obs[obsOffset + i] = words[i] as number;
  }

  /** The text of the current turn (for logs and people). */
  text(state: Float64Array, offset = 0): string {
    return this.describe(state, offset)
      .map((w) => TEXT_QUEST_VOCABULARY[w - 1])
      .join(' ');
  }

  /** The turn's text, wrapped to lines of at most 40 characters. */
  renderText(state: Float64Array, offset: number): string {
    const lines: string[] = [];
    let line = '';
    for (const w of this.text(state, offset).split(' ')) {
      if (line !== '' && line.length + 1 + w.length > 40) {
        lines.push(line);
        line = w;
      } else line = line === '' ? w : `${line} ${w}`;
    }
    lines.push(line);
    return lines.join('\n');
  }
}
