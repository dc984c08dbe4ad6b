import type { GradientAgentConfig, OnPolicyConfig } from '../agents/algorithms.js';
import { ConfigError, SpaceMismatchError } from '../core/errors.js';
import { Box, Discrete, describeSpace } from '../core/spaces.js';
import '../envs/index.js';
import { make } from '../envs/registry.js';
import { isSnapshotVectorEnv, type VectorEnv } from '../envs/vector/vector-env.js';
import { VectorClipAction } from '../envs/wrappers/clip-action.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { VectorFrameStack } from '../envs/wrappers/frame-stack.js';
import { VectorInternalState } from '../envs/wrappers/internal-state.js';
import { VectorNormalizeReward } from '../envs/wrappers/normalize-reward.js';
import { VectorRecordEpisodeStatistics } from '../envs/wrappers/record-episode-statistics.js';

/**
 * The env of a run: N copies, episode statistics on raw rewards, then the optional normalisers,
 * the frame stack (normalised frames, as the SB3 zoo stacks after VecNormalize); for S2PG
 * (`stateDim`) the internal-state extension outermost, so z is never normalised; otherwise,
 * for a bounded Box action space, the action clip outermost.
 */
export function buildEnv(
  config: Pick<OnPolicyConfig | GradientAgentConfig, 'env' | 'envKwargs' | 'normalizeObservation'> & { readonly normalizeReward: boolean; readonly gamma?: number; readonly stateDim?: number | undefined; readonly frameStack?: number },
  numEnvs: number,
  /** Wraps the registered env before anything else does (e.g. to watch its raw observations). */
  around: (env: VectorEnv) => VectorEnv = (env) => env,
): VectorEnv {
  let env: VectorEnv = new VectorRecordEpisodeStatistics(around(make(config.env, { ...config.envKwargs, numEnvs })));
  if (config.normalizeObservation) env = new VectorNormalizeObservation(env, { clip: 10 });
  if (config.normalizeReward) {
    if (config.gamma === undefined) throw new ConfigError(`normalizeReward needs the discount gamma of the returns it scales`);
    env = new VectorNormalizeReward(env, { gamma: config.gamma, clip: 10 });
  }
  if (config.frameStack !== undefined && config.frameStack > 1) env = new VectorFrameStack(env, config.frameStack);
  // Box actions are clipped to the env's bounds before it steps, as SB3 does (the agent keeps
  // the unclipped sample for its log-prob): envs such as MountainCarContinuous charge for the
  // action as given. The internal-state extension clips its `a` itself.
  if (config.stateDim !== undefined) env = new VectorInternalState(env, config.stateDim);
  else if (hasFiniteBounds(env.singleActionSpace)) env = new VectorClipAction(env);
  return env;
}

/** Whether `space` is a Box with at least one finite bound (what clipping can change). */
function hasFiniteBounds(space: unknown): boolean {
  if (!(space instanceof Box)) return false;
  for (let j = 0; j < space.flatDim; j++) if (Number.isFinite(space.low[j]) || Number.isFinite(space.high[j])) return true;
  return false;
}

/** Puts the training env back into a checkpoint's snapshot of it, so that the loop continues bit-identically. */
export async function restoreEnvSnapshot(env: VectorEnv, envId: string, seed: number, snapshot: unknown): Promise<void> {
  if (!isSnapshotVectorEnv(env)) throw new ConfigError(`${envId}: the checkpoint holds an env snapshot, but this env cannot restore one`);
  // The env must be running before a snapshot replaces its state.
  await env.reset({ seed });
  env.setSnapshot(snapshot);
}

/** The env an offline agent acts in: the raw env with episode statistics (offline agents see the dataset's raw observations). */
export function buildOfflineEvalEnv(
  envId: string,
  numEnvs = 1,
  /** Wraps the registered env before anything else does (as in {@link buildEnv}). */
  around: (env: VectorEnv) => VectorEnv = (env) => env,
): VectorEnv {
  return new VectorRecordEpisodeStatistics(around(make(envId, { numEnvs })));
}

/** The single-copy action space, which the built-in agents need to be Box or Discrete. */
export function actionSpaceOf(env: VectorEnv, id: string): Box | Discrete {
  const space = env.singleActionSpace;
  if (space instanceof Box || space instanceof Discrete) return space;
  throw new SpaceMismatchError(`${id}: the built-in agents support Box and Discrete action spaces, got ${describeSpace(space)}`);
}

/**
 * The action space whose bounds `env` holds its actions to: behind a {@link VectorClipAction}
 * (whose own space is unbounded, so that any finite action is accepted) the clipped-into space,
 * otherwise {@link actionSpaceOf}. The space a dataset's actions lie in.
 */
export function boundedActionSpaceOf(env: VectorEnv, id: string): Box | Discrete {
  const clip = findWrapper(env, VectorClipAction);
  return actionSpaceOf(clip === undefined ? env : clip.env, id);
}

/** The first wrapper of class `type` in `env`'s wrapper chain, outermost first. */
export function findWrapper<T>(env: VectorEnv, type: abstract new (...args: never[]) => T): T | undefined {
  let e: unknown = env;
  while (e !== undefined) {
    if (e instanceof type) return e;
    e = (e as { env?: unknown }).env;
  }
  return undefined;
}

