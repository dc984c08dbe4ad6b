import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { OnPolicyAgent } from '../loop/agent.js';
import { A2cAgent } from './a2c-agent.js';
import { resolveA2cConfig, resolveReinforceConfig, type A2cConfig, type A2cConfigInput, type ReinforceConfig, type ReinforceConfigInput } from './a2c-config.js';
import type { ActorCritic } from './actor-critic.js';
import type { EngineFactory } from './engines/engine.js';
import { MdpoAgent } from './mdpo-agent.js';
import { resolveMdpoConfig, type MdpoConfig, type MdpoConfigInput } from './mdpo-config.js';
import { PpoAgent } from './ppo-agent.js';
import { resolvePpoConfig, type PpoConfig, type PpoConfigInput } from './ppo-config.js';
import { TrpoAgent } from './trpo-agent.js';
import { HarpgAgent } from './harpg-agent.js';
import { NpgIgtAgent } from './npg-igt-agent.js';
import { resolveHarpgConfig, resolveNpgIgtConfig, type HarpgConfig, type HarpgConfigInput, type NpgIgtConfig, type NpgIgtConfigInput } from './npg-config.js';
import { resolveTrpoConfig, type TrpoConfig, type TrpoConfigInput } from './trpo-config.js';

/** The built-in on-policy algorithms, by their `algo` key. */
export const ALGORITHMS = ['ppo', 'a2c', 'reinforce', 'mdpo', 'trpo', 'npg-igt', 'harpg'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

/** A validated configuration of any built-in algorithm (its `algo` tells which). */
export type AgentConfig = PpoConfig | A2cConfig | ReinforceConfig | MdpoConfig | TrpoConfig | NpgIgtConfig | HarpgConfig;
/** What a user may give: `algo` (default `ppo`), `env`, and that algorithm's optional keys. */
export type AgentConfigInput = PpoConfigInput | A2cConfigInput | ReinforceConfigInput | MdpoConfigInput | TrpoConfigInput | NpgIgtConfigInput | HarpgConfigInput;

/**
 * Resolves the configuration of the algorithm named by `algo` (in `overrides`, else `file`,
 * else `ppo`): its defaults ← its zoo values for the env ← `file` ← `overrides`.
 */
export function resolveConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): AgentConfig {
  const algo = overrides['algo'] ?? file['algo'] ?? 'ppo';
  switch (algo) {
    case 'ppo':
      return resolvePpoConfig(overrides, file);
    case 'a2c':
      return resolveA2cConfig(overrides, file);
    case 'reinforce':
      return resolveReinforceConfig(overrides, file);
    case 'mdpo':
      return resolveMdpoConfig(overrides, file);
    case 'trpo':
      return resolveTrpoConfig(overrides, file);
    case 'npg-igt':
      return resolveNpgIgtConfig(overrides, file);
    case 'harpg':
      return resolveHarpgConfig(overrides, file);
    default:
      throw new ConfigError(`unknown algorithm "${String(algo)}"; available: ${ALGORITHMS.join(', ')}`);
  }
}

/** The agent a configuration describes; every built-in one acts through an {@link ActorCritic}. */
export function createAgent(config: AgentConfig, observationSize: number, actionSpace: Box | Discrete, rng: Rng, engine?: EngineFactory): OnPolicyAgent & { readonly net: ActorCritic } {
  switch (config.algo) {
    case 'ppo':
      return new PpoAgent(config, observationSize, actionSpace, rng, engine);
    case 'mdpo':
      return new MdpoAgent(config, observationSize, actionSpace, rng, engine);
    case 'trpo':
      return new TrpoAgent(config, observationSize, actionSpace, rng, engine);
    case 'npg-igt':
      return new NpgIgtAgent(config, observationSize, actionSpace, rng, engine);
    case 'harpg':
      return new HarpgAgent(config, observationSize, actionSpace, rng, engine);
    default:
      return new A2cAgent(config, observationSize, actionSpace, rng, engine);
  }
}
