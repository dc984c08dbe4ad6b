import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../src/bench/run-sweep.js';
import { runDir, sweepRuns, type SweepDefinition } from '../../src/bench/sweep.js';
import { parseQueueUrl } from '../../src/distributed/queue-url.js';
import { FolderStore } from '../../src/distributed/results-store.js';
import { parseS3Url, S3Store } from '../../src/distributed/s3-store.js';
import { jobId, runKey, sweepId } from '../../src/distributed/run-job.js';
import { collectSweep, enqueueSweep, openRunQueue, sweepStatus } from '../../src/distributed/sweep-queue.js';
import type { RunJobResult } from '../../src/distributed/worker.js';
import type { RunSummary } from '../../src/loop/events.js';
import { runCliInProcess } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { S3RVER_CREDENTIALS, startS3Server } from '../helpers/s3-server.js';
import { THROWING_ENV } from '../fixtures/throwing-env.js';

const CLI = fileURLToPath(new URL('../helpers/rxrl-cli.ts', import.meta.url));
const THROWING_MODULE = fileURLToPath(new URL('../fixtures/throwing-env.ts', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'rxrl-queue-'));
let redis: RedisServer;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 20_000);

// A test that fails halfway must not leave a worker behind to take the next test's jobs.
afterEach(async () => {
  const alive = workers.filter((w) => w.exitCode === null && w.signalCode === null);
  for (const w of alive) w.kill('SIGKILL');
  await Promise.all(alive.map((w) => new Promise((resolve) => w.once('exit', resolve))));
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** `rxrl worker` in a process of its own; resolves once it waits for runs. */
async function startWorker(store: string, concurrency: number, more: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker', '--queue', redis.url, '--store', store, '--concurrency', String(concurrency), '--heartbeat-seconds', '1', ...more], { stdio: ['ignore', 'ignore', 'pipe'], env });
  workers.push(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  const t0 = Date.now();
  while (!log.includes('waiting for runs')) {
    if (child.exitCode !== null || Date.now() - t0 > 30_000) throw new Error(`the worker did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, log: () => log };
}

/** The steps of a run folder's checkpoint files (`checkpoints/step-<N>.json`). */
const checkpointSteps = (dir: string): number[] => {
  const folder = path.join(dir, 'checkpoints');
  return existsSync(folder) ? readdirSync(folder).flatMap((f) => /^step-(\d+)\.json$/.exec(f)?.slice(1).map(Number) ?? []) : [];
};
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
const timeless = ({ wallSeconds: _w, stepsPerSecond: _s, ...rest }: RunSummary) => rest;
const summaryIn = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
const flags = (d: SweepDefinition) => ['--algos', d.algos.join(','), '--envs', d.envs.join(','), '--seeds', String(d.seeds), '--steps', String(d.steps), '--eval-every', String(d.evalEvery), '--eval-episodes', String(d.evalEpisodes)];

describe('sweeps over a Redis queue (BullMQ)', () => {
  it('2 algos × 1 env × 4 seeds on 2 worker processes give the local sweep’s summaries; enqueuing twice adds nothing', async () => {
    const def: SweepDefinition = { algos: ['ppo', 'a2c'], envs: ['CartPole-v1'], seeds: 4, steps: 2048, evalEvery: 1024, evalEpisodes: 2 };
    const local = path.join(root, 'local');
    const out = path.join(root, 'queued');
    const store = path.join(root, 'store');
    await runSweep({ out: local, definition: def, workers: 2 });

    const first = await runCliInProcess('bench', ...flags(def), '--queue', redis.url);
    expect(first.err).toMatch(/8 run\(s\) enqueued/);
    const second = await runCliInProcess('bench', ...flags(def), '--queue', redis.url);
    expect(second.err).toMatch(/0 run\(s\) enqueued.*8 already there/);

    const a = await startWorker(store, 1);
    const b = await startWorker(store, 1);
    const collected = await runCliInProcess('bench', ...flags(def), '--queue', redis.url, '--collect', '--store', store, '--out', out);
    expect(collected.code).toBe(0);
    expect(collected.err).toMatch(/gathered 8 finished and 0 failed/);
    for (const run of sweepRuns(def)) expect(timeless(summaryIn(runDir(out, run))), run.name).toEqual(timeless(summaryIn(runDir(local, run))));
    for (const file of ['report.md', 'runs.csv', 'summary.json']) expect(existsSync(path.join(out, file))).toBe(true);
    // Both workers trained some of the runs.
    for (const w of [a, b]) expect(w.log()).toMatch(/done /);

    for (const w of [a, b]) w.child.kill('SIGTERM');
    await Promise.all([a, b].map((w) => exited(w.child)));
  }, 180_000);

  it('a worker killed mid-run: its runs move to another worker, continue from their checkpoints, and each completes once', async () => {
    const def: SweepDefinition = { algos: ['ppo'], envs: ['CartPole-v1'], seeds: 2, steps: 20_480, evalEvery: 4096, evalEpisodes: 2 };
    const store = path.join(root, 'store-kill');
    const queue = openRunQueue(parseQueueUrl(redis.url));
    try {
      expect(await enqueueSweep(queue, def, { checkpointEvery: 2048 })).toMatchObject({ added: 2, existing: 0 });
      const doomed = await startWorker(store, 2);
      const sweep = sweepId(def);
      const folders = sweepRuns(def).map((run) => path.join(store, runKey({ sweep, ...run })));
      // Kill it (and so its runs' processes) once a run has checkpointed past its start.
      const t0 = Date.now();
      for (;;) {
        const progressed = folders.some((f) => checkpointSteps(f).some((s) => s >= 4096) && !existsSync(path.join(f, 'summary.json')));
        if (progressed) break;
        if (Date.now() - t0 > 60_000) throw new Error(`no checkpoint within 60 s: ${doomed.log()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      doomed.child.kill('SIGKILL');
      await exited(doomed.child);
      expect(doomed.log()).not.toMatch(/done /);

      const rescuer = await startWorker(store, 2);
      const status = await collectSweep(queue, new FolderStore(store), def, path.join(root, 'queued-kill'), { pollSeconds: 0.5 });
      expect(status).toMatchObject({ total: 2, done: 2, failed: 0, queued: 0, active: 0 });

      const reference = path.join(root, 'local-kill');
      await runSweep({ out: reference, definition: def, workers: 2 });
      let resumed = 0;
      for (const [i, run] of sweepRuns(def).entries()) {
        const job = await queue.getJob(jobId(sweep, run));
        const result = job?.returnvalue as RunJobResult;
        const starts = readFileSync(path.join(folders[i]!, 'metrics.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('"type":"start"') || l.includes('"type":"done"'))
          .map((l) => JSON.parse(l) as { type: string; step: number; resumed?: boolean });
        // One done event: the run completed exactly once.
        expect(starts.filter((e) => e.type === 'done'), run.name).toHaveLength(1);
        if (result.resumedFrom > 0) {
          resumed++;
          expect(result.resumedFrom % 2048).toBe(0);
          expect(starts.filter((e) => e.type === 'start').map((e) => [e.step, e.resumed])).toEqual([
            [0, false],
            [result.resumedFrom, true],
          ]);
          expect(rescuer.log()).toContain(`continuing from its checkpoint at step ${result.resumedFrom}`);
        }
        // Resuming is exact: the same summary as an uninterrupted run.
        expect(timeless(result.summary), run.name).toEqual(timeless(summaryIn(runDir(reference, run))));
      }
      expect(resumed).toBeGreaterThanOrEqual(1);
      expect((await sweepStatus(queue, def)).done).toBe(2);
      // The killed worker's training processes died with it (theirs are the only processes whose arguments name a run folder of this store).
      expect(spawnSync('pgrep', ['-f', `${store}/`], { encoding: 'utf8' }).stdout.trim()).toBe('');
      rescuer.child.kill('SIGTERM');
      await exited(rescuer.child);
    } finally {
      await queue.close();
    }
  }, 240_000);

  it('an S3 store: a run killed on one machine continues on another from the checkpoint it uploaded', async () => {
    const def: SweepDefinition = { algos: ['ppo'], envs: ['CartPole-v1'], seeds: 1, steps: 20_480, evalEvery: 4096, evalEpisodes: 2 };
    const s3 = await startS3Server(path.join(root, 's3'), 'rxrl-runs');
    const queue = openRunQueue(parseQueueUrl(redis.url));
    const url = `s3://rxrl-runs/sweeps?endpoint=${s3.endpoint}`;
    // Each worker process trains in a temporary folder of its own, as on separate machines.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey };
    try {
      await enqueueSweep(queue, def, { checkpointEvery: 2048 });
      const doomed = await startWorker(url, 1, [], env);
      const t0 = Date.now();
      // Kill it once the bucket's latest.json points past the start: it goes up after its step file.
      const latestPast = (n: number) => {
        const past = s3.events.findIndex((e) => Number(/checkpoints\/step-(\d+)\.json$/.exec(e.key)?.[1] ?? 0) >= n);
        return past >= 0 && s3.events.slice(past + 1).some((e) => e.key.endsWith('checkpoints/latest.json'));
      };
      while (!latestPast(4096)) {
        if (Date.now() - t0 > 60_000) throw new Error(`no checkpoint uploaded within 60 s: ${doomed.log()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      doomed.child.kill('SIGKILL');
      await exited(doomed.child);
      expect(doomed.log()).not.toMatch(/done /);

      const rescuer = await startWorker(url, 1, [], env);
      const store = await S3Store.open({ ...parseS3Url(url), credentials: S3RVER_CREDENTIALS });
      const out = path.join(root, 'queued-s3');
      const status = await collectSweep(queue, store, def, out, { pollSeconds: 0.5 });
      expect(status).toMatchObject({ total: 1, done: 1, failed: 0 });
      const run = sweepRuns(def)[0]!;
      const result = (await queue.getJob(jobId(sweepId(def), run)))?.returnvalue as RunJobResult;
      expect(result.resumedFrom).toBeGreaterThanOrEqual(4096);
      expect(rescuer.log()).toContain(`continuing from its checkpoint at step ${result.resumedFrom}`);
      expect(rescuer.log()).not.toMatch(/saving .* failed/);
      const reference = path.join(root, 'local-s3');
      await runSweep({ out: reference, definition: def, workers: 1 });
      expect(timeless(summaryIn(runDir(out, run)))).toEqual(timeless(summaryIn(runDir(reference, run))));
      // The collected folder is the bucket's copy: the checkpoints of both attempts, the final one last.
      expect(Math.max(...checkpointSteps(runDir(out, run)))).toBe(def.steps);
      rescuer.child.kill('SIGTERM');
      await exited(rescuer.child);
    } finally {
      await queue.close();
      await s3.stop();
    }
  }, 240_000);

  it('a run that throws is retried up to its attempts, then reported as failed with its error', async () => {
    const def: SweepDefinition = { algos: ['ppo'], envs: [THROWING_ENV], seeds: 1, steps: 512, evalEvery: 256, evalEpisodes: 1 };
    const store = path.join(root, 'store-throw');
    const queue = openRunQueue(parseQueueUrl(redis.url));
    try {
      await enqueueSweep(queue, def, { attempts: 2, backoffSeconds: 0.2 });
      const w = await startWorker(store, 1, ['--preload', THROWING_MODULE]);
      const out = path.join(root, 'queued-throw');
      const status = await collectSweep(queue, new FolderStore(store), def, out, { pollSeconds: 0.2 });
      expect(status).toMatchObject({ total: 1, done: 0, failed: 1 });
      const job = await queue.getJob(jobId(sweepId(def), sweepRuns(def)[0]!));
      expect(job?.attemptsMade).toBe(2);
      expect(JSON.parse(readFileSync(path.join(runDir(out, sweepRuns(def)[0]!), 'error.json'), 'utf8'))).toMatchObject({ attempts: 2, error: expect.stringMatching(/boom: test\/Throwing-v0 cannot be built/) });
      expect(w.log()).toMatch(/FAILED .*attempt 1 of 2[\s\S]*FAILED .*attempt 2 of 2/);
      w.child.kill('SIGTERM');
      await exited(w.child);
    } finally {
      await queue.close();
    }
  }, 120_000);

  it('a worker that loses Redis waits, reconnects when it is back, and takes new runs', async () => {
    const store = path.join(root, 'store-reconnect');
    const w = await startWorker(store, 1);
    const port = redis.port;
    await redis.stop();
    const t0 = Date.now();
    while (!w.log().includes('queue connection:')) {
      if (Date.now() - t0 > 20_000) throw new Error(`the worker did not notice: ${w.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(w.child.exitCode).toBeNull();
    redis = await startRedis(port);
    const def: SweepDefinition = { algos: ['a2c'], envs: ['CartPole-v1'], seeds: 1, steps: 512, evalEvery: 256, evalEpisodes: 1 };
    const queue = openRunQueue(parseQueueUrl(redis.url));
    try {
      await enqueueSweep(queue, def);
      const status = await collectSweep(queue, new FolderStore(store), def, path.join(root, 'queued-reconnect'), { pollSeconds: 0.2 });
      expect(status).toMatchObject({ done: 1, failed: 0 });
      expect(w.log()).toMatch(/done .*a2c-CartPole-v1-s0/);
    } finally {
      await queue.close();
      w.child.kill('SIGTERM');
      await exited(w.child);
    }
  }, 120_000);
});
