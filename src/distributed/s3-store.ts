import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { runPool } from '../bench/pool.js';
import { ConfigError } from '../core/errors.js';
import { checkStoreKey, type ResultsStore } from './results-store.js';

/** Where an {@link S3Store} keeps its runs, and how it reaches the bucket. */
export interface S3StoreOptions {
  readonly bucket: string;
  /** Folder inside the bucket ('' for its root); keys live under `prefix/`. */
  readonly prefix: string;
  /** An S3-compatible service (MinIO, Ceph, R2, …) instead of AWS, e.g. `http://localhost:9000`. */
  readonly endpoint?: string;
  /** Default: the AWS configuration's (AWS_REGION, the profile), or `us-east-1` with an endpoint. */
  readonly region?: string;
  /** Bucket in the path (`endpoint/bucket/key`) rather than the host name; default true with an endpoint (MinIO needs it). */
  readonly forcePathStyle?: boolean;
  /** Default: the AWS credential chain (environment, shared config and profiles, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Local folder the runs train in; default a new folder under the system's temporary folder. */
  readonly cacheDir?: string;
  /** Objects per listing request; default 1000, the most S3 returns. */
  readonly listPageSize?: number;
}

/** Size and modification time of a local file when it was last made equal to its object. */
interface Synced {
  readonly size: number;
  readonly mtimeMs: number;
}

const MISSING_SDK = 'S3 results stores need the AWS SDK, an optional dependency: npm install @aws-sdk/client-s3';
/** Objects uploaded or downloaded at once. */
const PARALLEL_TRANSFERS = 4;

/**
 * `s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true|false]` as {@link S3StoreOptions};
 * throws a {@link ConfigError} naming what is wrong.
 */
export function parseS3Url(spec: string): S3StoreOptions {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new ConfigError(`--store ${spec}: not a URL; expected s3://BUCKET[/PREFIX]`);
  }
  if (url.protocol !== 's3:') throw new ConfigError(`--store ${spec}: expected an s3:// URL`);
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError(`--store ${spec}: "${bucket}" is not a valid bucket name (3–63 lower-case letters, digits, dots and hyphens)`);
  if (url.username !== '' || url.password !== '') throw new ConfigError(`--store ${spec}: credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)`);
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  const known = new Set(['endpoint', 'region', 'path-style']);
  for (const name of url.searchParams.keys()) {
    if (!known.has(name)) throw new ConfigError(`--store ${spec}: unknown parameter "${name}" (known: ${[...known].join(', ')})`);
  }
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) throw new ConfigError(`--store ${spec}: endpoint "${endpoint}" should be an http:// or https:// URL`);
  const pathStyle = url.searchParams.get('path-style');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') throw new ConfigError(`--store ${spec}: path-style should be true or false, not "${pathStyle}"`);
  const region = url.searchParams.get('region') ?? undefined;
  return {
    bucket,
    prefix,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(pathStyle !== null ? { forcePathStyle: pathStyle === 'true' } : {}),
  };
}

/**
 * A {@link ResultsStore} on an S3 bucket (or an S3-compatible service): each run trains in a
 * local folder, and {@link save} uploads the files that changed since the last save and deletes
 * the objects of files that are gone, so the bucket mirrors the folder. Checkpoint files go up
 * before `latest.json`, and `summary.json` last, so a reader never finds a summary, or a latest
 * checkpoint, whose files are not there yet. {@link workspace} starts from what the bucket
 * holds, so a run continues from the checkpoint its last attempt saved, on any machine.
 * Open with {@link S3Store.open}; needs the optional dependency `@aws-sdk/client-s3`.
 */
export class S3Store implements ResultsStore {
  readonly description: string;
  /** What each local file was when it last matched the bucket, by key and relative path. */
  private readonly synced = new Map<string, Map<string, Synced>>();

  private constructor(
    private readonly client: S3Client,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
    private readonly options: S3StoreOptions,
    private readonly cacheDir: string,
  ) {
    this.description = `S3 s3://${options.bucket}/${options.prefix}${options.endpoint !== undefined ? ` at ${options.endpoint}` : ''}`;
  }

  /** Loads the SDK, connects, and checks that the bucket exists and can be listed. */
  static async open(options: S3StoreOptions): Promise<S3Store> {
    let sdk: typeof import('@aws-sdk/client-s3');
    try {
      sdk = await import('@aws-sdk/client-s3');
    } catch {
      throw new ConfigError(MISSING_SDK);
    }
    const custom = options.endpoint !== undefined;
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (custom ? 'us-east-1' : undefined);
    const client = new sdk.S3Client({
      ...(region !== undefined ? { region } : {}),
      ...(custom ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? custom,
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      // Not every S3-compatible service accepts the checksums AWS's SDK sends by default.
      ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    });
    const cacheDir = options.cacheDir ?? mkdtempSync(path.join(os.tmpdir(), 'rxrl-s3-'));
    const store = new S3Store(client, sdk, options, path.resolve(cacheDir));
    try {
      // A one-key listing: checks the bucket, the credentials and the permission the store needs most.
      await client.send(new sdk.ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix === '' ? undefined : `${options.prefix}/`, MaxKeys: 1 }));
    } catch (err) {
      throw store.explain(err, 'open');
    }
    return store;
  }

  async workspace(key: string): Promise<string> {
    checkStoreKey(key);
    const dir = path.join(this.cacheDir, key);
    // The bucket is the truth: whatever an earlier attempt left here locally is dropped.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const synced = new Map<string, Synced>();
    await this.download(key, dir, synced);
    this.synced.set(key, synced);
    return dir;
  }

  async save(key: string, dir: string): Promise<void> {
    checkStoreKey(key);
    const synced = this.synced.get(key) ?? new Map<string, Synced>();
    this.synced.set(key, synced);
    const local = listFiles(dir);
    const changed = local.filter((file) => {
      const before = synced.get(file.relative);
      return before === undefined || before.size !== file.size || before.mtimeMs !== file.mtimeMs;
    });
    // Reading every file first takes one snapshot of the folder, which the run keeps writing meanwhile.
    const snapshot = changed.flatMap((file) => {
      const body = readIfPresent(path.join(dir, file.relative));
      return body === undefined ? [] : [{ ...file, body }];
    });
    const last = (relative: string) => (relative === 'summary.json' ? 2 : path.basename(relative) === 'latest.json' ? 1 : 0);
    for (const stage of [0, 1, 2]) {
      await runPool(snapshot.filter((file) => last(file.relative) === stage), PARALLEL_TRANSFERS, async (file) => {
        try {
          await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key, file.relative), Body: file.body }));
        } catch (err) {
          throw this.explain(err, `upload ${file.relative} of ${key}`);
        }
        synced.set(file.relative, { size: file.size, mtimeMs: file.mtimeMs });
      });
    }
    const present = new Set(local.map((file) => file.relative));
    const gone = (await this.list(key)).filter((relative) => !present.has(relative));
    await runPool(gone, PARALLEL_TRANSFERS, async (relative) => {
      try {
        await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key, relative) }));
      } catch (err) {
        throw this.explain(err, `delete ${relative} of ${key}`);
      }
      synced.delete(relative);
    });
  }

  async fetch(key: string, dest: string): Promise<boolean> {
    checkStoreKey(key);
    mkdirSync(dest, { recursive: true });
    return (await this.download(key, dest, new Map())) > 0;
  }

  async release(key: string): Promise<void> {
    checkStoreKey(key);
    this.synced.delete(key);
    rmSync(path.join(this.cacheDir, key), { recursive: true, force: true });
  }

  private objectKey(key: string, relative = ''): string {
    return [this.options.prefix, key, relative].filter((part) => part !== '').join('/');
  }

  /** The relative paths of the objects under `key`. */
  private async list(key: string): Promise<string[]> {
    const prefix = `${this.objectKey(key)}/`;
    const found: string[] = [];
    // Pages continue after the last key seen (StartAfter) rather than by continuation token,
    // which not every S3-compatible service implements.
    let after: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.client.send(new this.sdk.ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, MaxKeys: this.options.listPageSize ?? 1000, ...(after !== undefined ? { StartAfter: after } : {}) }));
      } catch (err) {
        throw this.explain(err, `list ${key}`);
      }
      const keys = (page.Contents ?? []).map((object) => object.Key).filter((k): k is string => k !== undefined);
      for (const k of keys) if (k.length > prefix.length) found.push(k.slice(prefix.length));
      if (page.IsTruncated !== true || keys.length === 0) return found;
      after = keys[keys.length - 1];
    }
  }

  /** Downloads every object under `key` into `dir`, recording each file in `synced`; returns how many. */
  private async download(key: string, dir: string, synced: Map<string, Synced>): Promise<number> {
    const objects = await this.list(key);
    await runPool(objects, PARALLEL_TRANSFERS, async (relative) => {
      const file = path.resolve(dir, relative);
      if (!file.startsWith(path.resolve(dir) + path.sep)) throw new ConfigError(`${this.description}: object "${relative}" under ${key} would leave the run's folder`);
      let body: Uint8Array;
      try {
        const object = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key, relative) }));
        if (object.Body === undefined) throw new Error('the response has no body');
        body = await object.Body.transformToByteArray();
      } catch (err) {
        throw this.explain(err, `download ${relative} of ${key}`);
      }
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, body);
      const stat = statSync(file);
      synced.set(relative, { size: stat.size, mtimeMs: stat.mtimeMs });
    });
    return objects.length;
  }

  /** The SDK's error as one that names the bucket, what was being done, and what to check. */
  private explain(err: unknown, doing: string): Error {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const where = `s3://${this.options.bucket}${this.options.endpoint !== undefined ? ` at ${this.options.endpoint}` : ''}`;
    if (e.name === 'NoSuchBucket' || (doing === 'open' && status === 404)) return new ConfigError(`${where}: the bucket does not exist; create it first (e.g. aws s3 mb s3://${this.options.bucket})`);
    if (e.name === 'CredentialsProviderError') return new ConfigError(`${where}: no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`);
    if (status === 403 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
      return new ConfigError(`${where}: access denied (${doing}): check the credentials and that they may list, read, write and delete in the bucket`);
    }
    if (/region/i.test(e.message ?? '') && this.options.region === undefined) return new ConfigError(`${where}: ${e.message}; set AWS_REGION or add ?region=… to the URL`);
    // Failing to open is a matter of configuration (endpoint, network), not of a run.
    if (doing === 'open') return new ConfigError(`${where}: cannot open the store (${e.name ?? 'Error'}: ${e.message ?? String(err)}); check the endpoint and the network`);
    return new Error(`${where}: ${doing} failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
  }
}

/** The file's bytes, or undefined when it has gone since it was listed. */
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Every file under `dir` (recursively), but not the temporary files checkpoints are written through. */
function listFiles(dir: string): { relative: string; size: number; mtimeMs: number }[] {
  const files: { relative: string; size: number; mtimeMs: number }[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const relative = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile() && !entry.name.endsWith('.tmp')) {
        const stat = statSync(path.join(dir, relative));
        files.push({ relative, size: stat.size, mtimeMs: stat.mtimeMs });
      }
    }
  };
  walk('');
  return files;
}
