import { z } from 'zod';
import trpoZoo from './hyperparams/trpo.json' with { type: 'json' };
import { refineBackend, resolveLayeredConfig, runHeadFields, runTailFields } from './ppo-config.js';
import { scheduleSchema } from './schedule.js';

/**
 * TRPO's configuration (Schulman et al. 2015; ALGORITHMS.md §2). Defaults are sb3-contrib's
 * (`TRPO.__init__`); per-env values come from `hyperparams/trpo.json` (rl-baselines3-zoo's
 * `trpo.yml`, each block naming its source).
 */
export const trpoConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('trpo').default('trpo'),
      ...runHeadFields,
      nSteps: z.number().int().positive().default(2048), // sb3-contrib n_steps
      /** Minibatch size of the critic regression (sb3-contrib batch_size). */
      batchSize: z.number().int().positive().default(128),
      gamma: z.number().min(0).max(1).default(0.99), // sb3-contrib gamma
      gaeLambda: z.number().min(0).max(1).default(0.95), // sb3-contrib gae_lambda
      /** The critic's Adam learning rate (sb3-contrib learning_rate: TRPO's policy step has none). */
      learningRate: scheduleSchema.default(1e-3),
      /** δ: the mean KL(π_old ‖ π_new) a step may reach (sb3-contrib target_kl). */
      targetKl: z.number().positive().default(0.01),
      cgMaxSteps: z.number().int().positive().default(15), // sb3-contrib cg_max_steps
      /** c of the damped Fisher F + c·I used by CG and by the step length (sb3-contrib cg_damping). */
      cgDamping: z.number().min(0).default(0.1),
      /** CG stops once ‖r‖² falls below this (sb3-contrib's conjugate_gradient_solver residual_tol). */
      cgTolerance: z.number().positive().default(1e-10),
      /** s: the line search shrinks the step by this each trial (sb3-contrib line_search_shrinking_factor). */
      lineSearchShrink: z.number().gt(0).lt(1).default(0.8),
      lineSearchMaxIter: z.number().int().positive().default(10), // sb3-contrib line_search_max_iter
      /** Epochs of critic minibatches per update (sb3-contrib n_critic_updates). */
      nCriticUpdates: z.number().int().positive().default(10),
      normalizeAdvantage: z.boolean().default(true), // sb3-contrib normalize_advantage
      /** Use every k-th sample for the Fisher-vector products (sb3-contrib sub_sampling_factor; OpenAI baselines uses 5). */
      fvpSubsample: z.number().int().positive().default(1),
      /** Adam ε of the critic (SB3 policies pass 1e-5). */
      adamEps: z.number().positive().default(1e-5),
      ...runTailFields,
    })
    .strict(),
);

/** A complete, validated TRPO configuration. */
export type TrpoConfig = z.infer<typeof trpoConfigSchema>;
/** What a user may give: every key but `env` optional. */
export type TrpoConfigInput = z.input<typeof trpoConfigSchema>;

/** Builds a TRPO config: sb3-contrib defaults ← per-env values (`hyperparams/trpo.json`) ← `file` ← `overrides`. */
export function resolveTrpoConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): TrpoConfig {
  return resolveLayeredConfig(trpoConfigSchema, trpoZoo as Record<string, Record<string, unknown>>, 'TRPO', overrides, file);
}
