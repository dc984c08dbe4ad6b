import { describeValue, InvalidActionError } from '../core/errors.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { BatchedActions } from './vector/vector-env.js';

/**
 * Action checks shared by the built-in envs. They reject what would silently corrupt a
 * run — a wrong shape or dtype, a NaN, a discrete index out of range — and leave
 * out-of-bounds Box values alone, because the environments clip them exactly as Gymnasium does.
 */

/** Checks a single env's action and returns it as a batched array of one row. */
export function checkSingleAction(envId: string, space: Box | Discrete, action: unknown, scratch: BatchedActions): BatchedActions {
  if (space.kind === 'Discrete') {
    if (typeof action !== 'number' || !Number.isInteger(action)) {
      throw new InvalidActionError(`${envId}: expected an integer action in [${space.start}, ${space.start + space.n - 1}] (Discrete(${space.n})), got ${describeValue(action)}`);
    }
    if (action < space.start || action >= space.start + space.n) {
      throw new InvalidActionError(`${envId}: action ${action} is outside Discrete(${space.n}) = [${space.start}, ${space.start + space.n - 1}]`);
    }
    scratch[0] = action;
    return scratch;
  }
  if (!(action instanceof Float32Array || action instanceof Float64Array || Array.isArray(action))) {
    throw new InvalidActionError(`${envId}: expected a Float32Array of length ${space.flatDim} for Box action space, got ${describeValue(action)}`);
  }
  if (action.length !== space.flatDim) {
    throw new InvalidActionError(`${envId}: expected an action of length ${space.flatDim} (shape [${space.shape.join(', ')}]), got length ${action.length}: ${describeValue(action)}`);
  }
  for (let j = 0; j < space.flatDim; j++) {
    const v = action[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidActionError(`${envId}: action entry ${j} is ${describeValue(v)}; expected a finite number: ${describeValue(action)}`);
    }
    scratch[j] = v;
  }
  return scratch;
}

/** Checks a batch of actions for `numEnvs` copies. Runs one cheap pass; throws naming the copy and entry. */
export function checkBatchedActions(envId: string, space: Box | Discrete, numEnvs: number, actions: unknown): BatchedActions {
  if (space.kind === 'Discrete') {
    if (!(actions instanceof Int32Array)) {
      throw new InvalidActionError(`${envId}: expected an Int32Array of ${numEnvs} discrete actions, got ${describeValue(actions)}`);
    }
    if (actions.length !== numEnvs) throw new InvalidActionError(`${envId}: expected ${numEnvs} actions (one per copy), got ${actions.length}`);
    const lo = space.start;
    const hi = space.start + space.n;
    for (let i = 0; i < numEnvs; i++) {
      const a = actions[i] as number;
      if (a < lo || a >= hi) throw new InvalidActionError(`${envId}: action ${a} of copy ${i} is outside Discrete(${space.n}) = [${lo}, ${hi - 1}]`);
    }
    return actions;
  }
  const size = space.flatDim;
  if (!(actions instanceof Float32Array)) {
    throw new InvalidActionError(`${envId}: expected a Float32Array of ${numEnvs}×${size} actions, got ${describeValue(actions)}`);
  }
  if (actions.length !== numEnvs * size) {
    throw new InvalidActionError(`${envId}: expected ${numEnvs}×${size} = ${numEnvs * size} action entries, got ${actions.length}`);
  }
  for (let k = 0; k < actions.length; k++) {
    // x - x is 0 for finite x and NaN for NaN/±Infinity: one comparison per entry.
    const v = actions[k] as number;
    if (v - v !== 0) {
      throw new InvalidActionError(`${envId}: action entry ${k % size} of copy ${Math.floor(k / size)} is ${describeValue(v)}; expected a finite number`);
    }
  }
  return actions;
}
