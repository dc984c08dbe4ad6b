import path from 'node:path';
import { actorCriticLayout } from '../agents/engines/engine.js';
import { exportPolicy } from '../agents/export-tfjs.js';
import type { ActorCriticState } from '../agents/actor-critic.js';
import { isOnPolicyConfig, resolveConfig } from '../agents/algorithms.js';
import { ConfigError } from '../core/errors.js';
import { LATEST, readCheckpoint } from './checkpoint.js';
import { actionSpaceOf, buildEnv } from './training-env.js';

/**
 * Exports the policy of a run folder's latest checkpoint for TensorFlow.js (`model.json` +
 * `weights.bin` in `outDir`), loadable in a browser with plain `@tensorflow/tfjs`.
 * Returns the path of `model.json`.
 */
export async function exportRunPolicy(runDir: string, outDir: string): Promise<string> {
  const checkpoint = readCheckpoint(path.join(runDir, 'checkpoints', LATEST));
  const config = resolveConfig({ algo: checkpoint.algo, ...(checkpoint.config as Record<string, unknown>) });
  if (config.algo === 'ppo-lstm' || config.algo === 's2pg') {
    throw new ConfigError(`${runDir}: a ${config.algo} policy carries a memory through the episode (GRU states or the internal state z), which the exported feed-forward model cannot hold; \`rxrl eval --run\` works on it`);
  }
  if (!isOnPolicyConfig(config)) {
    throw new ConfigError(`${runDir}: export covers the on-policy algorithms' networks; a ${config.algo} run's policy (a network of its own layout) cannot be exported yet. \`rxrl eval --run\` and \`rxrl render --run\` work on it`);
  }
  const env = buildEnv(config, 1);
  try {
    const actionSpace = actionSpaceOf(env, config.env);
    const policyOutputSize = actionSpace.kind === 'Discrete' ? actionSpace.n : actionSpace.flatDim;
    const layout = actorCriticLayout({ observationSize: env.observationSize, hidden: config.policy.hidden, activation: config.policy.activation, policyOutputSize });
    const params = (checkpoint.agent as { network: ActorCriticState }).network.params;
    const gaussian = actionSpace.kind === 'Box';
    const norm = checkpoint.observationNormalizer;
    return await exportPolicy(outDir, layout, params, config.policy.activation, {
      format: 'rxrl-policy',
      env: config.env,
      distribution: gaussian ? 'gaussian' : 'categorical',
      // With gSDE the noise depends on the state; a deployed policy acts with the mean.
      logStd: gaussian && !config.useSde ? Array.from(params.subarray(layout.size)) : null,
      observationNormalizer: norm === null ? null : { mean: norm.obsRms.mean, var: norm.obsRms.var, epsilon: 1e-8, clip: 10 },
    });
  } finally {
    await env.close();
  }
}
