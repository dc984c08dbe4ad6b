/**
 * Entry point of one sweep run, started by {@link runChild} with `child_process.fork`. It trains
 * one (algo, env, seed) into its run folder and reports to the parent over IPC:
 * `progress` messages while training, `checkpoint` after each checkpoint is written, then exactly
 * one `done` or `error`.
 *
 * The job is the JSON in `argv[2]`. The child exits when the parent disconnects, so a sweep
 * that dies never leaves a run training on its own.
 */
import path from 'node:path';
import { resolveConfig } from '../agents/algorithms.js';
import { preloadModules } from '../core/user-module.js';
import { writeRunFolder } from '../loop/run-folder.js';
import { train } from '../loop/train.js';
import type { ChildJob, ChildMessage } from './pool.js';

const send = (msg: ChildMessage): Promise<void> => new Promise((resolve) => (process.send === undefined ? resolve() : process.send(msg, () => resolve())));

async function main(): Promise<void> {
  if (process.send === undefined) throw new Error('run-child is started by `rxrl bench` (child_process.fork), not directly');
  process.on('disconnect', () => process.exit(1));
  const job = JSON.parse(process.argv[2] ?? '') as ChildJob;
  await preloadModules(job.preload);
  const run =
    job.resume === true
      ? train({ resumeFrom: job.dir })
      : train({ config: resolveConfig({ ...job.overrides, algo: job.algo, env: job.env, seed: job.seed, totalSteps: job.steps, evalEvery: job.evalEvery, evalEpisodes: job.evalEpisodes }), checkpointDir: path.join(job.dir, 'checkpoints') });
  writeRunFolder(job.dir, run.events$);
  let lastSent = 0;
  let final: ChildMessage | undefined;
  run.events$.subscribe({
    next: (e) => {
      if (e.type === 'update' && performance.now() - lastSent > 500) {
        lastSent = performance.now();
        void send({ type: 'progress', step: e.step });
      }
      if (e.type === 'checkpoint') void send({ type: 'checkpoint', step: e.step });
      if (e.type === 'done') final = { type: 'done', summary: e.summary };
    },
    error: (err: Error) => (final = { type: 'error', error: `${err.name}: ${err.message}` }),
  });
  await run.finished;
  await send(final ?? { type: 'error', error: 'the run stopped before completing' });
  process.exit(final?.type === 'done' ? 0 : 1);
}

main().catch(async (err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  await send({ type: 'error', error: `${e.name}: ${e.message}` });
  process.exit(1);
});
