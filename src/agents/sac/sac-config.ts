import { z } from 'zod';
import sacTable from '../hyperparams/sac.json' with { type: 'json' };
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
    /** Transitions kept (SB3 buffer_size 1e6). */
    bufferSize: z.number().int().positive().default(1_000_000),
    /** Env steps of uniformly random actions before learning starts (SB3 learning_starts 100). */
    learningStarts: z.number().int().min(0).default(100),
    /** Transitions per gradient step (SB3 batch_size 256). */
    batchSize: z.number().int().positive().default(256),
    /** Polyak rate of the target critics (SB3 tau 0.005). */
    tau: z.number().gt(0).max(1).default(0.005),
    gamma: z.number().min(0).max(1).default(0.99),
    /** Vector-env steps between training rounds (SB3 train_freq 1). */
    trainFreq: z.number().int().positive().default(1),
    /** Gradient steps per training round (SB3 gradient_steps 1). */
    gradientSteps: z.number().int().positive().default(1),
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
    /** Observe the last k observations stacked (the "window" policy of partially observed tasks); 1: none. */
    frameStack: z.number().int().min(1).default(1),
    /** Observations and rewards reach the buffer as the env gives them (normalising them inside the buffer is not built yet). */
    normalizeObservation: z.literal(false).default(false),
    normalizeReward: z.literal(false).default(false),
    /** Episodes of the final (and periodic) evaluation. */
    evalEpisodes: z.number().int().min(0).default(10),
    /** Evaluate the policy's mode tanh(μ) (default, as SB3's EvalCallback) or sample it. */
    evalDeterministic: z.boolean().default(true),
    /** Evaluate every this many env steps (0: only at the end). */
    evalEvery: z.number().int().min(0).default(0),
    /** Save a checkpoint every this many env steps (0: only at the end); it holds the replay buffer. */
    checkpointEvery: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((c) => c.batchSize <= c.bufferSize, { message: 'batchSize cannot exceed bufferSize', path: ['batchSize'] });

/** A validated SAC configuration. */
export type SacConfig = z.infer<typeof sacConfigSchema>;
/** What a user may give for SAC. */
export type SacConfigInput = z.input<typeof sacConfigSchema> & { readonly algo: 'sac' };

/** SAC's config: defaults ← zoo values for the env ← `file` ← `overrides`. */
export function resolveSacConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): SacConfig {
  return resolveLayeredConfig(sacConfigSchema, sacTable as Record<string, Record<string, unknown>>, 'SAC', overrides, file);
}
