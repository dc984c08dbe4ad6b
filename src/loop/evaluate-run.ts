import path from 'node:path';
import { selectEngine } from '../agents/engines/select.js';
import { createAgent, resolveConfig } from '../agents/algorithms.js';
import { Rng } from '../core/rng.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { LATEST, readCheckpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import type { EvalResult } from './events.js';
import { actionSpaceOf, buildEnv, findWrapper } from './training-env.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  readonly episodes?: number;
  /** Take the policy's mode instead of sampling. */
  readonly deterministic?: boolean;
  /** Seed of the evaluation episodes (default: the run's seed + 10_000, away from training's). */
  readonly seed?: number;
}

/** Loads a run folder's latest checkpoint and evaluates its policy for complete episodes. */
export async function evaluateRun(runDir: string, options: EvaluateRunOptions = {}): Promise<EvalResult> {
  const checkpoint = readCheckpoint(path.join(runDir, 'checkpoints', LATEST));
  const config = resolveConfig({ algo: checkpoint.algo, ...(checkpoint.config as Record<string, unknown>) });
  const env = buildEnv(config, 1);
  try {
    const agent = createAgent(config, env.observationSize, actionSpaceOf(env, config.env), new Rng(config.seed).split('agent'), await selectEngine(config));
    agent.setState(checkpoint.agent);
    const norm = findWrapper(env, VectorNormalizeObservation);
    if (norm !== undefined && checkpoint.observationNormalizer !== null) {
      norm.setState(checkpoint.observationNormalizer);
      norm.updateStats = false;
    }
    const seed = options.seed ?? config.seed + 10_000;
    return await evaluatePolicy(agent, env, options.episodes ?? 10, { seed: String(seed), deterministic: options.deterministic ?? false });
  } finally {
    await env.close();
  }
}
