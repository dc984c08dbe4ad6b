import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { parseWithTypedArrays, stringifyWithTypedArrays } from '../core/serialize.js';
import type { NormalizeObservationState } from '../envs/wrappers/normalize-observation.js';
import type { NormalizeRewardState } from '../envs/wrappers/normalize-reward.js';
import type { LoopState } from './on-policy-loop.js';

/**
 * Everything needed to resume a run: bit-identically when the training env could save its state
 * (`env` not null), else from the agent, the normalisers' statistics and the loop counters with
 * fresh episodes (an env that cannot snapshot, such as a bridged Gymnasium env).
 */
export interface Checkpoint {
  readonly format: 'rxrl-checkpoint';
  readonly version: 1;
  readonly algo: string;
  readonly config: unknown;
  readonly loop: LoopState;
  readonly agent: unknown;
  /**
   * The training env's snapshot (physical states, step counters, random streams, wrapper
   * statistics), or null when the env cannot save its state: then the checkpoint holds the agent
   * only, and a resumed run starts new episodes (same agent, not the same numbers as an
   * uninterrupted run).
   */
  readonly env: unknown;
  /** Observation-normaliser statistics, for evaluating the policy on raw observations (null without normalisation). */
  readonly observationNormalizer: NormalizeObservationState | null;
  /** Reward-normaliser statistics, for resuming without an env snapshot (null without normalisation; absent in older checkpoints). */
  readonly rewardNormalizer?: NormalizeRewardState | null;
}

/** Name of the checkpoint that always points at the newest state of a run. */
export const LATEST = 'latest.json';

/**
 * Writes a checkpoint into `dir` as `step-<N>.json` and `latest.json`. Each file is written
 * to a temporary name and renamed, so a crash mid-write never leaves a broken checkpoint:
 * the previous one stays intact.
 */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint): string {
  mkdirSync(dir, { recursive: true });
  const text = stringifyWithTypedArrays(checkpoint);
  const file = path.join(dir, `step-${String(checkpoint.loop.step).padStart(9, '0')}.json`);
  for (const target of [file, path.join(dir, LATEST)]) {
    const tmp = `${target}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  }
  return file;
}

/** Reads a checkpoint file, checking its format. */
export function readCheckpoint(file: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`no checkpoint at ${file}: is this a run folder with a checkpoints/ folder?`);
  }
  const value = parseWithTypedArrays(text) as Partial<Checkpoint>;
  if (value.format !== 'rxrl-checkpoint' || value.version !== 1) throw new ConfigError(`${file} is not an rxrl checkpoint (format ${String(value.format)}, version ${String(value.version)})`);
  return value as Checkpoint;
}
