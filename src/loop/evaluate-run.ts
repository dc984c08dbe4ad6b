import path from 'node:path';
import { selectEngine } from '../agents/engines/select.js';
import { createOnPolicyAgent, createOfflineAgent, isGradientConfig, isGroupConfig, isOfflineConfig, isOffPolicyConfig, resolveConfig, type AgentConfig } from '../agents/algorithms.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { LATEST, readCheckpoint } from './checkpoint.js';
import type { PolicyActor } from './agent.js';
import { evaluatePolicy } from './evaluate.js';
import type { EvalResult } from './events.js';
import { gradientAgentFromCheckpoint } from './gradient-loop.js';
import { createGrpoAgent } from './group-loop.js';
import { createOffPolicyAgent } from './off-policy-loop.js';
import { actionSpaceOf, boundedActionSpaceOf, buildEnv, buildOfflineEvalEnv, findWrapper } from './training-env.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  readonly episodes?: number;
  /** Take the policy's mode instead of sampling. */
  readonly deterministic?: boolean;
  /** Seed of the evaluation episodes (default: the run's seed + 10_000, away from training's). */
  readonly seed?: number;
}

/** A trained run's policy, ready to act (see {@link loadRunPolicy}). */
export interface LoadedRunPolicy {
  /** The run's resolved configuration. */
  readonly config: AgentConfig;
  /** A fresh env of the run's task with the run's wrappers; the observation normaliser holds the checkpoint's statistics, frozen. The caller closes it. */
  readonly env: VectorEnv;
  /** The agent with the latest checkpoint's parameters (any algorithm's: on-policy, gradient-based or offline). */
  readonly agent: PolicyActor;
}

/**
 * Loads a run folder's latest checkpoint (or `checkpointFile` in its `checkpoints/`, e.g.
 * `step-000100000.json`): the agent, and an env of `numEnvs` copies wrapped as in training
 * (observation statistics restored and no longer updated), so that
 * `agent.act(observations, numEnvs, deterministic)` acts as the trained policy.
 */
export async function loadRunPolicy(runDir: string, numEnvs = 1, checkpointFile: string = LATEST): Promise<LoadedRunPolicy> {
  const checkpoint = readCheckpoint(path.join(runDir, 'checkpoints', checkpointFile));
  const config = resolveConfig({ algo: checkpoint.algo, ...(checkpoint.config as Record<string, unknown>) });
  if (isOfflineConfig(config)) {
    // Offline agents act on the env's raw observations; their networks are all in their state.
    const env = buildOfflineEvalEnv(config.env, numEnvs);
    try {
      const agent = createOfflineAgent(config, env.observationSize, env.singleActionSpace, new Rng(config.seed).split('agent'));
      agent.setState(checkpoint.agent);
      return { config, env, agent };
    } catch (err) {
      await env.close();
      throw err;
    }
  }
  const env = buildEnv(config, numEnvs);
  try {
    // Gradient agents normalise observations themselves (their statistics are in their state).
    if (isGradientConfig(config)) return { config, env, agent: gradientAgentFromCheckpoint(config, checkpoint) };
    if (isGroupConfig(config)) {
      const { agent } = createGrpoAgent(config, env);
      agent.setState(checkpoint.agent);
      return { config, env, agent };
    }
    if (isOffPolicyConfig(config)) {
      const agent = createOffPolicyAgent(config, env);
      agent.setState(checkpoint.agent);
      return { config, env, agent };
    }
    const agent = createOnPolicyAgent(config, env.observationSize, actionSpaceOf(env, config.env), new Rng(config.seed).split('agent'), await selectEngine(config));
    agent.setState(checkpoint.agent);
    const norm = findWrapper(env, VectorNormalizeObservation);
    if (norm !== undefined && checkpoint.observationNormalizer !== null) {
      norm.setState(checkpoint.observationNormalizer);
      norm.updateStats = false;
    }
    return { config, env, agent };
  } catch (err) {
    await env.close();
    throw err;
  }
}

/** Loads a run folder's latest checkpoint and evaluates its policy for complete episodes. */
export async function evaluateRun(runDir: string, options: EvaluateRunOptions = {}): Promise<EvalResult> {
  const { config, env, agent } = await loadRunPolicy(runDir);
  try {
    const seed = options.seed ?? config.seed + 10_000;
    return await evaluatePolicy(agent, env, options.episodes ?? 10, { seed: String(seed), deterministic: options.deterministic ?? false });
  } finally {
    await env.close();
  }
}

/** A run's policy acting on raw env observations (see {@link loadRawObservationPolicy}). */
export interface RawObservationPolicy {
  readonly config: AgentConfig;
  /** Acts on raw observations: the run's observation normaliser (frozen) is applied inside. */
  readonly actor: PolicyActor;
  /** The env's action space, with the bounds the env clips the policy's actions into (the space of a dataset's actions). */
  readonly actionSpace: Box | Discrete;
  readonly observationSize: number;
  /** Releases the env the policy was loaded with. */
  close(): Promise<void>;
}

/**
 * Loads a run folder's latest policy so that it acts on raw observations (a dataset's, or an
 * env's without the run's wrappers), normalising them with the run's frozen statistics when
 * the run normalised its observations.
 */
export async function loadRawObservationPolicy(runDir: string): Promise<RawObservationPolicy> {
  const { config, env, agent } = await loadRunPolicy(runDir, 1);
  if ((isGroupConfig(config) && config.policyType !== 'mlp') || config.algo === 'ppo-lstm' || config.algo === 's2pg') {
    await env.close();
    // Datasets and off-policy evaluation act on rows without episode boundaries a memory could follow.
    throw new ConfigError(`${runDir}: its ${config.algo} policy carries a memory through the episode; dataset collection and off-policy evaluation take memoryless policies only`);
  }
  const norm = findWrapper(env, VectorNormalizeObservation);
  let scratch = new Float32Array(0);
  const actor: PolicyActor =
    norm === undefined
      ? agent
      : {
          act(observations, n, deterministic, sampler) {
            if (scratch.length < observations.length) scratch = new Float32Array(observations.length);
            norm.normalizeRows(observations, n, scratch);
            return agent.act(scratch.subarray(0, n * env.observationSize), n, deterministic, sampler);
          },
        };
  return { config, actor, actionSpace: boundedActionSpaceOf(env, config.env), observationSize: env.observationSize, close: () => Promise.resolve(env.close()) };
}
