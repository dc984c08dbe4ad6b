import { describeValue, InvalidActionError } from '../../core/errors.js';
import type { Space } from '../../core/spaces.js';
import type { BatchedActions } from './vector-env.js';

/**
 * Converts between a batched action array and one copy's action, for vector envs that
 * drive ordinary single envs. Per-copy scratch arrays are reused, so a Box action passed to
 * copy i is only valid until the next step (Gymnasium's vector envs pass views likewise).
 */
export class ActionUnbatcher {
  /** Entries per copy in the batched array. */
  readonly actionSize: number;
  private readonly scratch: (Float32Array | Int32Array | Uint8Array)[];

  constructor(
    private readonly space: Space<unknown>,
    numEnvs: number,
  ) {
    switch (space.kind) {
      case 'Discrete':
        this.actionSize = 1;
        break;
      case 'Box':
      case 'MultiDiscrete':
      case 'MultiBinary':
        this.actionSize = space.shape.reduce((a, b) => a * b, 1);
        break;
      default:
        throw new InvalidActionError(`vector envs need a Discrete, Box, MultiDiscrete or MultiBinary action space, got ${space.kind}`);
    }
    const make = () => (space.kind === 'Box' ? new Float32Array(this.actionSize) : space.kind === 'MultiBinary' ? new Uint8Array(this.actionSize) : new Int32Array(this.actionSize));
    this.scratch = Array.from({ length: numEnvs }, make);
  }

  /** Copy i's action from the batched array. */
  actionOf(actions: BatchedActions, i: number): unknown {
    if (this.space.kind === 'Discrete') return actions[i];
    const buf = this.scratch[i] as Float32Array | Int32Array | Uint8Array;
    const start = i * this.actionSize;
    for (let j = 0; j < this.actionSize; j++) buf[j] = actions[start + j] as number;
    return buf;
  }

  /** Checks the batched array's type and length. */
  checkBatch(envId: string, actions: unknown, numEnvs: number): asserts actions is BatchedActions {
    const wantFloat = this.space.kind === 'Box';
    const okType = wantFloat ? actions instanceof Float32Array : actions instanceof Int32Array;
    if (!okType) throw new InvalidActionError(`${envId}: expected ${wantFloat ? 'a Float32Array' : 'an Int32Array'} of ${numEnvs}×${this.actionSize} actions, got ${describeValue(actions)}`);
    const n = (actions as BatchedActions).length;
    if (n !== numEnvs * this.actionSize) throw new InvalidActionError(`${envId}: expected ${numEnvs}×${this.actionSize} = ${numEnvs * this.actionSize} action entries, got ${n}`);
  }
}
