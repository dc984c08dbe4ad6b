/**
 * Network inputs of state-action functions in off-policy evaluation: the observation, the
 * action (one-hot for a Discrete space, clipped to the bounds for a Box) and a last entry that
 * is 1 only for the absorbing state episode ends lead to (whose other entries are 0).
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { OfflineDataset } from '../../data/dataset.js';

/** A network applied to `m` encoded rows (its output may be a view, read before the next call). */
export type RowNetwork = (rows: Float32Array, m: number) => ArrayLike<number>;

/** The actions of {@link StateActionEncoder.applyToRows}: a dataset's action rows, or a policy drawing them for each chunk of observations. */
export type RowActions = Float32Array | Int32Array | ((observations: Float32Array, m: number) => ArrayLike<number>);

/** Rows encoded at once when a network is applied to a whole dataset. */
const CHUNK = 4096;

/** Encodes (observation, action) rows for the ν, ζ and Q networks of off-policy evaluation. */
export class StateActionEncoder {
  /** Entries per encoded row: observation, action encoding, absorbing flag. */
  readonly width: number;
  readonly observationDim: number;
  /** Encoded rows of one chunk of {@link applyToRows}. */
  private chunkRows = new Float32Array(0);

  constructor(
    dataset: OfflineDataset,
    readonly actionSpace: Box | Discrete,
  ) {
    const actionWidth = actionSpace.kind === 'Discrete' ? actionSpace.n : actionSpace.flatDim;
    if (dataset.discrete !== (actionSpace.kind === 'Discrete') || (actionSpace.kind === 'Box' && dataset.actionDim !== actionWidth)) {
      throw new ConfigError(`the dataset's actions (${dataset.discrete ? 'discrete' : `${dataset.actionDim} continuous entries`}) do not match the policy's action space (${actionSpace.kind === 'Discrete' ? `Discrete(${actionSpace.n})` : `Box of ${actionWidth}`})`);
    }
    this.observationDim = dataset.observationDim;
    this.width = this.observationDim + actionWidth + 1;
  }

  /** Rows [s, enc(a), 0] of `n` observations and actions into `out`. */
  encode(obs: Float32Array, actions: ArrayLike<number>, n: number, out: Float32Array): void {
    const d = this.observationDim;
    const w = this.width;
    const space = this.actionSpace;
    for (let i = 0; i < n; i++) {
      out.set(obs.subarray(i * d, (i + 1) * d), i * w);
      out[(i + 1) * w - 1] = 0;
      if (space.kind === 'Discrete') {
        out.fill(0, i * w + d, (i + 1) * w - 1);
        out[i * w + d + ((actions[i] as number) - space.start)] = 1;
      } else {
        for (let j = 0; j < space.flatDim; j++) {
          const a = actions[i * space.flatDim + j] as number;
          out[i * w + d + j] = Math.min(Math.max(a, space.low[j] as number), space.high[j] as number);
        }
      }
    }
  }

  /** `net` on `n` (observation, action) rows, encoded and evaluated in chunks, into `out`. */
  applyToRows(net: RowNetwork, observations: Float32Array, actions: RowActions, n: number, out: Float64Array): void {
    const d = this.observationDim;
    const a = this.actionSpace.kind === 'Discrete' ? 1 : this.actionSpace.flatDim;
    const rows = Math.min(CHUNK, n) * this.width;
    if (this.chunkRows.length < rows) this.chunkRows = new Float32Array(rows);
    for (let start = 0; start < n; start += CHUNK) {
      const m = Math.min(CHUNK, n - start);
      const obs = observations.subarray(start * d, (start + m) * d);
      this.encode(obs, typeof actions === 'function' ? actions(obs, m) : actions.subarray(start * a, (start + m) * a), m, this.chunkRows);
      const values = net(this.chunkRows, m);
      for (let i = 0; i < m; i++) out[start + i] = values[i] as number;
    }
  }

  /** Makes row i of an encoded batch the absorbing state. */
  absorbing(rows: Float32Array, i: number): void {
    const w = this.width;
    rows.fill(0, i * w, (i + 1) * w);
    rows[(i + 1) * w - 1] = 1;
  }
}
