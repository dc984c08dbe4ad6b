import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * Where workers keep the runs they train, and where a sweep's results are gathered from: each
 * run is a run folder (`summary.json`, `metrics.jsonl`, `checkpoints/`, …) under a key.
 * Implementations: {@link FolderStore} (a folder every machine mounts). An object store (S3)
 * would download the key's objects in {@link workspace} and upload in {@link save}.
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
}

/** A {@link ResultsStore} on a folder (local, or shared by every machine, e.g. over NFS): runs train in place. */
export class FolderStore implements ResultsStore {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `folder ${root}`;
  }

  private folder(key: string): string {
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

/** `--store`: a folder path (`file://` URLs too). Object-store URLs are refused with what to do instead. */
export function openResultsStore(spec: string): ResultsStore {
  if (/^s3:\/\//i.test(spec)) throw new ConfigError(`--store ${spec}: S3 buckets are not supported yet; mount the bucket as a folder (e.g. with s3fs or rclone mount) and pass that folder`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) throw new ConfigError(`--store ${spec}: expected a folder path (or a file:// URL)`);
  const folder = spec.startsWith('file://') ? new URL(spec).pathname : spec;
  return new FolderStore(path.resolve(folder));
}
