/**
 * D4RL normalised scores: `100 · (return − random) / (expert − random)`, so 0 is a random
 * policy and 100 an expert one, with D4RL's reference returns where they are known.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import type { DatasetMetadata } from './dataset.js';

/** Reference returns of a task: a random policy's and an expert's. */
export interface ReferenceScores {
  readonly min: number;
  readonly max: number;
  /** Where the numbers come from. */
  readonly source: string;
}

const D4RL_SOURCE = 'D4RL d4rl/infos.py REF_MIN_SCORE / REF_MAX_SCORE (gym-mujoco tasks, MuJoCo physics)';

/**
 * D4RL's reference returns of the gym-mujoco locomotion tasks (random policy, expert SAC),
 * the same for every dataset of a task (`hopper-medium-v2`, `hopper-expert-v2`, …).
 */
export const D4RL_REFERENCE_SCORES: Readonly<Record<string, ReferenceScores>> = {
  hopper: { min: -20.272305, max: 3234.3, source: D4RL_SOURCE },
  halfcheetah: { min: -280.178953, max: 12135.0, source: D4RL_SOURCE },
  walker2d: { min: 1.629008, max: 4592.3, source: D4RL_SOURCE },
  ant: { min: -325.6, max: 3879.7, source: D4RL_SOURCE },
};

/**
 * The task name of an env or dataset id: `rxrl/Hopper-v0`, `gymnasium:Hopper-v5`, `Hopper-v4`
 * and `hopper-medium-replay-v2` are all `hopper`.
 */
export function taskName(id: string): string {
  const base = id.slice(id.lastIndexOf(':') + 1);
  const name = base.slice(base.lastIndexOf('/') + 1);
  return (name.split('-')[0] ?? name).toLowerCase();
}

/** D4RL's reference returns for an env or dataset id, or undefined when D4RL has none for the task. */
export function d4rlReferenceScores(id: string): ReferenceScores | undefined {
  return D4RL_REFERENCE_SCORES[taskName(id)];
}

/**
 * The reference returns to normalise a dataset's scores with, best source first: the user's
 * (`given`), the dataset's own (`refMinScore`/`refMaxScore` metadata, e.g. Minari's), D4RL's for
 * the dataset's `envId`. Undefined when none applies.
 */
export function referenceScoresFor(metadata: DatasetMetadata, given?: { readonly min: number; readonly max: number }): ReferenceScores | undefined {
  if (given !== undefined) return checked({ ...given, source: 'given by the user' });
  if (typeof metadata.refMinScore === 'number' && typeof metadata.refMaxScore === 'number') {
    return checked({ min: metadata.refMinScore, max: metadata.refMaxScore, source: "the dataset's metadata (refMinScore, refMaxScore)" });
  }
  return metadata.envId !== undefined ? d4rlReferenceScores(metadata.envId) : undefined;
}

function checked(ref: ReferenceScores): ReferenceScores {
  if (!Number.isFinite(ref.min) || !Number.isFinite(ref.max) || ref.max === ref.min) {
    throw new ConfigError(`reference scores need finite, different min and max returns, got min ${ref.min}, max ${ref.max}`);
  }
  return ref;
}

/** D4RL's normalised score on a 0–100 scale: `100 · (ret − min) / (max − min)`. */
export function normalizedScore(ret: number, ref: { readonly min: number; readonly max: number }): number {
  return (100 * (ret - ref.min)) / (ref.max - ref.min);
}
