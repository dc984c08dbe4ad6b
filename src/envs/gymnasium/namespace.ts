import { ConfigError } from '../../core/errors.js';
import type { AnyEnv } from '../env.js';
import type { EnvNamespace, EnvRegistration } from '../registry.js';
import type { VectorEnv } from '../vector/vector-env.js';
import { GymnasiumEnv } from './gymnasium-env.js';
import { GymnasiumVectorEnv } from './gymnasium-vector-env.js';
import { describeSync } from './handshake.js';
import { resolveOptions, type GymnasiumOptions, type GymnasiumVectorOptions } from './options.js';

/** `make()` options that are not the bridge's own. */
const MAKE_KEYS = new Set(['wrappers', 'vectorization', 'numEnvs']);

/**
 * The `gymnasium:` namespace of the registry: `make('gymnasium:ID', options)` builds
 * `GymnasiumEnv.open(ID)` (no `numEnvs`) or `GymnasiumVectorEnv.open(ID, { numEnvs })`, then
 * applies `wrappers`. ID is a Gymnasium id (`Hopper-v5`, `ale_py:ALE/Pong-v5`) or
 * `module:Class` for a Python env class of your own.
 */
export const gymnasiumNamespace: EnvNamespace = {
  registration(name: string): EnvRegistration {
    const where = `gymnasium:${name}`;
    const d = describeSync(where, name, resolveOptions(where, {}, null));
    return {
      id: d.spec.id,
      entryPoint: (kwargs) => GymnasiumEnv.open(name, { kwargs }),
      vectorEntryPoint: (numEnvs, kwargs) => GymnasiumVectorEnv.open(name, { numEnvs, kwargs }),
      ...(d.spec.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: d.spec.maxEpisodeSteps } : {}),
      ...(d.spec.rewardThreshold !== undefined ? { rewardThreshold: d.spec.rewardThreshold } : {}),
      description: `Gymnasium's ${name} in Python (gymnasium ${d.versions.gymnasium})`,
    };
  },

  make(name: string, options: Readonly<Record<string, unknown>>): AnyEnv | VectorEnv {
    const where = `make("gymnasium:${name}")`;
    const vectorization = options['vectorization'];
    if (vectorization !== undefined && vectorization !== 'auto' && vectorization !== 'native') {
      throw new ConfigError(`${where}: vectorization "${String(vectorization)}" does not apply to Gymnasium envs: their copies always run in Gymnasium's SyncVectorEnv in Python; use \`processes\` to spread them over several processes`);
    }
    if (options['maxEpisodeSteps'] === null) throw new ConfigError(`${where}: maxEpisodeSteps: null (no time limit) is not supported for Gymnasium envs; pass a number to override the limit`);
    const bridged: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) if (!MAKE_KEYS.has(k) && v !== undefined) bridged[k] = v;
    const wrappers = options['wrappers'];
    if (wrappers !== undefined && !Array.isArray(wrappers)) throw new ConfigError(`${where}: wrappers must be an array of functions`);
    if (options['numEnvs'] === undefined) {
      const env = GymnasiumEnv.open(name, bridged as GymnasiumOptions);
      return closingOnThrow(env, () => ((wrappers ?? []) as ((e: AnyEnv) => AnyEnv)[]).reduce((e, wrap) => wrap(e), env as AnyEnv));
    }
    const venv = GymnasiumVectorEnv.open(name, { ...bridged, numEnvs: options['numEnvs'] } as GymnasiumVectorOptions);
    return closingOnThrow(venv, () => ((wrappers ?? []) as ((e: VectorEnv) => VectorEnv)[]).reduce((e, wrap) => wrap(e), venv as VectorEnv));
  },
};

/** `build()`, closing `env` (its server processes) if it throws. */
function closingOnThrow<T>(env: { close(): Promise<void> }, build: () => T): T {
  try {
    return build();
  } catch (e) {
    void env.close();
    throw e;
  }
}
