import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseWithTypedArrays } from '../../src/core/serialize.js';
import type { Checkpoint } from '../../src/loop/checkpoint.js';
import type { RunSummary, TrainEvent } from '../../src/loop/events.js';
import { train, type TrainOptions } from '../../src/loop/train.js';

/** Runs training to its end (or stops it at the first rollout at or past `stopAtStep`), collecting every event. */
export async function runToEnd(options: TrainOptions, stopAtStep?: number): Promise<{ events: TrainEvent[]; error: Error | undefined }> {
  const run = train(options);
  const events: TrainEvent[] = [];
  let error: Error | undefined;
  run.events$.subscribe({
    next: (e) => {
      events.push(e);
      if (stopAtStep !== undefined && e.type === 'rollout' && e.step >= stopAtStep) run.stop();
    },
    error: (err: Error) => (error = err),
  });
  await run.finished;
  return { events, error };
}

/** Temporary directories removed by {@link TempDirs.removeAll}. */
export class TempDirs {
  private readonly dirs: string[] = [];
  constructor(private readonly prefix: string) {}
  make(): string {
    const dir = mkdtempSync(path.join(tmpdir(), this.prefix));
    this.dirs.push(dir);
    return dir;
  }
  removeAll(): void {
    this.dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  }
}

/** The latest checkpoint of a run folder. */
export const latestCheckpoint = (dir: string): Checkpoint => parseWithTypedArrays(readFileSync(path.join(dir, 'checkpoints', 'latest.json'), 'utf8')) as Checkpoint;
/** The flat parameters in a built-in agent's checkpoint. */
export const paramsOf = (cp: Checkpoint): Float64Array => (cp.agent as { network: { params: Float64Array } }).network.params;
/** The summary of the `done` event that ends `events`. */
export const summaryOf = (events: TrainEvent[]): RunSummary => (events.at(-1) as Extract<TrainEvent, { type: 'done' }>).summary;
