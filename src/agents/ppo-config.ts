import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import ppoZoo from './hyperparams/ppo.json' with { type: 'json' };
import s2pgTable from './hyperparams/s2pg.json' with { type: 'json' };
import ppoLstmTable from './hyperparams/ppo-lstm.json' with { type: 'json' };
import { epoFields } from './epo-config.js';
import { scheduleSchema } from './schedule.js';

/**
 * PPO's configuration. Defaults are Stable-Baselines3's (`PPO.__init__`) unless noted; per-env
 * values come from `hyperparams/ppo.json` (the SB3-zoo values, each block naming its source).
 */
/** Run settings every on-policy algorithm shares: the env and budget. */
export const runHeadFields = {
  env: z.string().min(1),
  seed: z.number().int().min(0).default(0),
  totalSteps: z.number().int().positive().default(1_000_000),
  numEnvs: z.number().int().positive().default(1), // SB3 make_vec_env default
  /** Keyword arguments of the env (SB3's `env_kwargs`), e.g. `{ "arm": "panda7" }` for rxrl/Reach-v0. */
  envKwargs: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
};

/** Run settings every on-policy algorithm shares: networks, exploration, normalisation, evaluation, checkpoints. */
export const runTailFields = {
  policy: z
    .object({
      hidden: z.array(z.number().int().positive()).min(1).default([64, 64]), // SB3 MlpPolicy pi=[64,64], vf=[64,64]
      activation: z.enum(['tanh', 'relu']).default('tanh'),
      logStdInit: z.number().default(0),
    })
    .strict()
    .default({ hidden: [64, 64], activation: 'tanh', logStdInit: 0 }),
  /** What computes the networks: the fast typed-array engine, or TensorFlow.js (on `backend`). */
  network: z.enum(['fast', 'tfjs']).default('fast'),
  /** TensorFlow.js backend when `network` is `tfjs`: the best that loads, or a named one. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Generalised state-dependent exploration (Raffin et al. 2022), continuous actions only. */
  useSde: z.boolean().default(false),
  /** Resample the gSDE noise matrix every k steps; −1 only at rollout start (SB3 sde_sample_freq). */
  sdeSampleFreq: z.number().int().min(-1).default(-1),
  normalizeObservation: z.boolean().default(false),
  normalizeReward: z.boolean().default(false),
  /** Observe the last k observations stacked (the "window" policy of partially observed tasks; SB3 zoo frame_stack); 1: none. */
  frameStack: z.number().int().min(1).default(1),
  /** Episodes of the final (and periodic) evaluation. */
  evalEpisodes: z.number().int().min(0).default(10),
  /**
   * Evaluate the policy's mode (default, as SB3's EvalCallback) or sample it — the sampled policy
   * is the one trained, and the fair measure where a greedy policy can loop (gridworlds, text
   * games). Evaluation samples from its own seeded stream, so it never shifts training's.
   */
  evalDeterministic: z.boolean().default(true),
  /** Evaluate every this many env steps (0: only at the end). */
  evalEvery: z.number().int().min(0).default(0),
  /** Save a checkpoint every this many env steps (0: only at the end). */
  checkpointEvery: z.number().int().min(0).default(0),
};

/** The check every algorithm's schema ends with: a backend only means something for TensorFlow.js. */
export function refineBackend<T extends z.ZodType<{ network: string; backend: string }>>(schema: T) {
  return schema.refine((c) => c.network === 'tfjs' || c.backend === 'auto', {
    message: 'backend selects a TensorFlow.js backend: set network to "tfjs" too (the fast engine does not use one)',
    path: ['backend'],
  });
}

/**
 * PPO's configuration. Defaults are Stable-Baselines3's (`PPO.__init__`) unless noted; per-env
 * values come from `hyperparams/ppo.json` (the SB3-zoo values, each block naming its source).
 */
const ppoFields = {
  ...runHeadFields,
  nSteps: z.number().int().positive().default(2048), // SB3 n_steps
  batchSize: z.number().int().positive().default(64), // SB3 batch_size
  nEpochs: z.number().int().positive().default(10), // SB3 n_epochs
  gamma: z.number().min(0).max(1).default(0.99),
  gaeLambda: z.number().min(0).max(1).default(0.95),
  learningRate: scheduleSchema.default(3e-4),
  clipRange: scheduleSchema.default(0.2),
  /** Value clipping ε, or null for none (SB3 clip_range_vf=None; CleanRL clips with 0.2). */
  clipRangeVf: z.number().positive().nullable().default(null),
  normalizeAdvantage: z.boolean().default(true),
  entCoef: z.number().min(0).default(0),
  vfCoef: z.number().min(0).default(0.5),
  maxGradNorm: z.number().positive().default(0.5),
  /** Stop the epoch loop when approx KL exceeds this (SB3 target_kl; null = never). */
  targetKl: z.number().positive().nullable().default(null),
  /** Adam ε: SB3 and CleanRL both use 1e-5 for PPO. */
  adamEps: z.number().positive().default(1e-5),
  /** Log each turn's policy entropy per update (`entropy/turnT`; always on for EPO-PPO): one extra forward pass over the rollout. */
  logTurnEntropy: z.boolean().default(false),
  ...runTailFields,
};

export const ppoConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('ppo').default('ppo'),
      ...ppoFields,
    })
    .strict(),
);

/** EPO on top of PPO (`algo: "epo-ppo"`): PPO's configuration and per-env values, with EPO's entropy terms (`epo`). */
export const epoPpoConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('epo-ppo').default('epo-ppo'),
      ...ppoFields,
      epo: epoFields,
    })
    .strict(),
);

/**
 * PPO-RS, the stochastic stateful policy gradient with PPO (`algo: "s2pg"`; ALGORITHMS.md §6):
 * PPO on the env's extended MDP (`VectorInternalState`), whose state is `[o, z, a_prev]` and whose
 * action is `[a, z']`, so the ratio is that of the joint log-prob and the critic is V(o, z, a_prev).
 * Per-env values: `hyperparams/s2pg.json`.
 */
export const s2pgConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('s2pg').default('s2pg'),
      ...ppoFields,
      /** Entries of the internal state z (sampled by the policy each step, reset to 0 at episode start). */
      stateDim: z.number().int().positive().default(16),
      /**
       * The mean of z′: "residual" (default) z + network output, so memory persists unless changed;
       * "mlp": the network output alone; "gru": a GRU cell's next hidden state, z the hidden state
       * and [o, a_prev] the input (its own parameters; the action's mean stays the MLP's).
       */
      stateKernel: z.enum(['mlp', 'residual', 'gru']).default('residual'),
      /** Initial log-std of z′'s noise; default the policy's `logStdInit` (the paper's one std over [a, z′]). */
      stateLogStdInit: z.number().optional(),
      /**
       * With `useSde`: whether z′'s noise is gSDE's as well (true, the default: held between
       * resamplings and scaled by the policy's latent) or a fresh state-independent Gaussian every
       * step (false, the S2PG paper's kernel). Without gSDE it is always the latter.
       */
      stateNoiseSde: z.boolean().default(true),
    })
    .strict(),
);

/**
 * Recurrent PPO with truncated backpropagation through time (`algo: "ppo-lstm"`, the name of
 * SB3-contrib's RecurrentPPO in the RL zoo; the cells are GRUs): PPO's settings and the GRU
 * width. Per-env values: `hyperparams/ppo-lstm.json`.
 */
export const ppoLstmConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('ppo-lstm').default('ppo-lstm'),
      ...ppoFields,
      /** Hidden units of the actor's and the critic's GRU. */
      recurrentHiddenSize: z.number().int().positive().default(64),
      /** MLP layers between each GRU and its head (SB3-contrib's `net_arch`, activation `policy.activation`); [] puts the heads on the GRU state. */
      recurrentNetArch: z.array(z.number().int().positive()).default([]),
      /** SB3's `ortho_init` for those layers and the heads (false: PyTorch's default `nn.Linear` draws). */
      orthoInit: z.boolean().default(true),
    })
    .strict()
    .refine((c) => c.network === 'fast' && c.frameStack === 1, { message: 'ppo-lstm computes its GRUs with the fast engine, without a frame stack (network "fast", frameStack 1)', path: ['network'] }),
);

/** A complete, validated PPO configuration (plain, with EPO's entropy terms, stateful, or recurrent). */
export type PpoConfig = z.infer<typeof ppoConfigSchema> | z.infer<typeof epoPpoConfigSchema> | z.infer<typeof s2pgConfigSchema> | z.infer<typeof ppoLstmConfigSchema>;
/** What a user may give: every key but `env` optional. */
export type PpoConfigInput = z.input<typeof ppoConfigSchema> | z.input<typeof epoPpoConfigSchema> | z.input<typeof s2pgConfigSchema> | z.input<typeof ppoLstmConfigSchema>;

const zoo = ppoZoo as Record<string, Record<string, unknown>>;

/**
 * The zoo hyperparameters registered for `envId` in `table` (default PPO's), without their
 * `source` note, or `{}`. A bridged `gymnasium:ID` uses the values of `ID` (the same task).
 */
export function zooHyperparameters(envId: string, table: Record<string, Record<string, unknown>> = zoo): Record<string, unknown> {
  const { source: _source, ...values } = table[envId] ?? table[envId.replace(/^gymnasium:/, '')] ?? {};
  return values;
}

/** Formats zod issues as `key.path: message` lines. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/**
 * Builds a config from layers, later ones winning: the schema's (SB3) defaults ← `zoo` values
 * for the env ← `file` (a config file's contents) ← `overrides` (command-line flags). A typo or
 * a wrong type throws {@link ConfigError} naming the key.
 */
export function resolveLayeredConfig<S extends z.ZodTypeAny>(schema: S, zooTable: Record<string, Record<string, unknown>>, label: string, overrides: Record<string, unknown>, file: Record<string, unknown> = {}): z.infer<S> {
  const env = (overrides['env'] ?? file['env']) as unknown;
  if (typeof env !== 'string') throw new ConfigError('no environment given: pass --env ID (e.g. --env CartPole-v1) or "env" in the config file');
  const merged = { ...zooHyperparameters(env, zooTable), ...file, ...overrides };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`invalid ${label} configuration:\n${formatZodError(parsed.error)}`);
  return parsed.data as z.infer<S>;
}

/** Builds a PPO config: SB3 defaults ← zoo values for the env ← `file` ← `overrides` (see {@link resolveLayeredConfig}). */
export function resolvePpoConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): PpoConfig {
  const algo = overrides['algo'] ?? file['algo'];
  if (algo === 's2pg') return resolveLayeredConfig(s2pgConfigSchema, s2pgTable as Record<string, Record<string, unknown>>, 'S2PG', overrides, file);
  if (algo === 'ppo-lstm') return resolveLayeredConfig(ppoLstmConfigSchema, ppoLstmTable as Record<string, Record<string, unknown>>, 'PPO-LSTM', overrides, file);
  return algo === 'epo-ppo' ? resolveLayeredConfig(epoPpoConfigSchema, zoo, 'EPO-PPO', overrides, file) : resolveLayeredConfig(ppoConfigSchema, zoo, 'PPO', overrides, file);
}
