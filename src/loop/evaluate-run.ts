import path from 'node:path';
import { selectEngine } from '../agents/engines/select.js';
import { createAgent, isGradientConfig, resolveConfig, type AgentConfig } from '../agents/algorithms.js';
import { Rng } from '../core/rng.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import type { OnPolicyAgent } from './agent.js';
import { LATEST, readCheckpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import type { EvalResult } from './events.js';
import { gradientAgentFromCheckpoint } from './gradient-loop.js';
import { actionSpaceOf, buildEnv, findWrapper } from './training-env.js';

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
  /** The agent with the latest checkpoint's parameters (any algorithm's: on-policy or gradient-based). */
  readonly agent: Pick<OnPolicyAgent, 'act'>;
}

/**
 * Loads a run folder's latest checkpoint: the agent, and an env of `numEnvs` copies wrapped as
 * in training (observation statistics restored and no longer updated), so that
 * `agent.act(observations, numEnvs, deterministic)` acts as the trained policy.
 */
export async function loadRunPolicy(runDir: string, numEnvs = 1): Promise<LoadedRunPolicy> {
  const checkpoint = readCheckpoint(path.join(runDir, 'checkpoints', LATEST));
  const config = resolveConfig({ algo: checkpoint.algo, ...(checkpoint.config as Record<string, unknown>) });
  const env = buildEnv(config, numEnvs);
  try {
    // Gradient agents normalise observations themselves (their statistics are in their state).
    if (isGradientConfig(config)) return { config, env, agent: gradientAgentFromCheckpoint(config, checkpoint) };
    const agent = createAgent(config, env.observationSize, actionSpaceOf(env, config.env), new Rng(config.seed).split('agent'), await selectEngine(config));
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
