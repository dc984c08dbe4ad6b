import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { formatZodError } from '../ppo-config.js';

/**
 * Settings every offline algorithm shares: the dataset it learns from, the env it is evaluated
 * in, and the budget — counted in gradient steps (one minibatch each), as the reference codes
 * count `max_steps`.
 */
export const offlineRunFields = {
  /** The env the policy is evaluated in (the dataset's `envId` when the CLI is not told otherwise). */
  env: z.string().min(1),
  /** The dataset file (D4RL-layout or Minari HDF5; see `loadDataset`). */
  dataset: z.string().min(1),
  seed: z.number().int().min(0).default(0),
  /** Gradient steps (O-DICE and IQL: 1M). */
  totalSteps: z.number().int().positive().default(1_000_000),
  /** Minibatch size (both references: 256). */
  batchSize: z.number().int().positive().default(256),
  gamma: z.number().min(0).max(1).default(0.99),
  /**
   * Reward preprocessing: `return-range` multiplies rewards by 1000 / (max − min) of the
   * dataset's episode returns (both references, on MuJoCo); a number multiplies by it.
   */
  rewardScale: z.union([z.literal('return-range'), z.number().positive()]).default('return-range'),
  /** Deterministic evaluation episodes (mean action; references: 10). */
  evalEpisodes: z.number().int().min(0).default(10),
  /** Evaluate every this many gradient steps (0: only at the end; references: 5000). */
  evalEvery: z.number().int().min(0).default(0),
  /** Save a checkpoint every this many gradient steps (0: only at the end). */
  checkpointEvery: z.number().int().min(0).default(0),
  policy: z
    .object({
      /** Hidden ReLU layers of the Gaussian policy's mean (O-DICE: [1024, 1024]; IQL: [256, 256] — 256 here, for CPU time). */
      hidden: z.array(z.number().int().positive()).min(1).default([256, 256]),
      /** Clamp of the state-independent log-std (both references: [−5, 2]). */
      logStdMin: z.number().default(-5),
      logStdMax: z.number().default(2),
    })
    .strict()
    .default({ hidden: [256, 256], logStdMin: -5, logStdMax: 2 }),
};

/** The DICE variants: O-DICE's orthogonal-gradient update and the two it improves on. */
export const DICE_ALGORITHMS = ['odice', 'semi-dice', 'true-dice'] as const;
export type DiceAlgorithm = (typeof DICE_ALGORITHMS)[number];

const diceSchema = <A extends DiceAlgorithm>(algo: A) =>
  z
    .object({
      algo: z.literal(algo).default(algo as never),
      ...offlineRunFields,
      /** λ ∈ (0, 1) of the V-DICE objective (O-DICE CLI default 0.6; its per-dataset values are in the paper's Appendix D). */
      lambda: z.number().gt(0).lt(1).default(0.6),
      /** η: weight of the backward gradient in the orthogonal update (O-DICE default 1.0; unused by the other variants). */
      eta: z.number().min(0).default(1),
      /** f-divergence of the regulariser (O-DICE: Pearson χ²). */
      divergence: z.enum(['chi-square', 'kl']).default('chi-square'),
      /** Value Adam learning rate (O-DICE 2e-4). */
      valueLearningRate: z.number().positive().default(2e-4),
      /** Policy Adam learning rate (O-DICE 2e-4). */
      policyLearningRate: z.number().positive().default(2e-4),
      /** Policy Adam's coupled L2 penalty (O-DICE weight_decay 1e-4). */
      policyWeightDecay: z.number().min(0).default(1e-4),
      /** Target network EMA rate τ per step (O-DICE beta 0.005). */
      targetUpdate: z.number().gt(0).max(1).default(0.005),
      /** Cap of the extraction weights (O-DICE 100). */
      maxWeight: z.number().positive().default(100),
      value: z
        .object({
          hidden: z.array(z.number().int().positive()).min(1).default([256, 256]), // O-DICE hidden_dim 256, n_hidden 2
          layerNorm: z.boolean().default(true), // O-DICE layer_norm True (MuJoCo)
          twin: z.boolean().default(true), // O-DICE use_twin_v True
        })
        .strict()
        .default({ hidden: [256, 256], layerNorm: true, twin: true }),
    })
    .strict();

export const odiceConfigSchema = diceSchema('odice');
export const semiDiceConfigSchema = diceSchema('semi-dice');
export const trueDiceConfigSchema = diceSchema('true-dice');

/** A validated configuration of O-DICE or one of its semi-/true-gradient baselines (ALGORITHMS.md §7). */
export type DiceConfig = z.infer<typeof odiceConfigSchema> | z.infer<typeof semiDiceConfigSchema> | z.infer<typeof trueDiceConfigSchema>;
/** What a user may give for a DICE variant. */
export type DiceConfigInput = z.input<typeof odiceConfigSchema> | z.input<typeof semiDiceConfigSchema> | z.input<typeof trueDiceConfigSchema>;

/**
 * IQL (Kostrikov et al. 2022), defaults of gwthomas/IQL-PyTorch (the implementation O-DICE's
 * code derives from): twin Q and V of [256, 256] ReLU without LayerNorm, one Adam per network at
 * 3e-4, the policy's rate cosine-annealed to 0, expectile τ 0.7, temperature β 3.0, weights ≤ 100,
 * target Q EMA 0.005.
 */
export const iqlConfigSchema = z
  .object({
    algo: z.literal('iql').default('iql'),
    ...offlineRunFields,
    expectile: z.number().gt(0).lt(1).default(0.7),
    /** β of the advantage weights exp(β·A). */
    temperature: z.number().min(0).default(3),
    learningRate: z.number().positive().default(3e-4),
    /** `cosine`: the policy's rate follows CosineAnnealingLR to 0 over the run; `constant`. */
    policyLrSchedule: z.enum(['cosine', 'constant']).default('cosine'),
    targetUpdate: z.number().gt(0).max(1).default(0.005),
    maxWeight: z.number().positive().default(100),
    value: z
      .object({ hidden: z.array(z.number().int().positive()).min(1).default([256, 256]) })
      .strict()
      .default({ hidden: [256, 256] }),
  })
  .strict();

/** A validated IQL configuration. */
export type IqlConfig = z.infer<typeof iqlConfigSchema>;
export type IqlConfigInput = z.input<typeof iqlConfigSchema>;

/** Behaviour cloning: maximum likelihood of the dataset's actions under the Gaussian policy, Adam 3e-4 (IQL-PyTorch's policy settings, no schedule). */
export const bcConfigSchema = z
  .object({
    algo: z.literal('bc').default('bc'),
    ...offlineRunFields,
    learningRate: z.number().positive().default(3e-4),
    weightDecay: z.number().min(0).default(0),
  })
  .strict();

/** A validated BC configuration. */
export type BcConfig = z.infer<typeof bcConfigSchema>;
export type BcConfigInput = z.input<typeof bcConfigSchema>;

/** The built-in offline algorithms, by their `algo` key. */
export const OFFLINE_ALGORITHMS = [...DICE_ALGORITHMS, 'iql', 'bc'] as const;
export type OfflineAlgorithmName = (typeof OFFLINE_ALGORITHMS)[number];
/** A validated configuration of any offline algorithm. */
export type OfflineConfig = DiceConfig | IqlConfig | BcConfig;
export type OfflineConfigInput = DiceConfigInput | IqlConfigInput | BcConfigInput;

const SCHEMAS = { odice: odiceConfigSchema, 'semi-dice': semiDiceConfigSchema, 'true-dice': trueDiceConfigSchema, iql: iqlConfigSchema, bc: bcConfigSchema } as const;

/** Builds an offline algorithm's config: its reference defaults ← `file` ← `overrides`. */
export function resolveOfflineConfig(algo: OfflineAlgorithmName, overrides: Record<string, unknown>, file: Record<string, unknown> = {}): OfflineConfig {
  const merged = { ...file, ...overrides };
  if (typeof merged['dataset'] !== 'string') throw new ConfigError(`${algo} learns from a dataset: pass --dataset FILE (or "dataset" in the config file)`);
  if (typeof merged['env'] !== 'string') throw new ConfigError(`${algo} needs the env to evaluate its policy in: pass --env ID (or "env" in the config file); \`rxrl train\` takes it from the dataset's metadata when it names one`);
  const parsed = SCHEMAS[algo].safeParse(merged);
  if (!parsed.success) throw new ConfigError(`invalid ${algo} configuration:\n${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Whether `algo` names an offline algorithm. */
export function isOfflineAlgorithm(algo: unknown): algo is OfflineAlgorithmName {
  return (OFFLINE_ALGORITHMS as readonly unknown[]).includes(algo);
}
