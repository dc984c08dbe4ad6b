import type { GradientAgentConfig, OnPolicyConfig } from '../agents/algorithms.js';
import { ConfigError, SpaceMismatchError } from '../core/errors.js';
import { Box, Discrete, describeSpace } from '../core/spaces.js';
import '../envs/index.js';
import { make } from '../envs/registry.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { VectorFrameStack } from '../envs/wrappers/frame-stack.js';
import { VectorInternalState } from '../envs/wrappers/internal-state.js';
import { VectorNormalizeReward } from '../envs/wrappers/normalize-reward.js';
import { VectorRecordEpisodeStatistics } from '../envs/wrappers/record-episode-statistics.js';

/**
 * The env of a run: N copies, episode statistics on raw rewards, then the optional normalisers,
 * the frame stack (normalised frames, as the SB3 zoo stacks after VecNormalize); for S2PG
 * (`stateDim`) the internal-state extension outermost, so z is never normalised.
 */
export function buildEnv(
  config: Pick<OnPolicyConfig | GradientAgentConfig, 'env' | 'envKwargs' | 'normalizeObservation'> & { readonly normalizeReward: boolean; readonly gamma?: number; readonly stateDim?: number; readonly frameStack?: number },
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
  if (config.stateDim !== undefined) env = new VectorInternalState(env, config.stateDim);
  return env;
}

/** The env an offline agent acts in: the raw env with episode statistics (offline agents see the dataset's raw observations). */
export function buildOfflineEvalEnv(envId: string, numEnvs = 1): VectorEnv {
  return new VectorRecordEpisodeStatistics(make(envId, { numEnvs }));
}

/** The single-copy action space, which the built-in agents need to be Box or Discrete. */
export function actionSpaceOf(env: VectorEnv, id: string): Box | Discrete {
  const space = env.singleActionSpace;
  if (space instanceof Box || space instanceof Discrete) return space;
  throw new SpaceMismatchError(`${id}: the built-in agents support Box and Discrete action spaces, got ${describeSpace(space)}`);
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

