import { lockFolder } from './folder-lock.js';
import { runChild, runPool } from './pool.js';
import { writeResults, writeRunFailure, type RunRecord, type SweepSummary, type ThresholdOption } from './results.js';
import { pendingRuns, prepareSweepFolder, runDir, sweepRuns, type SweepDefinition, type SweepRun } from './sweep.js';

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** The sweep folder: `sweep.json`, `runs/<algo>-<env>-s<seed>/`, and the results. */
  readonly out: string;
  readonly definition: SweepDefinition;
  /** Runs trained at the same time, each in its own process. */
  readonly workers: number;
  /** Steps-to-threshold target for every env, or per env id (default: each env's registered reward threshold). */
  readonly threshold?: ThresholdOption;
  /** Modules each child imports before training (e.g. registering user envs). */
  readonly preload?: readonly string[];
  /** Aborting kills the running children; no results are written. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: SweepEvent) => void;
}

/** What a sweep reports while it runs. */
export type SweepEvent =
  | { readonly type: 'plan'; readonly total: number; readonly finished: number; readonly pending: number }
  | { readonly type: 'start'; readonly run: SweepRun }
  | { readonly type: 'progress'; readonly run: SweepRun; readonly step: number }
  | { readonly type: 'done'; readonly run: SweepRun; readonly finalEval: number | null; readonly wallSeconds: number }
  | { readonly type: 'failed'; readonly run: SweepRun; readonly error: string };

/** What {@link runSweep} did. */
export interface SweepResult {
  /** Runs trained by this invocation (finished or failed). */
  readonly ran: number;
  /** Runs already finished by an earlier invocation. */
  readonly skipped: number;
  readonly failed: number;
  /** True when `signal` aborted it; then `records` and `summary` are absent. */
  readonly interrupted: boolean;
  readonly records?: readonly RunRecord[];
  readonly summary?: SweepSummary;
}

/**
 * Runs a sweep: every (algo, env, seed) of the definition not finished yet, each in its own
 * child process, at most `workers` at a time; then writes `runs.csv`, `summary.json` and
 * `report.md`. A run whose child fails gets an `error.json` in its folder and is reported as
 * failed; the next invocation retries it. The folder is locked while it runs (`lockFolder`).
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  prepareSweepFolder(options.out, options.definition);
  const release = lockFolder(options.out, 'sweep');
  try {
    return await runLocked(options);
  } finally {
    release();
  }
}

async function runLocked(options: SweepOptions): Promise<SweepResult> {
  const { out, definition: def } = options;
  const total = sweepRuns(def).length;
  const pending = pendingRuns(out, def);
  options.onEvent?.({ type: 'plan', total, finished: total - pending.length, pending: pending.length });
  let failed = 0;
  let ran = 0;
  await runPool(
    pending,
    options.workers,
    async (run) => {
      const dir = runDir(out, run);
      options.onEvent?.({ type: 'start', run });
      const t0 = performance.now();
      const result = await runChild(
        { algo: run.algo, env: run.env, seed: run.seed, steps: def.steps, evalEvery: def.evalEvery, evalEpisodes: def.evalEpisodes, dir, preload: options.preload ?? [] },
        { ...(options.signal !== undefined ? { signal: options.signal } : {}), onProgress: (step) => options.onEvent?.({ type: 'progress', run, step }) },
      );
      if (options.signal?.aborted === true) return;
      ran++;
      if (result.ok) {
        options.onEvent?.({ type: 'done', run, finalEval: result.summary.finalEval?.mean ?? null, wallSeconds: result.summary.wallSeconds });
      } else {
        failed++;
        const wallSeconds = (performance.now() - t0) / 1000;
        writeRunFailure(dir, { error: result.error, wallSeconds });
        options.onEvent?.({ type: 'failed', run, error: result.error });
      }
    },
    options.signal,
  );
  const skipped = total - pending.length;
  if (options.signal?.aborted === true) return { ran, skipped, failed, interrupted: true };
  const { records, summary } = writeResults(out, def, options.threshold);
  return { ran, skipped, failed, interrupted: false, records, summary };
}
