import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunSummary } from '../loop/events.js';

/** What one child trains (serialised into its argv). */
export interface ChildJob {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  readonly steps: number;
  readonly evalEvery: number;
  readonly evalEpisodes: number;
  /** The run folder. */
  readonly dir: string;
  /** Modules the child imports before training, e.g. to register user envs. */
  readonly preload: readonly string[];
  /** More configuration keys (e.g. an offline run's `dataset` and network sizes); the fields above win. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Continue the run in `dir` from its latest checkpoint (with its saved configuration) instead of starting it. */
  readonly resume?: boolean;
}

/** Messages from a child to the sweep. */
export type ChildMessage =
  | { readonly type: 'progress'; readonly step: number }
  | { readonly type: 'checkpoint'; readonly step: number }
  | { readonly type: 'done'; readonly summary: RunSummary }
  | { readonly type: 'error'; readonly error: string };

/** How a child ended. */
export type ChildResult = { readonly ok: true; readonly summary: RunSummary } | { readonly ok: false; readonly error: string };

const SELF_URL = import.meta.url;
/** Running from TypeScript sources (vitest, tsx): the child must load `run-child.ts` through tsx. */
const FROM_TS = /\.[cm]?ts$/.test(new URL(SELF_URL).pathname);
/** How long a child gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every child still running (SIGTERM, then SIGKILL after a grace period). */
export function killAllChildren(): void {
  for (const child of live) {
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }
}

function childArgs(): { modulePath: string; execArgv: string[] } {
  const modulePath = fileURLToPath(new URL(FROM_TS ? './run-child.ts' : './run-child.js', SELF_URL));
  if (!FROM_TS) return { modulePath, execArgv: [] };
  const tsx = pathToFileURL(createRequire(SELF_URL).resolve('tsx')).href;
  return { modulePath, execArgv: ['--import', tsx] };
}

/**
 * Trains one run in a child process. Resolves (never rejects) with its summary or its error;
 * a child that dies without reporting is a failure carrying the end of its stderr. Aborting
 * `signal` kills the child. Whatever happens, no child outlives this process: the children
 * are killed on exit, and each child exits by itself when its IPC channel closes.
 */
export function runChild(job: ChildJob, options: { readonly signal?: AbortSignal; readonly onProgress?: (step: number) => void; readonly onCheckpoint?: (step: number) => void } = {}): Promise<ChildResult> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  return new Promise((resolve) => {
    if (options.signal?.aborted === true) {
      resolve({ ok: false, error: 'interrupted' });
      return;
    }
    const { modulePath, execArgv } = childArgs();
    const child = fork(modulePath, [JSON.stringify(job)], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    live.add(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let result: ChildResult | undefined;
    child.on('message', (raw) => {
      const msg = raw as ChildMessage;
      if (msg.type === 'progress') options.onProgress?.(msg.step);
      else if (msg.type === 'checkpoint') options.onCheckpoint?.(msg.step);
      else if (msg.type === 'done') result = { ok: true, summary: msg.summary };
      else result = { ok: false, error: msg.error };
    });
    const abort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', abort, { once: true });
    let settled = false;
    const finish = (fallback: string) => {
      if (settled) return;
      settled = true;
      live.delete(child);
      options.signal?.removeEventListener('abort', abort);
      if (options.signal?.aborted === true) resolve({ ok: false, error: 'interrupted' });
      else resolve(result ?? { ok: false, error: `${fallback}${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-5).join(' | ')}`}` });
    };
    child.on('error', (err) => finish(`could not start the run: ${err.message}`));
    child.on('close', (code, signal) => finish(`the run's process exited with ${signal !== null ? `signal ${signal}` : `code ${code}`} without reporting`));
  });
}

/** Runs `task` over `items` with at most `workers` at a time; stops starting new ones once `signal` aborts. */
export async function runPool<T>(items: readonly T[], workers: number, task: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && signal?.aborted !== true) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, lane));
}
