import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Url, S3Store, type S3StoreOptions } from '../../src/distributed/s3-store.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../helpers/s3-server.js';

describe('s3:// store URLs', () => {
  it('reads bucket, prefix and the S3-compatible options', () => {
    expect(parseS3Url('s3://rxrl-runs')).toEqual({ bucket: 'rxrl-runs', prefix: '' });
    expect(parseS3Url('s3://rxrl-runs/team/sweeps/')).toEqual({ bucket: 'rxrl-runs', prefix: 'team/sweeps' });
    expect(parseS3Url('s3://rxrl-runs/x?endpoint=http://minio:9000&region=eu-west-1&path-style=false')).toEqual({
      bucket: 'rxrl-runs',
      prefix: 'x',
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      forcePathStyle: false,
    });
  });

  it('refuses what cannot be right, naming the problem', () => {
    expect(() => parseS3Url('s3://Bad_Bucket/x')).toThrow(/not a valid bucket name/);
    expect(() => parseS3Url('s3://key:secret@rxrl-runs/x')).toThrow(/AWS_ACCESS_KEY_ID/);
    expect(() => parseS3Url('s3://rxrl-runs/x?endpont=http://h')).toThrow(/unknown parameter "endpont"/);
    expect(() => parseS3Url('s3://rxrl-runs/x?endpoint=minio:9000')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseS3Url('s3://rxrl-runs/x?path-style=yes')).toThrow(/true or false/);
  });
});

describe('S3Store against an S3-compatible server (s3rver)', () => {
  let server: S3Server;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'rxrl-s3-test-'));
    server = await startS3Server(path.join(scratch, 'server'), 'rxrl-runs');
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The object events since the last call. */
  const takeEvents = async () => {
    await server.settle();
    return server.events.splice(0);
  };

  /** A store as one machine sees it, with its own local folder. */
  const open = (machine: string, extra: Partial<S3StoreOptions> = {}) =>
    S3Store.open({ bucket: 'rxrl-runs', prefix: 'team/sweeps', endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, cacheDir: path.join(scratch, machine), ...extra });

  it('checks the bucket and the credentials when it opens', async () => {
    await expect(open('m0', { bucket: 'no-such-bucket' })).rejects.toThrow(/the bucket does not exist; create it first/);
    await expect(open('m0', { credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'S3RVER' } })).rejects.toThrow(/access denied/);
    await expect(open('m0', { endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(/cannot open the store .*ECONNREFUSED.*check the endpoint/);
  });

  it('mirrors a run folder: uploads what changed, checkpoints before latest.json and summary.json last, deletes what is gone', async () => {
    const a = await open('machine-a');
    const dir = await a.workspace('sweep-1/ppo-CartPole-v1-s0');
    expect(dir.startsWith(path.join(scratch, 'machine-a'))).toBe(true);
    mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
    writeFileSync(path.join(dir, 'config.json'), '{"lr":0.0003}');
    writeFileSync(path.join(dir, 'metrics.jsonl'), '{"step":1}\n');
    writeFileSync(path.join(dir, 'checkpoints', 'step-000000100.json'), 'A'.repeat(5000));
    writeFileSync(path.join(dir, 'checkpoints', 'latest.json'), 'A'.repeat(5000));
    writeFileSync(path.join(dir, 'checkpoints', 'step-000000200.json.tmp'), 'half-written');
    writeFileSync(path.join(dir, 'summary.json'), '{"finalEval":{"mean":500}}');
    // Names listed after summary.json and latest.json, so that uploading in listing order would show.
    writeFileSync(path.join(dir, 'zz-notes.txt'), 'notes');
    writeFileSync(path.join(dir, 'checkpoints', 'step-000000150.json'), 'B'.repeat(5000));
    await takeEvents();
    await a.save('sweep-1/ppo-CartPole-v1-s0', dir);
    const prefix = 'team/sweeps/sweep-1/ppo-CartPole-v1-s0/';
    const events = await takeEvents();
    expect(events.every((e) => e.name === 'ObjectCreated:Put')).toBe(true);
    expect(events.map((e) => e.key).sort()).toEqual(['checkpoints/latest.json', 'checkpoints/step-000000100.json', 'checkpoints/step-000000150.json', 'config.json', 'metrics.jsonl', 'summary.json', 'zz-notes.txt'].map((k) => prefix + k));
    const order = events.map((e) => e.key.slice(prefix.length));
    expect(order.at(-1)).toBe('summary.json');
    expect(order.at(-2)).toBe('checkpoints/latest.json');

    // Nothing changed: nothing goes up.
    await a.save('sweep-1/ppo-CartPole-v1-s0', dir);
    expect(await takeEvents()).toEqual([]);

    // One file grows, one is deleted: one upload and one deletion.
    writeFileSync(path.join(dir, 'metrics.jsonl'), '{"step":1}\n{"step":2}\n');
    rmSync(path.join(dir, 'config.json'));
    await a.save('sweep-1/ppo-CartPole-v1-s0', dir);
    expect(await takeEvents()).toEqual([
      { name: 'ObjectCreated:Put', key: `${prefix}metrics.jsonl` },
      { name: 'ObjectRemoved:Delete', key: `${prefix}config.json` },
    ]);

    await a.release('sweep-1/ppo-CartPole-v1-s0');
    expect(existsSync(dir)).toBe(false);
  });

  it('another machine continues from what was saved, and fetch copies a run out', async () => {
    const a = await open('machine-c');
    const key = 'sweep-2/trpo-Pendulum-v1-s3';
    const dir = await a.workspace(key);
    mkdirSync(path.join(dir, 'checkpoints'));
    const checkpoint = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 256));
    writeFileSync(path.join(dir, 'checkpoints', 'latest.json'), checkpoint);
    writeFileSync(path.join(dir, 'metrics.jsonl'), 'one\n');
    await a.save(key, dir);

    // Leftovers in machine B's folder from an attempt that never saved are dropped: the bucket is the truth.
    const stale = path.join(scratch, 'machine-d', key);
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, 'summary.json'), '{"stale":true}');
    const b = await open('machine-d');
    const resumed = await b.workspace(key);
    expect(resumed).toBe(stale);
    expect(existsSync(path.join(resumed, 'summary.json'))).toBe(false);
    expect(readFileSync(path.join(resumed, 'checkpoints', 'latest.json')).equals(checkpoint)).toBe(true);
    expect(readFileSync(path.join(resumed, 'metrics.jsonl'), 'utf8')).toBe('one\n');

    // Files downloaded into the workspace count as saved: an unchanged save uploads nothing.
    await takeEvents();
    await b.save(key, resumed);
    expect(await takeEvents()).toEqual([]);

    const dest = path.join(scratch, 'collected', 'run');
    expect(await b.fetch(key, dest)).toBe(true);
    expect(readFileSync(path.join(dest, 'checkpoints', 'latest.json')).equals(checkpoint)).toBe(true);
    expect(await b.fetch('sweep-2/never-ran', path.join(scratch, 'collected', 'none'))).toBe(false);
  });

  it('lists page after page', async () => {
    const a = await open('machine-e', { listPageSize: 4 });
    const key = 'sweep-3/many';
    const dir = await a.workspace(key);
    for (let i = 0; i < 11; i++) writeFileSync(path.join(dir, `f${i}.txt`), String(i));
    await a.save(key, dir);
    const dest = path.join(scratch, 'collected', 'many');
    expect(await a.fetch(key, dest)).toBe(true);
    expect(readdirSync(dest).sort()).toEqual(Array.from({ length: 11 }, (_, i) => `f${i}.txt`).sort());
    expect(readFileSync(path.join(dest, 'f10.txt'), 'utf8')).toBe('10');
    // A save deletes across pages too.
    for (let i = 0; i < 9; i++) rmSync(path.join(dir, `f${i}.txt`));
    await a.save(key, dir);
    const again = path.join(scratch, 'collected', 'many-again');
    expect(await a.fetch(key, again)).toBe(true);
    expect(readdirSync(again).sort()).toEqual(['f10.txt', 'f9.txt']);
  });

  it('refuses keys that would leave the store', async () => {
    const a = await open('machine-f');
    await expect(a.workspace('../x')).rejects.toThrow(/not a relative path/);
    await expect(a.fetch('a/./b', path.join(scratch, 'x'))).rejects.toThrow(/not a relative path/);
  });
});
