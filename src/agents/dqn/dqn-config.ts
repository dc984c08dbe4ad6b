import { z } from 'zod';
import dqnTable from '../hyperparams/dqn.json' with { type: 'json' };
import { batchFitsBuffer, offPolicyTailFields, replayFields } from '../off-policy-config.js';
import { resolveLayeredConfig, runHeadFields } from '../ppo-config.js';

/**
 * Deep Q-learning (`--algo dqn`; Mnih et al. 2015) for Discrete actions: a Q network with a
 * periodically copied target, ε-greedy exploration annealed linearly, the Huber loss. Defaults
 * are Stable-Baselines3's (`DQN.__init__`, `DQNPolicy`); per-env values come from
 * `hyperparams/dqn.json` (the SB3-zoo values, each block naming its source).
 */
export const dqnConfigSchema = z
  .object({
    algo: z.literal('dqn').default('dqn'),
    ...runHeadFields,
    /** Adam's rate (SB3 learning_rate 1e-4). */
    learningRate: z.number().positive().default(1e-4),
    ...replayFields,
    /** Transitions per gradient step (SB3 batch_size 32). */
    batchSize: z.number().int().positive().default(32),
    /** Target update rate: 1 copies the network (SB3 tau 1.0). */
    tau: z.number().gt(0).max(1).default(1),
    /** Vector-env steps between training rounds (SB3 train_freq 4). */
    trainFreq: z.number().int().positive().default(4),
    /** Gradient steps per training round; −1: as many as env steps in the round, trainFreq × numEnvs (SB3 gradient_steps 1). */
    gradientSteps: z
      .number()
      .int()
      .min(-1)
      .refine((g) => g !== 0, { message: 'gradientSteps must be positive, or -1 for as many as the round\'s env steps' })
      .default(1),
    /** Env steps between target updates (SB3 target_update_interval 10000; counted in vector steps of numEnvs copies, as SB3). */
    targetUpdateInterval: z.number().int().positive().default(10_000),
    /** ε at the start of training (SB3 exploration_initial_eps 1.0). */
    explorationInitialEps: z.number().min(0).max(1).default(1),
    /** ε from the end of the annealing on (SB3 exploration_final_eps 0.05). */
    explorationFinalEps: z.number().min(0).max(1).default(0.05),
    /** Fraction of totalSteps over which ε falls linearly (SB3 exploration_fraction 0.1). */
    explorationFraction: z.number().gt(0).max(1).default(0.1),
    /** Gradients are clipped to this global norm (SB3 max_grad_norm 10). */
    maxGradNorm: z.number().positive().default(10),
    policy: z
      .object({
        hidden: z.array(z.number().int().positive()).min(1).default([64, 64]), // SB3 QNetwork net_arch [64, 64]
        activation: z.enum(['tanh', 'relu']).default('relu'), // SB3 DQNPolicy activation_fn ReLU
      })
      .strict()
      .default({ hidden: [64, 64], activation: 'relu' }),
    ...offPolicyTailFields,
  })
  .strict()
  .refine(...batchFitsBuffer);

/** A validated DQN configuration. */
export type DqnConfig = z.infer<typeof dqnConfigSchema>;
/** What a user may give for DQN. */
export type DqnConfigInput = z.input<typeof dqnConfigSchema> & { readonly algo: 'dqn' };

/** DQN's config: defaults ← zoo values for the env ← `file` ← `overrides`. */
export function resolveDqnConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): DqnConfig {
  return resolveLayeredConfig(dqnConfigSchema, dqnTable as Record<string, Record<string, unknown>>, 'DQN', overrides, file);
}
