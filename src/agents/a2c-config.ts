import { z } from 'zod';
import a2cZoo from './hyperparams/a2c.json' with { type: 'json' };
import { refineBackend, resolveLayeredConfig, runHeadFields, runTailFields } from './ppo-config.js';
import { scheduleSchema } from './schedule.js';

/** Optimizer settings of the policy-gradient agents. */
const optimizerFields = {
  /** SB3 A2C `use_rms_prop=True`: torch.optim.RMSprop; `adam` is SB3's `use_rms_prop=False`. */
  optimizer: z.enum(['rmsprop', 'adam']),
  /** RMSprop's α: SB3 A2C passes alpha=0.99 (also PyTorch's default). */
  rmsPropAlpha: z.number().gt(0).lt(1).default(0.99),
  /** ε of the optimizer: SB3 A2C `rms_prop_eps=1e-5` (and SB3's ActorCriticPolicy gives Adam eps=1e-5). */
  optimizerEps: z.number().positive().default(1e-5),
};

/**
 * A2C's configuration (synchronous advantage actor-critic, Mnih et al. 2016). Defaults are
 * Stable-Baselines3's `A2C.__init__`; per-env values come from `hyperparams/a2c.json` (the
 * SB3-zoo values, each block naming its source).
 */
export const a2cConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('a2c').default('a2c'),
      ...runHeadFields,
      nSteps: z.number().int().positive().default(5), // SB3 A2C n_steps
      gamma: z.number().min(0).max(1).default(0.99), // SB3 A2C gamma
      gaeLambda: z.number().min(0).max(1).default(1), // SB3 A2C gae_lambda: plain n-step returns
      learningRate: scheduleSchema.default(7e-4), // SB3 A2C learning_rate
      normalizeAdvantage: z.boolean().default(false), // SB3 A2C normalize_advantage
      entCoef: z.number().min(0).default(0), // SB3 A2C ent_coef
      vfCoef: z.number().min(0).default(0.5), // SB3 A2C vf_coef
      maxGradNorm: z.number().positive().default(0.5), // SB3 A2C max_grad_norm
      ...optimizerFields,
      optimizer: optimizerFields.optimizer.default('rmsprop'), // SB3 A2C use_rms_prop=True
      ...runTailFields,
    })
    .strict(),
);

/**
 * REINFORCE's configuration (Williams 1992): the same agent as A2C with Monte-Carlo returns
 * (λ fixed at 1) over long rollouts, and the critic as a baseline only when `useBaseline`.
 * SB3 has no REINFORCE; the defaults not shared with A2C follow PyTorch's
 * `examples/reinforcement_learning/reinforce.py` (Adam, returns standardised per update,
 * γ = 0.99), with a smaller learning rate (1e-3 instead of 1e-2) for the 64-64 networks.
 */
export const reinforceConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('reinforce').default('reinforce'),
      ...runHeadFields,
      /** Steps per copy per update; 1000 ≥ 2 CartPole episodes of the maximal 500 steps. */
      nSteps: z.number().int().positive().default(1000),
      gamma: z.number().min(0).max(1).default(0.99), // reinforce.py gamma
      /** Monte-Carlo returns: λ = 1 is what makes it REINFORCE. */
      gaeLambda: z.literal(1).default(1),
      learningRate: scheduleSchema.default(1e-3),
      normalizeAdvantage: z.boolean().default(true), // reinforce.py standardises the returns
      /** Subtract the critic's V(s) (trained by regression on the returns) from the returns. */
      useBaseline: z.boolean().default(false),
      entCoef: z.number().min(0).default(0),
      vfCoef: z.number().min(0).default(0.5), // used only with a baseline (SB3 A2C's value)
      maxGradNorm: z.number().positive().default(0.5), // SB3 A2C's clip
      ...optimizerFields,
      optimizer: optimizerFields.optimizer.default('adam'), // reinforce.py optim.Adam
      ...runTailFields,
    })
    .strict(),
);

/** A complete, validated A2C configuration. */
export type A2cConfig = z.infer<typeof a2cConfigSchema>;
export type A2cConfigInput = z.input<typeof a2cConfigSchema>;
/** A complete, validated REINFORCE configuration. */
export type ReinforceConfig = z.infer<typeof reinforceConfigSchema>;
export type ReinforceConfigInput = z.input<typeof reinforceConfigSchema>;

/** Builds an A2C config: SB3 defaults ← zoo values for the env (`hyperparams/a2c.json`) ← `file` ← `overrides`. */
export function resolveA2cConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): A2cConfig {
  return resolveLayeredConfig(a2cConfigSchema, a2cZoo as Record<string, Record<string, unknown>>, 'A2C', overrides, file);
}

/** Builds a REINFORCE config: defaults ← `file` ← `overrides` (no zoo values exist). */
export function resolveReinforceConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): ReinforceConfig {
  return resolveLayeredConfig(reinforceConfigSchema, {}, 'REINFORCE', overrides, file);
}
