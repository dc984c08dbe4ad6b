import { z } from 'zod';
import grpoTable from '../hyperparams/grpo.json' with { type: 'json' };
import { resolveLayeredConfig, runHeadFields, runTailFields } from '../ppo-config.js';
import { epoFields } from '../epo-config.js';
import { scheduleSchema } from '../schedule.js';

/**
 * GRPO's settings (group relative policy optimisation; Shao et al. 2024). Defaults are TRL's
 * `GRPOConfig` where they carry over (group size 8, ε 0.2, β 0, the "dapo" aggregation, std-scaled
 * rewards, one update pass per sampling stage, gradient clip 1.0, Adam ε 1e-8); the learning
 * rate is for small networks trained from scratch (TRL's 1e-6 is for fine-tuning a pretrained
 * language model). `numEnvs` copies are `numEnvs / groupSize` task instances ("prompts") per
 * sampling stage, each replayed to `groupSize` copies. Per-env values: `hyperparams/grpo.json`.
 */
const grpoFields = {
  ...runHeadFields,
  /** Copies per sampling stage: `numEnvs / groupSize` prompts × `groupSize` rollouts each. */
  numEnvs: z.number().int().positive().default(64),
  /** Rollouts per task instance, G (TRL num_generations). */
  groupSize: z.number().int().min(2).default(8),
  learningRate: scheduleSchema.default(1e-3),
  /** Clip range below 1 (ε, TRL epsilon). */
  clipRange: z.number().positive().default(0.2),
  /** Clip range above 1 (TRL epsilon_high; DAPO uses 0.28); null: the same as clipRange. */
  clipRangeHigh: z.number().positive().nullable().default(null),
  /** β of the k3 KL to the reference policy (TRL beta 0: no reference). */
  klCoef: z.number().min(0).default(0),
  /** Refresh the reference policy every this many sampling stages (0: the initial policy throughout). */
  referenceUpdateEvery: z.number().int().min(0).default(0),
  /** How token losses become the batch loss (TRL loss_type). */
  aggregation: z.enum(['grpo', 'dapo', 'dr_grpo']).default('dapo'),
  /** "group": Â = (r − mean)/(std + ε) per group; "none": Â = r − mean (Dr. GRPO; TRL scale_rewards). */
  scaleRewards: z.enum(['group', 'none']).default('group'),
  /** Passes over each stage's samples, μ (TRL num_iterations). */
  updatesPerStage: z.number().int().positive().default(1),
  /** Gradient steps per pass, each on an equal share of the stage's groups. */
  minibatches: z.number().int().positive().default(4),
  /** Entropy bonus coefficient (0: none, as GRPO). */
  entCoef: z.number().min(0).default(0),
  /**
   * "mlp": the feed-forward policy of `policy` (hidden sizes, activation); "gru": a recurrent
   * categorical policy (one GRU layer of `gruHiddenSize` units, a linear logits head) that carries
   * a hidden state through each episode and is trained by backpropagation through whole episodes.
   */
  policyType: z.enum(['mlp', 'gru']).default('mlp'),
  /** Hidden units of the gru policy. */
  gruHiddenSize: z.number().int().positive().default(64),
  maxGradNorm: z.number().positive().default(1), // TRL max_grad_norm
  adamEps: z.number().positive().default(1e-8), // torch AdamW eps, as TRL
  ...runTailFields,
};

/** The checks every group-rollout configuration ends with. */
function refineGroupRun<T extends z.ZodType<{ numEnvs: number; groupSize: number; minibatches: number; network: string; backend: string; useSde: boolean; normalizeObservation: boolean; normalizeReward: boolean }>>(schema: T) {
  return schema
    .refine((c) => c.numEnvs % c.groupSize === 0, { message: 'numEnvs must be a multiple of groupSize (prompts × rollouts per prompt)', path: ['numEnvs'] })
    .refine((c) => c.minibatches <= c.numEnvs / c.groupSize, { message: 'minibatches split the stage by whole groups: at most numEnvs / groupSize', path: ['minibatches'] })
    .refine((c) => c.network === 'fast' && c.backend === 'auto', { message: 'GRPO computes its policy with the fast engine only (network "fast", backend "auto")', path: ['network'] })
    .refine((c) => !c.useSde && !c.normalizeObservation && !c.normalizeReward, {
      message: 'GRPO scores whole episodes by their raw return and replays instances exactly: leave useSde, normalizeObservation and normalizeReward off',
      path: ['normalizeReward'],
    });
}

export const grpoConfigSchema = refineGroupRun(
  z
    .object({
      algo: z.literal('grpo').default('grpo'),
      ...grpoFields,
    })
    .strict(),
);

/** EPO on top of GRPO: GRPO's configuration with EPO's entropy terms. */
export const epoGrpoConfigSchema = refineGroupRun(
  z
    .object({
      algo: z.literal('epo-grpo').default('epo-grpo'),
      ...grpoFields,
      epo: epoFields,
    })
    .strict(),
);

/** A complete, validated GRPO configuration (plain, or with EPO's entropy terms). */
export type GrpoConfig = z.infer<typeof grpoConfigSchema> | z.infer<typeof epoGrpoConfigSchema>;
export type GrpoConfigInput = z.input<typeof grpoConfigSchema> | z.input<typeof epoGrpoConfigSchema>;


/** Builds a GRPO (or, with `algo: "epo-grpo"`, EPO-GRPO) config: defaults ← per-env values (`hyperparams/grpo.json`) ← `file` ← `overrides`. */
export function resolveGrpoConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): GrpoConfig {
  const epo = (overrides['algo'] ?? file['algo']) === 'epo-grpo';
  return epo
    ? resolveLayeredConfig(epoGrpoConfigSchema, grpoTable as Record<string, Record<string, unknown>>, 'EPO-GRPO', overrides, file)
    : resolveLayeredConfig(grpoConfigSchema, grpoTable as Record<string, Record<string, unknown>>, 'GRPO', overrides, file);
}
