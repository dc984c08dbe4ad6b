import { createHash, type Hash } from 'node:crypto';
import { type NumericArray, type OfflineDataset } from './dataset.js';

/**
 * SHA-256 (hex) of a dataset's rows: every D4RL array and every `infos/*` column, each with its
 * name, dtype and shape, in a fixed order. Two datasets with the same digest hold the same
 * transitions bit for bit.
 *
 * Use it, not a hash of the `.h5` file, to tell whether two files hold the same data: HDF5 stores
 * write times in its object headers, so rebuilding the same dataset gives different file bytes.
 * The metadata is left out on purpose: it names paths (the collecting policy's run folder) that
 * change with where a dataset was built, not what it holds.
 */
export function datasetDigest(dataset: OfflineDataset): string {
  const hash = createHash('sha256');
  const rows = dataset.size;
  const columns: [string, NumericArray, readonly number[]][] = [
    ['observations', dataset.observations, [rows, ...dataset.observationShape]],
    ['actions', dataset.actions, [rows, dataset.actionDim]],
    ['rewards', dataset.rewards, [rows]],
    ['next_observations', dataset.nextObservations, [rows, ...dataset.observationShape]],
    ['terminals', dataset.terminals, [rows]],
    ['timeouts', dataset.timeouts, [rows]],
  ];
  for (const name of Object.keys(dataset.infos).sort()) {
    const column = dataset.infos[name];
    if (column !== undefined) columns.push([`infos/${name}`, column.data, column.shape]);
  }
  for (const [name, data, shape] of columns) addColumn(hash, name, data, shape);
  return hash.digest('hex');
}

/** One column: a header line naming it (so that moving bytes between columns changes the digest), then its bytes. */
function addColumn(hash: Hash, name: string, data: NumericArray, shape: readonly number[]): void {
  hash.update(`${name} ${data.constructor.name} ${shape.join('x')} ${data.byteLength}\n`);
  hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
