/**
 * `rxrl/SeqTask-v0`: verifiable-reward sequence generation, the RLVR setting of GRPO at toy
 * scale. Each episode is one "prompt" — a random digit sequence — and the policy emits the
 * answer one digit per step; the episode ends after the last answer digit with reward 1 if the
 * whole answer is right (`exact`) or the fraction of right digits (`partial`), and 0 on every
 * other step. Tasks: `reverse` (the prompt backwards), `sort` (ascending) and `add` (the prompt
 * is two `length`-digit numbers, most significant digit first; the answer is their sum in
 * `length + 1` digits).
 *
 * The instance depends only on the reset seed, so resetting copies with the same seed (see
 * `VectorResetOptions.seeds`) replays one prompt to a group of rollouts, as GRPO needs.
 *
 * Observation (all in {0, 1}): the prompt one-hot (prompt length × base), the answer so far
 * one-hot (answer length × base; rows not yet emitted are zero) and the position one-hot
 * (answer length). Action: the next digit, Discrete(base). The final info carries `is_success`.
 * With `prompt: "first"` the prompt rows are shown on the first step only (zero afterwards), so
 * every later digit must come from the policy's memory: a task for recurrent policies.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { Info } from '../env.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';

/** The tasks of `rxrl/SeqTask-v0`. */
export const SEQ_TASKS = ['reverse', 'sort', 'add'] as const;
export type SeqTaskName = (typeof SEQ_TASKS)[number];

/** Keyword arguments of `rxrl/SeqTask-v0`. */
export interface SeqTaskOptions {
  /** Which transformation (default `reverse`). */
  readonly task?: SeqTaskName;
  /** Digits in the prompt (per number for `add`); default 5. */
  readonly length?: number;
  /** Digits run over 0 … base − 1 (default 10). */
  readonly base?: number;
  /** `exact` (default): 1 for a fully right answer, else 0; `partial`: the fraction of right digits. */
  readonly reward?: 'exact' | 'partial';
  /** `always` (default): the prompt is in every observation; `first`: only in the first one. */
  readonly prompt?: 'always' | 'first';
}

const SUCCESS: Info = Object.freeze({ is_success: true });
const FAILURE: Info = Object.freeze({ is_success: false });

/**
 * The SeqTask dynamics as an {@link EnvKernel}. Copy state: `[prompt (P), answer (A), emitted
 * (A), position]`, digits stored as floats.
 */
export class SeqTaskKernel implements EnvKernel {
  readonly id = 'rxrl/SeqTask-v0';
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly stateSize: number;
  readonly actionSize = 1;
  readonly task: SeqTaskName;
  readonly length: number;
  readonly base: number;
  readonly reward: 'exact' | 'partial';
  readonly prompt: 'always' | 'first';
  /** Digits in the prompt and in the answer. */
  readonly promptLength: number;
  readonly answerLength: number;
  private readonly scratch: number[];

  constructor(options: SeqTaskOptions = {}) {
    this.task = options.task ?? 'reverse';
    if (!(SEQ_TASKS as readonly string[]).includes(this.task)) throw new ConfigError(`${this.id}: task must be one of ${SEQ_TASKS.join(', ')}, got "${String(this.task)}"`);
    this.length = options.length ?? 5;
    this.base = options.base ?? 10;
    this.reward = options.reward ?? 'exact';
    if (!Number.isInteger(this.length) || this.length < 1 || this.length > 64) throw new ConfigError(`${this.id}: length must be an integer in [1, 64], got ${this.length}`);
    if (!Number.isInteger(this.base) || this.base < 2 || this.base > 36) throw new ConfigError(`${this.id}: base must be an integer in [2, 36], got ${this.base}`);
    if (this.reward !== 'exact' && this.reward !== 'partial') throw new ConfigError(`${this.id}: reward must be "exact" or "partial", got "${String(this.reward)}"`);
    this.prompt = options.prompt ?? 'always';
    if (this.prompt !== 'always' && this.prompt !== 'first') throw new ConfigError(`${this.id}: prompt must be "always" or "first", got "${String(this.prompt)}"`);
    this.promptLength = this.task === 'add' ? 2 * this.length : this.length;
    this.answerLength = this.task === 'add' ? this.length + 1 : this.length;
    this.stateSize = this.promptLength + 2 * this.answerLength + 1;
    const obs = (this.promptLength + this.answerLength) * this.base + this.answerLength;
    this.observationSpace = new Box(0, 1, [obs]);
    this.actionSpace = new Discrete(this.base);
    this.scratch = new Array<number>(this.promptLength).fill(0);
  }

  /** Writes the right answer of the prompt at `state[offset …]` after it. */
  private solve(state: Float64Array, offset: number): void {
    const { promptLength: P, answerLength: A, base } = this;
    const answer = offset + P;
    if (this.task === 'reverse') {
      for (let i = 0; i < A; i++) state[answer + i] = state[offset + P - 1 - i] as number;
    } else if (this.task === 'sort') {
      const s = this.scratch;
      for (let i = 0; i < P; i++) s[i] = state[offset + i] as number;
      s.sort((x, y) => x - y);
      for (let i = 0; i < A; i++) state[answer + i] = s[i] as number;
    } else {
      // Column addition from the least significant digit; the answer has one more digit.
      const n = this.length;
      let carry = 0;
      for (let i = n - 1; i >= 0; i--) {
        const sum = (state[offset + i] as number) + (state[offset + n + i] as number) + carry;
        state[answer + i + 1] = sum % base;
        carry = Math.floor(sum / base);
      }
      state[answer] = carry;
    }
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    for (let i = 0; i < this.promptLength; i++) state[offset + i] = rng.int(this.base);
    this.solve(state, offset);
    state.fill(0, offset + this.promptLength + this.answerLength, offset + this.stateSize);
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const { promptLength: P, answerLength: A } = this;
    const t = state[offset + P + 2 * A] as number;
    state[offset + P + A + t] = actions[actionOffset] as number;
    state[offset + P + 2 * A] = t + 1;
    out.terminated = t + 1 === A;
    out.reward = out.terminated ? (this.reward === 'exact' ? (this.rightDigits(state, offset) === A ? 1 : 0) : this.rightDigits(state, offset) / A) : 0;
  }

  /** How many emitted digits equal the answer's. */
  private rightDigits(state: Float64Array, offset: number): number {
    const { promptLength: P, answerLength: A } = this;
    let right = 0;
    for (let i = 0; i < A; i++) if (state[offset + P + A + i] === state[offset + P + i]) right++;
    return right;
  }

  finalInfo(state: Float64Array, offset: number): Info {
    return this.rightDigits(state, offset) === this.answerLength ? SUCCESS : FAILURE;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    const { promptLength: P, answerLength: A, base } = this;
    const size = (P + A) * base + A;
    obs.fill(0, obsOffset, obsOffset + size);
    const t = state[offset + P + 2 * A] as number;
    if (t === 0 || this.prompt === 'always') for (let i = 0; i < P; i++) obs[obsOffset + i * base + (state[offset + i] as number)] = 1;
    const emitted = obsOffset + P * base;
    for (let i = 0; i < t; i++) obs[emitted + i * base + (state[offset + P + A + i] as number)] = 1;
    // After the last digit the position row is all zero (the final observation).
    if (t < A) obs[obsOffset + (P + A) * base + t] = 1;
  }

  /** The task, the prompt and the answer so far (`·` for digits still to come). */
  renderText(state: Float64Array, offset: number): string {
    const P = this.promptLength;
    const A = this.answerLength;
    const digit = (v: number) => v.toString(36);
    const emitted = state[offset + P + 2 * A] as number;
    const prompt = Array.from({ length: P }, (_, i) => digit(state[offset + i] as number)).join(' ');
    const answer = Array.from({ length: A }, (_, i) => (i < emitted ? digit(state[offset + P + A + i] as number) : '·')).join(' ');
    return `${this.task}\nprompt  ${prompt}\nanswer  ${answer}`;
  }
}
