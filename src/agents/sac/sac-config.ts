import { z } from 'zod';
import sacTable from '../hyperparams/sac.json' with { type: 'json' };
import { batchFitsBuffer, offPolicyTailFields, replayFields } from '../off-policy-config.js';
import { resolveLayeredConfig, runHeadFields } from '../ppo-config.js';

/**
 * Soft actor-critic (`--algo sac`; Haarnoja et al. 2018), off-policy, for Box actions.
 * Defaults are Stable-Baselines3's (`SAC.__init__`, `SACPolicy`); per-env values come from
 * `hyperparams/sac.json` (the SB3-zoo values, each block naming its source).
 */
export const sacConfigSchema = z
  .object({
    algo: z.literal('sac').default('sac'),
    ...runHeadFields,
    /** Adam's rate for the actor, the critics and the temperature (SB3 learning_rate 3e-4). */
    learningRate: z.number().positive().default(3e-4),
    ...replayFields,
    /** Temperature α: `auto` learns it towards the target entropy (SB3 ent_coef "auto"), a number fixes it. */
    entCoef: z.union([z.literal('auto'), z.number().positive()]).default('auto'),
    /** Initial α when learned (SB3's "auto" starts at 1). */
    entCoefInit: z.number().positive().default(1),
    /** Target entropy of the learned α: `auto` is −dim(A) (SB3 target_entropy "auto"). */
    targetEntropy: z.union([z.literal('auto'), z.number()]).default('auto'),
    /**
     * SAC-RS (S2PG's stateful SAC, ALGORITHMS.md §6): an internal state z of this many entries,
     * observed as [o, z, a_prev] and chosen with the action as [a, z′] (`VectorInternalState`),
     * z′ squashed into (−1, 1), no backpropagation through time. Unset: plain SAC.
     */
    stateDim: z.number().int().positive().optional(),
    /** SAC-RS: the temperature of z′'s entropy, learned (`auto`) or fixed (the paper's separate temperature for z). */
    stateEntCoef: z.union([z.literal('auto'), z.number().positive()]).default('auto'),
    /** SAC-RS: the target entropy of z′ (`auto`: −stateDim). */
    stateTargetEntropy: z.union([z.literal('auto'), z.number()]).default('auto'),
    /** Gradient steps between two target updates (SB3 target_update_interval 1). */
    targetUpdateInterval: z.number().int().positive().default(1),
    policy: z
      .object({
        hidden: z.array(z.number().int().positive()).min(1).default([256, 256]), // SB3 SACPolicy net_arch [256, 256]
        activation: z.enum(['tanh', 'relu']).default('relu'), // SB3 SACPolicy activation_fn ReLU
      })
      .strict()
      .default({ hidden: [256, 256], activation: 'relu' }),
    /** The twin critics Q(s, a): ReLU networks (SB3 ContinuousCritic, n_critics 2). */
    critic: z
      .object({ hidden: z.array(z.number().int().positive()).min(1).default([256, 256]) })
      .strict()
      .default({ hidden: [256, 256] }),
    ...offPolicyTailFields,
  })
  .strict()
  .refine(...batchFitsBuffer);

/** A validated SAC configuration. */
export type SacConfig = z.infer<typeof sacConfigSchema>;
/** What a user may give for SAC. */
export type SacConfigInput = z.input<typeof sacConfigSchema> & { readonly algo: 'sac' };

/** SAC's config: defaults ← zoo values for the env ← `file` ← `overrides`. */
export function resolveSacConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): SacConfig {
  return resolveLayeredConfig(sacConfigSchema, sacTable as Record<string, Record<string, unknown>>, 'SAC', overrides, file);
}
