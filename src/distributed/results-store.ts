import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * Where workers keep the runs they train, and where a sweep's results are gathered from: each
 * run is a run folder (`summary.json`, `metrics.jsonl`, `checkpoints/`, …) under a key.
 * Implementations: {@link FolderStore} (a folder every machine mounts) and `S3Store` (a bucket;
 * runs train in a local copy that each save uploads). Keys are relative paths with `/` between
 * their parts, and the calls for one key never overlap.
 */
export interface ResultsStore {
  /** How it is shown in messages. */
  readonly description: string;
  /** A local folder to train `key` in, holding what earlier attempts saved (checkpoints, logs); created if needed. */
  workspace(key: string): Promise<string>;
  /** Makes the workspace's content durable in the store; called after every checkpoint and at the end. */
  save(key: string, dir: string): Promise<void>;
  /** Copies the run under `key` into `dest`; false when the store holds nothing under it. */
  fetch(key: string, dest: string): Promise<boolean>;
  /** The worker is done with the workspace of `key` (it was saved): a store that trains in a local copy may delete it. */
  release?(key: string): Promise<void>;
}

/** Throws unless `key` is a relative path of plain parts (no `.`, `..`, empty parts or backslashes). */
export function checkStoreKey(key: string): void {
  const parts = key.split('/');
  if (key.includes('\\') || parts.some((part) => part === '' || part === '.' || part === '..')) throw new ConfigError(`results store: key "${key}" is not a relative path of plain parts`);
}

/** A {@link ResultsStore} on a folder (local, or shared by every machine, e.g. over NFS): runs train in place. */
export class FolderStore implements ResultsStore {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `folder ${root}`;
  }

  private folder(key: string): string {
    checkStoreKey(key);
    const dir = path.resolve(this.root, key);
    if (!dir.startsWith(path.resolve(this.root) + path.sep)) throw new ConfigError(`results store: key "${key}" leaves the store's folder`);
    return dir;
  }

  async workspace(key: string): Promise<string> {
    const dir = this.folder(key);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async save(): Promise<void> {
    // The workspace is the store.
  }

  async fetch(key: string, dest: string): Promise<boolean> {
    const dir = this.folder(key);
    if (!existsSync(dir)) return false;
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(dir, dest, { recursive: true });
    return true;
  }
}

/**
 * `--store`: a folder path (`file://` URLs too), or `s3://BUCKET[/PREFIX]` with optional
 * `?endpoint=URL&region=R&path-style=true|false` for S3-compatible services (see `parseS3Url`).
 * An S3 store is checked (the bucket exists and the credentials may read it) before it is returned.
 */
export async function openResultsStore(spec: string): Promise<ResultsStore> {
  if (/^s3:\/\//i.test(spec)) {
    const { S3Store, parseS3Url } = await import('./s3-store.js');
    return S3Store.open(parseS3Url(spec));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) throw new ConfigError(`--store ${spec}: expected a folder path, a file:// URL or an s3:// URL`);
  const folder = spec.startsWith('file://') ? new URL(spec).pathname : spec;
  return new FolderStore(path.resolve(folder));
}
