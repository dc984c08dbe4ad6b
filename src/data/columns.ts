/**
 * Conversions of columns read from files to the dataset's canonical dtypes, with the checks
 * that turn a malformed column into a {@link DatasetError} naming the key.
 *
 * @module
 */

import { DatasetError, formatShape, type MetadataValue, type DatasetMetadata, type NumericArray } from './dataset.js';
import type { NumericData } from './hdf5.js';

/** `x` as float32: the same array when it already is one, a converted copy otherwise. */
export function asFloat32(x: NumericArray): Float32Array {
  if (x instanceof Float32Array) return x;
  if (x instanceof BigInt64Array || x instanceof BigUint64Array) {
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = Number(x[i]);
    return out;
  }
  return new Float32Array(x);
}

/** Integer column `x` as int32, checking every value fits (int64 action indices do in practice). */
export function asInt32(x: NumericArray, key: string, where: string): Int32Array {
  if (x instanceof Int32Array) return x;
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Number(x[i]);
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new DatasetError(`${where}: ${key}[${i}] = ${v} is not a 32-bit integer`);
    out[i] = v;
  }
  return out;
}

/** A 0/1 flag column (bool, any integer or float dtype) as uint8; names the first row holding anything else. */
export function asFlags(column: NumericData, key: string, where: string): Uint8Array {
  const x = column.data;
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Number(x[i]);
    if (v !== 0 && v !== 1) throw new DatasetError(`${where}: ${key}[${i}] = ${v}, but ${key} (dtype ${column.dtype}) must hold only 0/1 (or booleans)`);
    out[i] = v;
  }
  return out;
}

/**
 * Checks that a per-row scalar column (`rewards`, `terminals`) has shape `[rows]` or `[rows, 1]`
 * (some writers keep a trailing axis).
 */
export function checkScalarColumn(column: NumericData, key: string, rows: number, rowsFrom: string, where: string): void {
  const s = column.shape;
  const ok = (s.length === 1 && s[0] === rows) || (s.length === 2 && s[0] === rows && s[1] === 1);
  if (!ok) throw new DatasetError(`${where}: "${key}" has shape ${formatShape(s)}, expected [${rows}] (one value per row: ${rowsFrom}); every key needs one row per transition`);
}

/** Checks that a column's first axis has `rows` entries. */
export function checkRows(column: NumericData, key: string, rows: number, rowsFrom: string, where: string): void {
  if (column.shape.length === 0 || column.shape[0] !== rows) {
    throw new DatasetError(`${where}: "${key}" has shape ${formatShape(column.shape)}, expected ${rows} rows (${rowsFrom}); every key needs one row per transition`);
  }
}

/** Parses a metadata JSON text into scalar metadata, keeping only JSON scalars. */
export function parseMetadata(text: string, where: string): DatasetMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`${where}: the rxrl_metadata attribute is not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DatasetError(`${where}: the rxrl_metadata attribute must be a JSON object`);
  const out: Record<string, MetadataValue> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
