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
import type { RecurrentActorCritic } from './recurrent-actor-critic.js';
import { RecurrentPpoAgent } from './recurrent-ppo-agent.js';
import { resolvePpoConfig, type PpoConfig, type PpoConfigInput } from './ppo-config.js';
import { TrpoAgent } from './trpo-agent.js';
import { HarpgAgent } from './harpg-agent.js';
import { NpgIgtAgent } from './npg-igt-agent.js';
import { resolveHarpgConfig, resolveNpgIgtConfig, type HarpgConfig, type HarpgConfigInput, type NpgIgtConfig, type NpgIgtConfigInput } from './npg-config.js';
import { resolveTrpoConfig, type TrpoConfig, type TrpoConfigInput } from './trpo-config.js';
import { ApgAgent } from './apg/apg-agent.js';
import { resolveApgConfig, type ApgConfig, type ApgConfigInput } from './apg/apg-config.js';
import type { GradientAgent } from './apg/gradient-agent.js';
import { IldAgent } from './ild/ild-agent.js';
import { resolveIldConfig, type IldConfig, type IldConfigInput } from './ild/ild-config.js';
import { BcAgent } from './offline/bc-agent.js';
import { DiceAgent } from './offline/dice-agent.js';
import { IqlAgent } from './offline/iql-agent.js';
import { requireBoxActions, type OfflineAgent } from './offline/offline-agent.js';
import { isOfflineAlgorithm, OFFLINE_ALGORITHMS, resolveOfflineConfig, type OfflineConfig, type OfflineConfigInput } from './offline/offline-config.js';
import type { Space } from '../core/spaces.js';
import { resolveGrpoConfig, type GrpoConfig, type GrpoConfigInput } from './grpo/grpo-config.js';
import { resolveSacConfig, type SacConfig, type SacConfigInput } from './sac/sac-config.js';
import { resolveTd3Config, type Td3Config, type Td3ConfigInput } from './td3/td3-config.js';
import { resolveDqnConfig, type DqnConfig, type DqnConfigInput } from './dqn/dqn-config.js';

/** The built-in on-policy algorithms, by their `algo` key. */
export const ON_POLICY_ALGORITHMS = ['ppo', 'epo-ppo', 's2pg', 'ppo-lstm', 'a2c', 'reinforce', 'mdpo', 'trpo', 'npg-igt', 'harpg'] as const;
/** The built-in algorithms that learn through the differentiable simulator (analytic policy gradients, imitation through physics). */
export const GRADIENT_ALGORITHMS = ['apg', 'ild'] as const;
/** The built-in algorithms that learn from groups of rollouts of one task instance (trained by the group loop). */
export const GROUP_ALGORITHMS = ['grpo', 'epo-grpo'] as const;
export { OFFLINE_ALGORITHMS } from './offline/offline-config.js';
/** The built-in off-policy algorithms (a replay buffer of the agent's own experience; trained by the off-policy loop). */
export const OFF_POLICY_ALGORITHMS = ['sac', 'td3', 'dqn'] as const;
/** Every built-in algorithm, by its `algo` key. */
export const ALGORITHMS = [...ON_POLICY_ALGORITHMS, ...OFF_POLICY_ALGORITHMS, ...GRADIENT_ALGORITHMS, ...GROUP_ALGORITHMS, ...OFFLINE_ALGORITHMS] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];
/** The `algo` key of a built-in on-policy algorithm. */
export type OnPolicyAlgorithmName = (typeof ON_POLICY_ALGORITHMS)[number];

/** A validated configuration of a built-in on-policy algorithm (trained by the on-policy loop). */
export type OnPolicyConfig = PpoConfig | A2cConfig | ReinforceConfig | MdpoConfig | TrpoConfig | NpgIgtConfig | HarpgConfig;
/** A validated configuration of a built-in off-policy algorithm (SAC, TD3, DQN; trained by the off-policy loop). */
export type OffPolicyConfig = SacConfig | Td3Config | DqnConfig;
/** A validated configuration of a gradient-based agent (APG or ILD; trained by the gradient-agent loop). */
export type GradientAgentConfig = ApgConfig | IldConfig;
/** A validated configuration of any built-in algorithm (its `algo` tells which). */
export type AgentConfig = OnPolicyConfig | OffPolicyConfig | GradientAgentConfig | GrpoConfig | OfflineConfig;
/** What a user may give: `algo` (default `ppo`), `env`, and that algorithm's optional keys (offline ones: `dataset` too). */
export type AgentConfigInput = PpoConfigInput | A2cConfigInput | ReinforceConfigInput | MdpoConfigInput | TrpoConfigInput | NpgIgtConfigInput | HarpgConfigInput | ApgConfigInput | IldConfigInput | GrpoConfigInput | SacConfigInput | Td3ConfigInput | DqnConfigInput | OfflineConfigInput;

/** Whether `config` is for a gradient-based agent (APG, ILD) rather than an on-policy one. */
export function isGradientConfig(config: AgentConfig): config is GradientAgentConfig {
  return config.algo === 'apg' || config.algo === 'ild';
}

/** Whether `config` is for an offline agent (learning from a dataset; trained by the offline loop). */
export function isOfflineConfig(config: AgentConfig): config is OfflineConfig {
  return isOfflineAlgorithm(config.algo);
}

/** Whether `config` is for a group-rollout agent (GRPO; trained by the group loop). */
export function isGroupConfig(config: AgentConfig): config is GrpoConfig {
  return config.algo === 'grpo' || config.algo === 'epo-grpo';
}

/** Whether `config` is for an off-policy agent (SAC, TD3, DQN; trained by the off-policy loop). */
export function isOffPolicyConfig(config: AgentConfig): config is OffPolicyConfig {
  return config.algo === 'sac' || config.algo === 'td3' || config.algo === 'dqn';
}

/** Whether `config` is for an on-policy agent (trained by the on-policy loop). */
export function isOnPolicyConfig(config: AgentConfig): config is OnPolicyConfig {
  return !isGradientConfig(config) && !isOfflineConfig(config) && !isGroupConfig(config) && !isOffPolicyConfig(config);
}

/**
 * Resolves the configuration of the algorithm named by `algo` (in `overrides`, else `file`,
 * else `ppo`): its defaults ← its zoo values for the env ← `file` ← `overrides`.
 */
export function resolveConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): AgentConfig {
  const algo = overrides['algo'] ?? file['algo'] ?? 'ppo';
  if (isOfflineAlgorithm(algo)) return resolveOfflineConfig(algo, overrides, file);
  switch (algo) {
    case 'ppo':
    case 'epo-ppo':
    case 's2pg':
    case 'ppo-lstm':
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
    case 'apg':
      return resolveApgConfig(overrides, file);
    case 'ild':
      return resolveIldConfig(overrides, file);
    case 'grpo':
    case 'epo-grpo':
      return resolveGrpoConfig(overrides, file);
    case 'sac':
      return resolveSacConfig(overrides, file);
    case 'td3':
      return resolveTd3Config(overrides, file);
    case 'dqn':
      return resolveDqnConfig(overrides, file);
    default:
      throw new ConfigError(`unknown algorithm "${String(algo)}"; available: ${ALGORITHMS.join(', ')}`);
  }
}

/**
 * The on-policy agent a configuration describes; every built-in one acts through an
 * {@link ActorCritic} (recurrent PPO is built by {@link createOnPolicyAgent}). Gradient agents (APG, ILD) own their training worlds and are built by
 * {@link createGradientAgent}: asking for one here is a ConfigError.
 */
export function createAgent(config: AgentConfig, observationSize: number, actionSpace: Box | Discrete, rng: Rng, engine?: EngineFactory): OnPolicyAgent & { readonly net: ActorCritic } {
  if (isOfflineConfig(config)) throw new ConfigError(`${config.algo} learns from a dataset: build it with createOfflineAgent (train() does)`);
  switch (config.algo) {
    case 'apg':
    case 'ild':
      throw new ConfigError(`${config.algo} is a gradient agent that trains through the simulator: build it with createGradientAgent (train() does)`);
    case 'grpo':
    case 'epo-grpo':
      throw new ConfigError(`${config.algo} trains on groups of rollouts: build it with createGrpoAgent (train() does)`);
    case 'sac':
    case 'td3':
    case 'dqn':
      throw new ConfigError(`${config.algo} is off-policy: train() builds it with its replay buffer (see src/loop/off-policy-loop.ts)`);
    case 'ppo-lstm':
      throw new ConfigError('ppo-lstm is recurrent: build it with createOnPolicyAgent (train() does)');
    case 'ppo':
    case 'epo-ppo':
    case 's2pg':
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

/** Any on-policy agent, the recurrent one (`ppo-lstm`, acting through a {@link RecurrentActorCritic}) included. */
export function createOnPolicyAgent(config: AgentConfig, observationSize: number, actionSpace: Box | Discrete, rng: Rng, engine?: EngineFactory): OnPolicyAgent & { readonly net: ActorCritic | RecurrentActorCritic } {
  if (config.algo === 'ppo-lstm') return new RecurrentPpoAgent(config, observationSize, actionSpace, rng);
  return createAgent(config, observationSize, actionSpace, rng, engine);
}

/**
 * The gradient agent a configuration describes, with its training worlds, every random stream
 * derived from `config.seed`.
 */
export function createGradientAgent(config: GradientAgentConfig): GradientAgent {
  return config.algo === 'apg' ? new ApgAgent(config) : new IldAgent(config);
}

/** The offline agent a configuration describes, for observations of `observationSize` and a Box action space (anything else is a SpaceMismatchError). */
export function createOfflineAgent(config: OfflineConfig, observationSize: number, actionSpace: Space<unknown>, rng: Rng): OfflineAgent {
  const box = requireBoxActions(config.algo, config.env, actionSpace);
  switch (config.algo) {
    case 'iql':
      return new IqlAgent(config, observationSize, box, rng);
    case 'bc':
      return new BcAgent(config, observationSize, box, rng);
    default:
      return new DiceAgent(config, observationSize, box, rng);
  }
}
