/**
 * Collecting an offline dataset by running a policy in an env.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import { awaitMaybe } from '../core/maybe-promise.js';
import { Rng } from '../core/rng.js';
import { Box } from '../core/spaces.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { DatasetBuilder } from './dataset-builder.js';
import type { DatasetMetadata, OfflineDataset } from './dataset.js';
import { requireBoxOrDiscrete, withActionNoise, type DatasetPolicy } from './policies.js';
import { TransitionRecorder } from './transition-recorder.js';

/** Options of {@link collectDataset}. */
export interface CollectDatasetOptions {
  /** The env to collect in (N copies); raw, without normalisers. The caller closes it. */
  readonly env: VectorEnv;
  readonly policy: DatasetPolicy;
  /** Transitions to collect (exactly this many rows). */
  readonly steps: number;
  /** Seed of the env's episodes and of the action noise. */
  readonly seed: number;
  /** Action noise σ (see `withActionNoise`); default 0: Box actions are only clipped to their bounds. */
  readonly noise?: number;
  /** Merged into the dataset's metadata (after `policy`, `noise`, `seed`). */
  readonly metadata?: DatasetMetadata;
  /** Called every `progressEvery` steps with the rows collected so far. */
  readonly onProgress?: (rows: number) => void;
  readonly progressEvery?: number;
}

/** The observation shape of an env's single copy (the Box's shape, else the flat size). */
export function observationShapeOf(env: VectorEnv): readonly number[] {
  const space = env.singleObservationSpace;
  return space instanceof Box && space.shape.length > 0 ? space.shape : [env.observationSize];
}

/**
 * Runs `policy` (with optional action noise) in `env` until `steps` transitions are recorded,
 * and returns them as a dataset: raw observations and rewards from below any wrapper the
 * policy adds, actions as applied (clipped to the Box), episodes contiguous, the episodes still
 * running at the end cut (`timeouts` on their last row). Same seed and policy, same dataset.
 */
export async function collectDataset(options: CollectDatasetOptions): Promise<OfflineDataset> {
  const { env, steps, seed } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new ConfigError(`collectDataset: steps must be a positive integer, got ${steps}`);
  const space = requireBoxOrDiscrete(env.singleActionSpace, env.spec?.id ?? 'env');
  const N = env.numEnvs;
  const builder = new DatasetBuilder({ observationShape: observationShapeOf(env), actionDim: env.actionSize, discrete: space.kind === 'Discrete', numEnvs: N, limit: steps });
  const recorded = new TransitionRecorder(env, builder);
  const noise = options.noise ?? 0;
  const policy = withActionNoise(options.policy, space, noise, N, new Rng(seed).split('action-noise'));
  const acting = policy.wrapEnv?.(recorded) ?? recorded;
  const every = options.progressEvery ?? 10_000;
  let observations = (await awaitMaybe(acting.reset({ seed }))).observations;
  let nextReport = every;
  while (!builder.full) {
    const result = await awaitMaybe(acting.step(policy.act(observations, N)));
    observations = result.observations;
    if (options.onProgress !== undefined && builder.size >= nextReport) {
      options.onProgress(builder.size);
      nextReport += every;
      // Let timers and signal handlers run during a long collection.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return builder.build({ policy: options.policy.name, noise, seed, ...(env.spec?.id !== undefined ? { envId: env.spec.id } : {}), ...options.metadata });
}
