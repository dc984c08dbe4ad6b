/**
 * The thin layer over `h5wasm` (HDF5 compiled to WebAssembly) that the dataset readers and
 * writers share: loading the library once, opening files with clear errors, reading numeric
 * datasets with their dtype and shape, writing typed arrays.
 *
 * h5wasm prints HDF5's own diagnostics and returns an invalid handle instead of throwing when
 * a file is missing or is not HDF5, so those cases are checked here first.
 *
 * @module
 */

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Dataset as H5Dataset, Entity, File as H5File, Group as H5Group, Metadata } from 'h5wasm/node';
import { DatasetError, formatShape, type NumericArray } from './dataset.js';

type H5wasm = typeof import('h5wasm/node');
export type { H5Dataset, H5File, H5Group };

let loading: Promise<H5wasm> | undefined;

/** h5wasm, imported and initialised on first use (datasets are optional: training never loads it). */
export function h5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    const mod = await import('h5wasm/node');
    await mod.ready;
    return mod;
  })();
  return loading;
}

/** HDF5's format signature; the superblock sits at byte 0, 512, 1024, 2048, … (after a user block). */
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

function hasHdf5Signature(file: string): boolean {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SIGNATURE.length);
    for (let offset = 0; offset + SIGNATURE.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      readSync(fd, buf, 0, SIGNATURE.length, offset);
      if (buf.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Opens an existing HDF5 file for reading; throws {@link DatasetError} for a missing, empty or non-HDF5 file. */
export async function openForReading(file: string): Promise<H5File> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new DatasetError(`no file at ${file}`);
  if (!statSync(abs).isFile()) throw new DatasetError(`${file} is not a file`);
  if (!hasHdf5Signature(abs)) throw new DatasetError(`${file} is not an HDF5 file (no HDF5 signature); expected a .h5/.hdf5 file written by rxrl, h5py (D4RL) or Minari`);
  const h5 = await h5wasm();
  const f = new h5.File(abs, 'r');
  if (f.file_id < 0n) throw new DatasetError(`${file}: HDF5 could not open it (corrupt or truncated file?)`);
  return f;
}

/** Creates (or truncates) an HDF5 file for writing. */
export async function openForWriting(file: string): Promise<H5File> {
  const h5 = await h5wasm();
  const f = new h5.File(path.resolve(file), 'w');
  if (f.file_id < 0n) throw new DatasetError(`cannot create the HDF5 file ${file} (does its folder exist and is it writable?)`);
  return f;
}

/** Whether an h5wasm entity is a dataset (not a group or link). */
export function isDataset(entity: Entity | null): entity is H5Dataset {
  return entity !== null && (entity as { type?: unknown }).type === 'Dataset';
}

/** Whether an h5wasm entity is a group. */
export function isGroup(entity: Entity | null): entity is H5Group {
  return entity !== null && (entity as { type?: unknown }).type === 'Group';
}

/** What kind of numbers a dataset holds. */
export type NumericKind = 'float' | 'int' | 'bool';

/** A numeric HDF5 dataset read into memory. */
export interface NumericData {
  readonly data: NumericArray;
  readonly shape: readonly number[];
  readonly kind: NumericKind;
  /** numpy-style dtype name for messages: `float32`, `int64`, `bool`. */
  readonly dtype: string;
}

// HDF5 type classes (H5T_class_t).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;

/** numpy-style name of an HDF5 type: `float32`, `uint8`, `bool` (h5py writes bools as an int8 enum), `string`. */
export function dtypeName(meta: Metadata): string {
  switch (meta.type) {
    case H5T_FLOAT:
      return `float${meta.size * 8}`;
    case H5T_INTEGER:
      return `${meta.signed ? 'int' : 'uint'}${meta.size * 8}`;
    case H5T_ENUM:
      return isBoolEnum(meta) ? 'bool' : 'enum';
    case H5T_STRING:
      return 'string';
    case H5T_COMPOUND:
      return 'compound';
    default:
      return `HDF5 type class ${meta.type}`;
  }
}

function isBoolEnum(meta: Metadata): boolean {
  const members = meta.enum_type?.members;
  return meta.size === 1 && members !== undefined && Object.keys(members).length === 2 && members['FALSE'] === 0 && members['TRUE'] === 1;
}

/**
 * Reads the numeric dataset at `key` (a path in the file). Throws {@link DatasetError} naming
 * the key when it is missing, a group, or not numbers (strings, compounds, non-bool enums).
 */
export function readNumeric(file: H5File, key: string, where: string): NumericData {
  const entity = file.get(key);
  if (entity === null) throw new DatasetError(`${where}: missing key "${key}" (keys present: ${listKeys(file, parentOf(key))})`);
  if (!isDataset(entity)) throw new DatasetError(`${where}: "${key}" is a group, expected a dataset of numbers`);
  const meta = entity.metadata;
  const numeric = meta.type === H5T_FLOAT || meta.type === H5T_INTEGER || (meta.type === H5T_ENUM && isBoolEnum(meta));
  if (!numeric || meta.vlen) throw new DatasetError(`${where}: "${key}" has dtype ${dtypeName(meta)}, expected numbers (float or integer or bool)`);
  const value = entity.value;
  if (!ArrayBuffer.isView(value)) {
    // A scalar dataset comes back as a plain number.
    if (typeof value === 'number') return { data: Float64Array.of(value), shape: [], kind: meta.type === H5T_FLOAT ? 'float' : 'int', dtype: dtypeName(meta) };
    throw new DatasetError(`${where}: "${key}" (dtype ${dtypeName(meta)}) did not read as numbers`);
  }
  const kind: NumericKind = meta.type === H5T_FLOAT ? 'float' : meta.type === H5T_ENUM ? 'bool' : 'int';
  return { data: value as NumericArray, shape: entity.shape ?? [], kind, dtype: dtypeName(meta) };
}

function parentOf(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash <= 0 ? '/' : key.slice(0, slash);
}

/** The keys of the group at `groupPath`, for error messages. */
export function listKeys(file: H5File, groupPath = '/'): string {
  const group = groupPath === '/' ? file : file.get(groupPath);
  if (!isGroup(group)) return '(none)';
  const keys = group.keys();
  return keys.length === 0 ? '(none)' : keys.length > 20 ? `${keys.slice(0, 20).join(', ')}, … (${keys.length} keys)` : keys.join(', ');
}

/** A string or number attribute of the object at `objPath` (root by default), or undefined. */
export function readAttribute(file: H5File, name: string, objPath = '/'): string | number | undefined {
  const obj = objPath === '/' ? file : file.get(objPath);
  if (obj === null || !('attrs' in obj)) return undefined;
  const attr = obj.attrs[name];
  if (attr === undefined) return undefined;
  const value = attr.value;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value) && (value as ArrayLike<number>).length === 1) return Number((value as ArrayLike<number>)[0]);
  return undefined;
}

/** Options of {@link writeArray}. */
export interface WriteArrayOptions {
  /** gzip level 1–9 (chunked); omit for none (fastest to read and write). */
  readonly compression?: number;
}

/** Writes `data` as a dataset of `shape` at `key`, creating parent groups; the dtype is the typed array's own. */
export function writeArray(file: H5File, key: string, data: NumericArray, shape: readonly number[], options: WriteArrayOptions = {}): void {
  const parts = key.split('/');
  let group: H5Group = file;
  for (const name of parts.slice(0, -1)) {
    const existing = group.get(name);
    group = isGroup(existing) ? existing : group.create_group(name);
  }
  const name = parts.at(-1) as string;
  const rows = shape[0] ?? 0;
  const compress = options.compression !== undefined && rows > 0;
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new DatasetError(`writing "${key}": ${data.length} entries do not fill shape ${formatShape(shape)}`);
  group.create_dataset({
    name,
    data,
    shape: [...shape],
    // Chunks of ~64k rows keep gzip effective without reading whole columns for a slice.
    ...(compress ? { chunks: [Math.min(rows, 65536), ...shape.slice(1)], compression: options.compression } : {}),
  });
}
