/**
 * What the comparison benches share: running many `rxrl train` processes on a few workers
 * (a run whose folder holds a summary.json is reused, so an interrupted sweep continues) and
 * reading a finished run's evaluations and updates back from its metrics.jsonl.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSummary, TrainEvent, UpdateMetrics } from '../src/loop/events.js';

/** One training run: its folder and the `rxrl train` arguments besides `--out` and `--quiet`. */
export interface TrainJob {
  readonly dir: string;
  readonly args: readonly string[];
}

/** Runs the jobs without a summary.json, `workers` at a time, printing progress to stderr. */
export async function runTrainJobs(jobs: readonly TrainJob[], workers: number): Promise<void> {
  const pending = jobs.filter((j) => !existsSync(path.join(j.dir, 'summary.json')));
  console.error(`${jobs.length - pending.length}/${jobs.length} runs already done; running ${pending.length} on ${workers} workers`);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const run = (job: TrainJob) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/rxrl.js', 'train', ...job.args, '--out', job.dir, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${job.dir}: rxrl train exited with ${code}`))));
    });
  const worker = async () => {
    while (next < pending.length) {
      const job = pending[next++] as TrainJob;
      await run(job);
      done++;
      const elapsed = (performance.now() - started) / 1000;
      console.error(`[${done}/${pending.length}] ${job.dir} (${elapsed.toFixed(0)} s elapsed, ~${((elapsed / done) * (pending.length - done)).toFixed(0)} s left)`);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

/** A finished run as the reports read it. */
export interface RunRecord {
  /** Evaluations in order: step, mean return and success rate (0 where the env reports none). */
  readonly evals: { step: number; mean: number; success: number }[];
  readonly updates: { step: number; metrics: UpdateMetrics }[];
  readonly wallSeconds: number;
}

/** Reads a finished run's summary.json and metrics.jsonl. */
export function readRunRecord(dir: string): RunRecord {
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
  const evals: RunRecord['evals'] = [];
  const updates: RunRecord['updates'] = [];
  for (const line of readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const e = JSON.parse(line) as TrainEvent;
    if (e.type === 'eval') evals.push({ step: e.step, mean: e.result.mean, success: e.result.successRate ?? 0 });
    if (e.type === 'update') updates.push({ step: e.step, metrics: e.metrics });
  }
  return { evals, updates, wallSeconds: summary.wallSeconds };
}
