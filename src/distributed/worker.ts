import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { runChild } from '../bench/pool.js';
import { LATEST, readCheckpoint } from '../loop/checkpoint.js';
import type { RunSummary } from '../loop/events.js';
import type { QueueLocation } from './queue-url.js';
import type { ResultsStore } from './results-store.js';
import { parseRunJob, RUN_QUEUE, runKey, type RunJob } from './run-job.js';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  readonly queue: QueueLocation;
  readonly store: ResultsStore;
  /** Runs trained at the same time, each in its own process. */
  readonly concurrency: number;
  /**
   * How long a job's lock lasts without renewal, and how often stalled jobs are looked for: a
   * worker that dies loses its jobs to the others after about twice this.
   */
  readonly heartbeatSeconds: number;
  /** Modules each run's process imports first (e.g. registering user envs). */
  readonly preload?: readonly string[];
  readonly onEvent?: (event: WorkerEvent) => void;
}

/** What a worker reports. */
export type WorkerEvent =
  | { readonly type: 'ready' }
  | { readonly type: 'start'; readonly job: string; readonly resumeFrom: number | null }
  | { readonly type: 'done'; readonly job: string; readonly finalEval: number | null; readonly wallSeconds: number }
  | { readonly type: 'failed'; readonly job: string; readonly error: string; readonly attempt: number; readonly attempts: number }
  | { readonly type: 'connection-error'; readonly error: string }
  /** A save after a checkpoint failed; the run goes on, and the next save uploads what this one missed. */
  | { readonly type: 'store-error'; readonly job: string; readonly error: string };

/** A job's result: the run's summary, and the step the attempt that finished it started from (0: from scratch). */
export interface RunJobResult {
  readonly summary: RunSummary;
  readonly resumedFrom: number;
}

/** A running worker. */
export interface RunWorker {
  /** Stops taking jobs and waits for the runs in flight; `force`: kills them instead, putting their jobs back in the queue (they continue from their checkpoints). */
  close(force?: boolean): Promise<void>;
}

/**
 * Pulls run jobs from the queue and trains each in its own process, as a local sweep does, in a
 * folder of the results store. A job whose folder holds a checkpoint (an earlier attempt died,
 * or its worker did) continues from it; one whose folder holds a summary is already done. A run
 * that fails throws, so BullMQ retries it up to the job's attempts and then keeps it as failed
 * with the error. Redis connections are retried for as long as it takes.
 */
export async function startWorker(options: WorkerOptions): Promise<RunWorker> {
  const stop = new AbortController();
  const emit = options.onEvent ?? (() => {});
  const processor = async (job: Job, token?: string): Promise<RunJobResult> => {
    let run: RunJob;
    try {
      run = parseRunJob(job.data);
    } catch (err) {
      // Bad job data stays bad: no retries.
      throw new UnrecoverableError((err as Error).message);
    }
    const key = runKey(run);
    const dir = await options.store.workspace(key);
    const done = path.join(dir, 'summary.json');
    // Finished by an attempt whose completion never reached Redis (e.g. the connection dropped).
    if (existsSync(done)) {
      const summary = JSON.parse(readFileSync(done, 'utf8')) as RunSummary;
      await options.store.release?.(key);
      return { summary, resumedFrom: 0 };
    }
    const resumeFrom = checkpointStep(dir);
    if (resumeFrom === null) for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
    const name = job.id ?? key;
    emit({ type: 'start', job: name, resumeFrom });
    // Saves after checkpoints run one after another, never overlapping (a store may take a while to upload).
    let saving = Promise.resolve();
    const saveInBackground = () => {
      saving = saving.then(() => options.store.save(key, dir)).catch((err: Error) => emit({ type: 'store-error', job: name, error: err.message }));
    };
    const result = await runChild(childJob(run, dir, resumeFrom !== null, options.preload ?? []), {
      signal: stop.signal,
      onProgress: (step) => void job.updateProgress(step).catch(() => {}),
      onCheckpoint: saveInBackground,
    });
    await saving;
    if (stop.signal.aborted) {
      // Stopped by its worker, not failed: back to the queue without using up an attempt.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (!result.ok) throw new Error(result.error);
    await options.store.save(key, dir);
    await options.store.release?.(key);
    emit({ type: 'done', job: name, finalEval: result.summary.finalEval?.mean ?? null, wallSeconds: result.summary.wallSeconds });
    return { summary: result.summary, resumedFrom: resumeFrom ?? 0 };
  };
  const worker = new Worker(RUN_QUEUE, processor, {
    connection: { ...options.queue.connection, maxRetriesPerRequest: null },
    concurrency: options.concurrency,
    lockDuration: options.heartbeatSeconds * 1000,
    stalledInterval: options.heartbeatSeconds * 1000,
    // A run may be taken over several times (machines come and go) before it counts as failed.
    maxStalledCount: 10,
  });
  worker.on('error', (err) => emit({ type: 'connection-error', error: err.message }));
  worker.on('failed', (job, err) => {
    if (job !== undefined) emit({ type: 'failed', job: job.id ?? '?', error: err.message, attempt: job.attemptsMade, attempts: job.opts.attempts ?? 1 });
  });
  await worker.waitUntilReady();
  emit({ type: 'ready' });
  return {
    async close(force = false) {
      // Killing the runs makes their processors return promptly (their jobs go back to the queue); then close normally.
      if (force) stop.abort();
      await worker.close();
    },
  };
}

/** The step of the run folder's latest checkpoint, or null when it has none. */
function checkpointStep(dir: string): number | null {
  const latest = path.join(dir, 'checkpoints', LATEST);
  if (!existsSync(latest)) return null;
  return (readCheckpoint(latest).loop as { step?: number }).step ?? 0;
}

function childJob(run: RunJob, dir: string, resume: boolean, preload: readonly string[]) {
  return { algo: run.algo, env: run.env, seed: run.seed, steps: run.steps, evalEvery: run.evalEvery, evalEpisodes: run.evalEpisodes, dir, preload, overrides: { checkpointEvery: run.checkpointEvery }, resume };
}
