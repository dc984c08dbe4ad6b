import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Subscription } from 'rxjs';
import type { TrainEvent } from '../loop/events.js';
import type { TrainRun } from '../loop/train.js';
import type { CurvePoint } from './protocol.js';
import { CurveReducer } from './series.js';

/** A run the dashboard shows: its curve points so far, and (live runs) the ones to come. */
export interface RunSource {
  readonly id: string;
  readonly live: boolean;
  readonly config: unknown;
  /** Every point so far. */
  points(): readonly CurvePoint[];
  /** Whether the run has ended (a folder run always has, as far as the dashboard knows). */
  ended(): boolean;
  /** Calls `listener` with each new point and once more with null when the run ends; returns the unsubscribe. */
  subscribe(listener: (point: CurvePoint | null) => void): () => void;
  /** The live run itself (live sources only). */
  readonly run?: TrainRun;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Whether `id` may name a run: a plain folder name, nothing that walks paths. */
export const isRunId = (id: string): boolean => ID.test(id) && !id.includes('..');

/** A run being trained in this process: its points are collected from its events as they come. */
export function liveSource(id: string, run: TrainRun): RunSource & { dispose(): void } {
  const reducer = new CurveReducer();
  const points: CurvePoint[] = [];
  const listeners = new Set<(p: CurvePoint | null) => void>();
  let ended = false;
  const end = () => {
    ended = true;
    for (const l of listeners) l(null);
  };
  const subscription: Subscription = run.events$.subscribe({
    next: (e: TrainEvent) => {
      const p = reducer.push(e);
      if (p === null) return;
      points.push(p);
      for (const l of listeners) l(p);
    },
    error: end,
    complete: end,
  });
  return {
    id,
    live: true,
    run,
    config: run.config,
    points: () => points,
    ended: () => ended,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => subscription.unsubscribe(),
  };
}

/** A finished (or stopped) run's folder: its points read from `metrics.jsonl`. */
export function folderSource(id: string, dir: string): RunSource {
  const reducer = new CurveReducer();
  const points: CurvePoint[] = [];
  const metrics = path.join(dir, 'metrics.jsonl');
  if (existsSync(metrics)) {
    for (const line of readFileSync(metrics, 'utf8').split('\n')) {
      if (line === '') continue;
      const p = reducer.push(JSON.parse(line) as TrainEvent);
      if (p !== null) points.push(p);
    }
  }
  const configFile = path.join(dir, 'config.json');
  const config: unknown = existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : null;
  return {
    id,
    live: false,
    config,
    points: () => points,
    ended: () => true,
    subscribe: () => () => {},
  };
}

/** Whether `name` is a run folder directly inside `runsDir`: a plain name, holding a `metrics.jsonl`. */
export const isRunFolder = (runsDir: string, name: string): boolean => isRunId(name) && existsSync(path.join(runsDir, name, 'metrics.jsonl'));

/** The run folders directly inside `runsDir` ({@link isRunFolder}), newest first. */
export function listRunFolders(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .filter((name) => isRunFolder(runsDir, name))
    .sort((a, b) => statSync(path.join(runsDir, b)).mtimeMs - statSync(path.join(runsDir, a)).mtimeMs);
}
