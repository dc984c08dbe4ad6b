import path from 'node:path';
import { actorCriticLayout, denseSlots, type DenseSlot } from '../agents/engines/engine.js';
import { exportPolicy, type ExportedNetwork, type PolicyExportMetadata } from '../agents/export-tfjs.js';
import type { ActorCriticState } from '../agents/actor-critic.js';
import { isGradientConfig, isGroupConfig, isOfflineConfig, isOffPolicyConfig, resolveConfig, type AgentConfig, type GradientAgentConfig, type OffPolicyConfig, type OnPolicyConfig } from '../agents/algorithms.js';
import type { OfflineConfig } from '../agents/offline/offline-config.js';
import { requireBoxActions } from '../agents/offline/offline-agent.js';
import type { OfflineGaussianPolicyState } from '../agents/offline/gaussian-policy.js';
import type { SquashedGaussianPolicyState } from '../agents/apg/squashed-gaussian.js';
import { requireBoundedBox } from '../agents/off-policy-agent.js';
import type { SacConfig } from '../agents/sac/sac-config.js';
import type { SacPolicyState } from '../agents/sac/sac-policy.js';
import type { Td3AgentState } from '../agents/td3/td3-agent.js';
import type { Td3Config } from '../agents/td3/td3-config.js';
import { requireDiscrete, type DqnAgentState } from '../agents/dqn/dqn-agent.js';
import type { DqnConfig } from '../agents/dqn/dqn-config.js';
import { FastMlp } from '../nn/fast/index.js';
import { NORMALIZER_EPSILON } from '../agents/apg/window-normalizer.js';
import { clampLogStd } from '../algorithms/weighted-likelihood.js';
import { ConfigError } from '../core/errors.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RunningMeanStdState } from '../envs/wrappers/running-mean-std.js';
import { LATEST, readCheckpoint, type Checkpoint } from './checkpoint.js';
import { boundedActionSpaceOf, buildEnv, buildOfflineEvalEnv } from './training-env.js';

/** What a run's env tells the export: the observation width and the action space with its real bounds. */
interface EnvFacts {
  readonly observationSize: number;
  readonly actionSpace: Box | Discrete;
}

/** The network and metadata of one kind of run. */
interface PolicyExport {
  readonly network: ExportedNetwork;
  readonly metadata: PolicyExportMetadata;
}

/**
 * Exports the policy of a run folder's latest checkpoint for TensorFlow.js (`model.json` +
 * `weights.bin` in `outDir`), loadable in a browser with plain `@tensorflow/tfjs`: the
 * on-policy algorithms' actor, the gradient agents' (APG, ILD) squashed Gaussian and the
 * offline agents' (O-DICE, IQL, BC, the DICE variants) Gaussian, SAC's squashed Gaussian (its
 * mean), TD3's deterministic actor, DQN's Q network. Returns the path of `model.json`.
 */
export async function exportRunPolicy(runDir: string, outDir: string): Promise<string> {
  const checkpoint = readCheckpoint(path.join(runDir, 'checkpoints', LATEST));
  const config = resolveConfig({ algo: checkpoint.algo, ...(checkpoint.config as Record<string, unknown>) });
  if (config.algo === 'ppo-lstm' || config.algo === 's2pg') {
    throw new ConfigError(`${runDir}: a ${config.algo} policy carries a memory through the episode (GRU states or the internal state z), which the exported feed-forward model cannot hold; \`rxrl eval --run\` works on it`);
  }
  if (isGroupConfig(config)) {
    throw new ConfigError(`${runDir}: a ${config.algo} run's token policy cannot be exported yet; \`rxrl eval --run\` works on it`);
  }
  const env = isOfflineConfig(config) ? buildOfflineEvalEnv(config.env, 1) : buildEnv(config, 1);
  try {
    const facts: EnvFacts = { observationSize: env.observationSize, actionSpace: boundedActionSpaceOf(env, config.env) };
    const policy = isOfflineConfig(config)
      ? offlineExport(config, checkpoint, facts)
      : isGradientConfig(config)
        ? gradientExport(config, checkpoint, facts)
        : isOffPolicyConfig(config)
          ? offPolicyExport(config, checkpoint, facts)
          : onPolicyExport(config, checkpoint, facts);
    return await exportPolicy(outDir, policy.network, policy.metadata);
  } finally {
    await env.close();
  }
}

function metadataOf(config: AgentConfig, facts: EnvFacts, rest: Pick<PolicyExportMetadata, 'distribution' | 'logStd' | 'observationNormalizer'>): PolicyExportMetadata {
  const space = facts.actionSpace;
  const actionBounds = space.kind === 'Box' ? { low: Array.from(space.low), high: Array.from(space.high) } : null;
  return { format: 'rxrl-policy', env: config.env, algo: config.algo, actionBounds, ...rest };
}

function onPolicyExport(config: OnPolicyConfig, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  const space = facts.actionSpace;
  const policyOutputSize = space.kind === 'Discrete' ? space.n : space.flatDim;
  const layout = actorCriticLayout({ observationSize: facts.observationSize, hidden: config.policy.hidden, activation: config.policy.activation, policyOutputSize });
  const params = (checkpoint.agent as { network: ActorCriticState }).network.params;
  const gaussian = space.kind === 'Box';
  const norm = checkpoint.observationNormalizer;
  return {
    network: { slots: [...layout.policyBody, ...layout.actionHead], params, activation: config.policy.activation },
    metadata: metadataOf(config, facts, {
      distribution: gaussian ? 'gaussian' : 'categorical',
      // With gSDE the noise depends on the state; a deployed policy acts with the mean.
      logStd: gaussian && !config.useSde ? Array.from(params.subarray(layout.size)) : null,
      observationNormalizer: norm === null ? null : { mean: norm.obsRms.mean, var: norm.obsRms.var, epsilon: 1e-8, clip: 10 },
    }),
  };
}

/** APG and ILD: a tanh-squashed Gaussian on the agent's own observation statistics (no clipping). */
function gradientExport(config: GradientAgentConfig, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  const state = checkpoint.agent as { policy: SquashedGaussianPolicyState; observationRms: RunningMeanStdState };
  const sizes = [facts.observationSize, ...config.policy.hidden, state.policy.logStd.length];
  const rms = state.observationRms;
  return {
    network: { slots: denseSlots(sizes), params: state.policy.mean, activation: config.policy.activation },
    metadata: metadataOf(config, facts, {
      distribution: 'squashed-gaussian',
      logStd: Array.from(state.policy.logStd),
      observationNormalizer: config.observationRms ? { mean: Array.from(rms.mean), var: Array.from(rms.var), epsilon: NORMALIZER_EPSILON, clip: null } : null,
    }),
  };
}

/** The off-policy agents' policies: SAC's mean, TD3's actor, DQN's Q network. */
function offPolicyExport(config: OffPolicyConfig, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  switch (config.algo) {
    case 'sac':
      return sacExport(config, checkpoint, facts);
    case 'td3':
      return td3Export(config, checkpoint, facts);
    case 'dqn':
      return dqnExport(config, checkpoint, facts);
  }
}

/**
 * SAC: the mean μ of its squashed Gaussian (the network's first A outputs; its log σ depends on
 * the state, so `logStd` is null and the model acts as evaluation does, mid + half·tanh(μ)).
 */
function sacExport(config: SacConfig, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  if (config.stateDim !== undefined) throw new ConfigError(`a SAC-RS policy (stateDim ${config.stateDim}) carries its internal state z through the episode, which the exported feed-forward model cannot hold; \`rxrl eval --run\` works on it`);
  const A = requireBoundedBox(facts.actionSpace, config.env).flatDim;
  const full = (checkpoint.agent as { policy: SacPolicyState }).policy.params;
  const sizes = [facts.observationSize, ...config.policy.hidden, A];
  const slots = denseSlots(sizes);
  const last = slots[slots.length - 1] as DenseSlot;
  const params = new Float64Array(FastMlp.paramCount(sizes));
  // The hidden layers as they are; of the output layer (2·A wide, input-major), the mean's columns.
  params.set(full.subarray(0, last.offset));
  for (let i = 0; i < last.inSize; i++) for (let o = 0; o < A; o++) params[last.offset + i * A + o] = full[last.offset + i * 2 * A + o] as number;
  for (let o = 0; o < A; o++) params[last.offset + last.inSize * A + o] = full[last.offset + last.inSize * 2 * A + o] as number;
  return { network: { slots, params, activation: config.policy.activation }, metadata: metadataOf(config, facts, { distribution: 'squashed-gaussian', logStd: null, observationNormalizer: null }) };
}

/** TD3: the actor's layers as they are; its tanh output becomes `deterministic-tanh`, mid + half·tanh(u). */
function td3Export(config: Td3Config, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  const A = requireBoundedBox(facts.actionSpace, config.env, 0, 'TD3').flatDim;
  const slots = denseSlots([facts.observationSize, ...config.policy.hidden, A]);
  const params = (checkpoint.agent as Td3AgentState).actor;
  return { network: { slots, params, activation: config.policy.activation }, metadata: metadataOf(config, facts, { distribution: 'deterministic-tanh', logStd: null, observationNormalizer: null }) };
}

/** DQN: the Q network as it is (`q-values`: the action is the argmax of the output). */
function dqnExport(config: DqnConfig, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  const n = requireDiscrete(facts.actionSpace, config.env).n;
  const slots = denseSlots([facts.observationSize, ...config.policy.hidden, n]);
  return { network: { slots, params: (checkpoint.agent as DqnAgentState).q, activation: config.policy.activation }, metadata: metadataOf(config, facts, { distribution: 'q-values', logStd: null, observationNormalizer: null }) };
}

/** The offline agents: a Gaussian on raw observations whose log-std is clamped to the config's range. */
function offlineExport(config: OfflineConfig, checkpoint: Checkpoint, facts: EnvFacts): PolicyExport {
  const params = (checkpoint.agent as { policy: OfflineGaussianPolicyState }).policy.params;
  const actionSize = requireBoxActions(config.algo, config.env, facts.actionSpace).flatDim;
  const slots = denseSlots([facts.observationSize, ...config.policy.hidden, actionSize]);
  const { logStdMin, logStdMax } = config.policy;
  const logStd = Array.from(params.subarray(params.length - actionSize), (v) => clampLogStd(v, logStdMin, logStdMax));
  return { network: { slots, params, activation: 'relu' }, metadata: metadataOf(config, facts, { distribution: 'gaussian', logStd, observationNormalizer: null }) };
}
