import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Observable, Subscription } from 'rxjs';
import type { TrainEvent } from './events.js';

/**
 * The run folder, an interface users script against (documented in docs/runs.md):
 *
 * - `config.json`    the resolved configuration
 * - `metrics.jsonl`  every event, one JSON object per line
 * - `progress.csv`   one row per update: step, time, speed, recent return, losses
 * - `checkpoints/`   `step-<N>.json` and `latest.json` (written by the training loop)
 * - `summary.json`   written when the run completes
 */
export const PROGRESS_COLUMNS = [
  'step',
  'iteration',
  'wall_seconds', // seconds since this process started the run (a resumed run starts again at 0)
  'steps_per_second',
  'episodes',
  'mean_return_10',
  'policy_loss',
  'value_loss',
  'entropy',
  'approx_kl',
  'clip_fraction',
  'explained_variance',
  'grad_norm',
  'learning_rate',
] as const;

/** A fresh run folder name under `root`: `root/<base>`, or `root/<base>-2`, `-3`, … if taken. */
export function uniqueRunDir(root: string, base: string): string {
  let dir = path.join(root, base);
  for (let k = 2; existsSync(dir); k++) dir = path.join(root, `${base}-${k}`);
  return dir;
}

/**
 * Cuts a run folder's logs back to the checkpoint at `step` that a resumed run continues from:
 * an earlier process may have run (and logged) past it before it stopped, and the resumed run
 * will redo those steps. `metrics.jsonl` keeps the events before `step` and those at `step` up
 * to its checkpoint event; `progress.csv` keeps the rows up to `step`.
 */
export function truncateRunFolder(dir: string, step: number): void {
  const metricsFile = path.join(dir, 'metrics.jsonl');
  if (existsSync(metricsFile)) {
    const lines = readFileSync(metricsFile, 'utf8').split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as { type: string; step: number });
    let end = events.findIndex((e) => e.step > step);
    if (end < 0) end = events.length;
    const checkpointAt = events.findLastIndex((e, i) => i < end && e.type === 'checkpoint' && e.step === step);
    if (checkpointAt >= 0) end = checkpointAt + 1;
    writeFileSync(metricsFile, lines.slice(0, end).map((l) => `${l}\n`).join(''));
  }
  const progressFile = path.join(dir, 'progress.csv');
  if (existsSync(progressFile)) {
    const [header, ...rows] = readFileSync(progressFile, 'utf8').split('\n').filter((l) => l !== '');
    writeFileSync(progressFile, [header, ...rows.filter((r) => Number(r.split(',')[0]) <= step)].map((l) => `${l}\n`).join(''));
  }
}

/**
 * Writes a run's events into its folder. Lines are buffered and appended at every update,
 * evaluation, checkpoint and at the end, so a crashed run keeps everything up to its last update.
 */
export function writeRunFolder(dir: string, events$: Observable<TrainEvent>): Subscription {
  mkdirSync(dir, { recursive: true });
  const metricsFile = path.join(dir, 'metrics.jsonl');
  const progressFile = path.join(dir, 'progress.csv');
  if (!existsSync(progressFile)) writeFileSync(progressFile, `${PROGRESS_COLUMNS.join(',')}\n`);
  let pending: string[] = [];
  const started = performance.now();
  let episodes = 0;
  const recent: number[] = [];
  let lastSpeed = 0;
  const flush = () => {
    if (pending.length === 0) return;
    appendFileSync(metricsFile, pending.join(''));
    pending = [];
  };
  return events$.subscribe({
    next: (e) => {
      pending.push(`${JSON.stringify(e)}\n`);
      switch (e.type) {
        case 'start':
          if (e.resumed) truncateRunFolder(dir, e.step);
          writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(e.config, null, 2)}\n`);
          break;
        case 'episode':
          episodes++;
          recent.push(e.return);
          if (recent.length > 10) recent.shift();
          return;
        case 'rollout':
          lastSpeed = e.stepsPerSecond;
          return;
        case 'update': {
          const m = e.metrics;
          const mean = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : Number.NaN;
          const row = [e.step, e.iteration, (performance.now() - started) / 1000, lastSpeed, episodes, mean, m.policyLoss, m.valueLoss, m.entropy, m.approxKl, m.clipFraction, m.explainedVariance, m.gradNorm, m.learningRate];
          appendFileSync(progressFile, `${row.map((v) => (Number.isFinite(v) ? String(v) : '')).join(',')}\n`);
          break;
        }
        case 'done':
          writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(e.summary, null, 2)}\n`);
          break;
        default:
          break;
      }
      flush();
    },
    error: () => flush(),
    complete: () => flush(),
  });
}
