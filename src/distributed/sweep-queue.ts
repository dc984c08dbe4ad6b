import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue, type JobsOptions, type JobState } from 'bullmq';
import { prepareSweepFolder, runDir, sweepRuns, validateDefinition, type SweepDefinition, type SweepRun } from '../bench/sweep.js';
import type { QueueLocation } from './queue-url.js';
import type { ResultsStore } from './results-store.js';
import { jobId, RUN_QUEUE, runJob, runKey, sweepId } from './run-job.js';

/** How a queued sweep's runs stand. */
export interface SweepStatus {
  readonly sweep: string;
  readonly total: number;
  /** Waiting (or delayed before a retry) for a worker. */
  readonly queued: number;
  readonly active: number;
  readonly done: number;
  /** Failed after their last attempt. */
  readonly failed: number;
  /** Not in the queue: the sweep was not enqueued (or its jobs were removed). */
  readonly missing: number;
}

/** Options of {@link enqueueSweep}. */
export interface EnqueueOptions {
  /** Checkpoint cadence of every run (default a tenth of its steps): what a run taken over by another worker continues from. */
  readonly checkpointEvery?: number;
  /** Attempts per run before it counts as failed (default 3), with exponential back-off between them. */
  readonly attempts?: number;
  /** The first back-off (default 5 s), doubling with every further attempt. */
  readonly backoffSeconds?: number;
}

/** Opens the run queue (callers close it). Commands fail fast when Redis is unreachable instead of waiting forever. */
export function openRunQueue(location: QueueLocation): Queue {
  return new Queue(RUN_QUEUE, { connection: { ...location.connection, maxRetriesPerRequest: 3, retryStrategy: (times: number) => (times > 5 ? null : 200 * times) } });
}

/**
 * Adds every run of the sweep as a job whose id is derived from the sweep and the run, so
 * enqueuing the same sweep again (from anywhere) adds nothing. Returns how many were new.
 */
export async function enqueueSweep(queue: Queue, def: SweepDefinition, options: EnqueueOptions = {}): Promise<{ sweep: string; added: number; existing: number }> {
  validateDefinition(def);
  const sweep = sweepId(def);
  const checkpointEvery = options.checkpointEvery ?? Math.max(1, Math.floor(def.steps / 10));
  const jobOptions: JobsOptions = { attempts: options.attempts ?? 3, backoff: { type: 'exponential', delay: (options.backoffSeconds ?? 5) * 1000 }, removeOnComplete: false, removeOnFail: false };
  let added = 0;
  let existing = 0;
  for (const run of sweepRuns(def)) {
    const id = jobId(sweep, run);
    if ((await queue.getJob(id)) !== undefined) {
      existing++;
      continue;
    }
    await queue.add(run.name, runJob(def, run, checkpointEvery), { ...jobOptions, jobId: id });
    added++;
  }
  return { sweep, added, existing };
}

type RunStates = { run: SweepRun; state: JobState | 'unknown' }[];

async function runStates(queue: Queue, def: SweepDefinition): Promise<RunStates> {
  const sweep = sweepId(def);
  return Promise.all(sweepRuns(def).map(async (run) => ({ run, state: await queue.getJobState(jobId(sweep, run)) })));
}

function countStates(sweep: string, states: RunStates): SweepStatus {
  const count = (...s: string[]) => states.filter((x) => s.includes(x.state)).length;
  return { sweep, total: states.length, queued: count('waiting', 'delayed', 'prioritized', 'waiting-children'), active: count('active'), done: count('completed'), failed: count('failed'), missing: count('unknown') };
}

/** Counts the sweep's runs by state. */
export async function sweepStatus(queue: Queue, def: SweepDefinition): Promise<SweepStatus> {
  validateDefinition(def);
  return countStates(sweepId(def), await runStates(queue, def));
}

/** Options of {@link collectSweep}. */
export interface CollectOptions {
  /** Wait until every run is done or failed (default true); otherwise gather what is finished now. */
  readonly wait?: boolean;
  readonly pollSeconds?: number;
  readonly onStatus?: (status: SweepStatus) => void;
  readonly signal?: AbortSignal;
}

/**
 * Gathers a queued sweep into the sweep folder `out`, as a local `rxrl bench` would have left
 * it: each finished run's folder copied from the store into `runs/`, each failed one an
 * `error.json` with the error of its last attempt. Waits for the runs in flight first (unless
 * `wait` is false). Returns the final status; the caller writes the results and report.
 */
export async function collectSweep(queue: Queue, store: ResultsStore, def: SweepDefinition, out: string, options: CollectOptions = {}): Promise<SweepStatus> {
  prepareSweepFolder(out, def);
  const sweep = sweepId(def);
  // One snapshot of the states serves both the status returned and the runs gathered.
  let states = await runStates(queue, def);
  let status = countStates(sweep, states);
  if (status.missing === status.total) throw new Error(`none of the sweep's ${status.total} runs is in the queue (sweep ${status.sweep}); enqueue it first with the same --algos/--envs/--seeds/--steps/--eval-every/--eval-episodes`);
  while (options.wait !== false && status.queued + status.active > 0 && options.signal?.aborted !== true) {
    options.onStatus?.(status);
    await new Promise((resolve) => setTimeout(resolve, (options.pollSeconds ?? 1) * 1000));
    states = await runStates(queue, def);
    status = countStates(sweep, states);
  }
  options.onStatus?.(status);
  for (const { run, state } of states) {
    const dest = runDir(out, run);
    if (state === 'completed') {
      if (!(await store.fetch(runKey({ sweep, algo: run.algo, env: run.env, seed: run.seed }), dest))) throw new Error(`run ${run.name} is done but ${store.description} has no folder for it: is this the store the workers use?`);
    } else if (state === 'failed') {
      const job = await queue.getJob(jobId(sweep, run));
      mkdirSync(dest, { recursive: true });
      writeFileSync(path.join(dest, 'error.json'), `${JSON.stringify({ error: job?.failedReason ?? 'failed', attempts: job?.attemptsMade ?? null }, null, 2)}\n`);
    }
  }
  return status;
}
