/**
 * The queue's overhead and capacity (docs/distributed.md).
 *
 *   npm run bench:queue [-- --algos ppo,a2c --envs CartPole-v1 --seeds 4 --steps 50000 --noop-jobs 5000]
 *
 * 1. The same sweep three ways on this machine: `rxrl bench --workers 2` (local), and through a
 *    throwaway redis-server with 2 `rxrl worker` processes (enqueue → collect); wall-clock
 *    seconds of each and their ratio, and whether the runs' summaries agree.
 * 2. What the queue itself sustains: no-op jobs added in bulk and processed by one worker at
 *    concurrency 50, jobs per second end to end.
 * Needs `redis-server` (apt-get install -y redis-server) and a built CLI (npm run build).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { startRedis } from '../test/helpers/redis.js';

const { values } = parseArgs({
  options: {
    algos: { type: 'string', default: 'ppo,a2c' },
    envs: { type: 'string', default: 'CartPole-v1' },
    seeds: { type: 'string', default: '4' },
    steps: { type: 'string', default: '50000' },
    'noop-jobs': { type: 'string', default: '5000' },
  },
});
const root = mkdtempSync(path.join(tmpdir(), 'rxrl-bench-queue-'));
const redis = await startRedis();
const sweep = ['--algos', values.algos, '--envs', values.envs, '--seeds', values.seeds, '--steps', values.steps, '--quiet'];
const rxrl = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/rxrl.js', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rxrl ${args.join(' ')} failed: ${r.stderr}`);
};
const timed = (f: () => void | Promise<void>) => async () => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};

try {
  const local = path.join(root, 'local');
  const localSeconds = await timed(() => rxrl('bench', ...sweep, '--workers', '2', '--out', local))();

  const store = path.join(root, 'store');
  const queued = path.join(root, 'queued');
  const workers: ChildProcess[] = [];
  const queuedSeconds = await timed(async () => {
    rxrl('bench', ...sweep, '--queue', redis.url);
    for (let i = 0; i < 2; i++) workers.push(spawn(process.execPath, ['bin/rxrl.js', 'worker', '--queue', redis.url, '--store', store, '--quiet'], { stdio: 'ignore' }));
    rxrl('bench', ...sweep, '--queue', redis.url, '--collect', '--store', store, '--out', queued);
  })();
  for (const w of workers) w.kill('SIGTERM');

  const runs = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { runs: { ok: number } }).runs.ok;
  const csv = (dir: string) =>
    readFileSync(path.join(dir, 'runs.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(',').slice(0, 8).join(','));
  const same = JSON.stringify(csv(local)) === JSON.stringify(csv(queued));
  console.log(`sweep ${values.algos} × ${values.envs} × ${values.seeds} seeds × ${values.steps} steps: local --workers 2 ${localSeconds.toFixed(1)} s (${runs(local)} runs), queue + 2 workers ${queuedSeconds.toFixed(1)} s (${runs(queued)} runs); queue / local = ${(queuedSeconds / localSeconds).toFixed(3)}; results ${same ? 'identical' : 'DIFFER'} (runs.csv without wall times)`);

  // The queue's own capacity: no-op jobs.
  const n = Number(values['noop-jobs']);
  const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const queue = new Queue('noop', { connection });
  const events = new QueueEvents('noop', { connection });
  await events.waitUntilReady();
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(
      'noop',
      async () => {
        if (++done === n) setImmediate(() => void worker.close().then(() => resolve()));
      },
      { connection, concurrency: 50 },
    );
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i += 500) await queue.addBulk(Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { jobId: `noop-${i + k}`, removeOnComplete: true } })));
  const addSeconds = (performance.now() - t0) / 1000;
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  console.log(`no-op jobs: ${n} added in ${addSeconds.toFixed(2)} s and processed in ${seconds.toFixed(2)} s by one worker at concurrency 50: ${(n / seconds).toFixed(0)} jobs/s end to end`);
  await events.close();
  await queue.close();
} finally {
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
}
