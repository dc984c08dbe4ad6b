import { z } from 'zod';
import td3Table from '../hyperparams/td3.json' with { type: 'json' };
import { batchFitsBuffer, offPolicyTailFields, replayFields } from '../off-policy-config.js';
import { resolveLayeredConfig, runHeadFields } from '../ppo-config.js';

/**
 * Twin delayed DDPG (`--algo td3`; Fujimoto et al. 2018), off-policy, for Box actions: a
 * deterministic actor explored with Gaussian action noise, twin critics, clipped noise on the
 * target actions, and delayed actor and target updates. Defaults are Stable-Baselines3's
 * (`TD3.__init__`, `TD3Policy`), except the exploration noise: SB3 has none unless given, the
 * zoo's default (and CleanRL's) is a Gaussian of σ 0.1, which is taken here. Per-env values come
 * from `hyperparams/td3.json` (the SB3-zoo values, each block naming its source).
 */
export const td3ConfigSchema = z
  .object({
    algo: z.literal('td3').default('td3'),
    ...runHeadFields,
    /** Adam's rate for the actor and the critics (SB3 learning_rate 1e-3). */
    learningRate: z.number().positive().default(1e-3),
    ...replayFields,
    /** σ of the Gaussian added to the actor's action in [−1, 1] before clipping, while training (zoo noise_type normal, noise_std 0.1); 0: none. */
    actionNoise: z.number().min(0).default(0.1),
    /** Critic updates per actor and target update (SB3 policy_delay 2). */
    policyDelay: z.number().int().positive().default(2),
    /** σ of the smoothing noise on the target actor's actions (SB3 target_policy_noise 0.2). */
    targetPolicyNoise: z.number().min(0).default(0.2),
    /** The smoothing noise is clipped to ±this (SB3 target_noise_clip 0.5). */
    targetNoiseClip: z.number().min(0).default(0.5),
    policy: z
      .object({
        hidden: z.array(z.number().int().positive()).min(1).default([400, 300]), // SB3 TD3Policy net_arch [400, 300]
        activation: z.enum(['tanh', 'relu']).default('relu'), // SB3 TD3Policy activation_fn ReLU
      })
      .strict()
      .default({ hidden: [400, 300], activation: 'relu' }),
    /** The twin critics Q(s, a): ReLU networks (SB3 ContinuousCritic, n_critics 2). */
    critic: z
      .object({ hidden: z.array(z.number().int().positive()).min(1).default([400, 300]) })
      .strict()
      .default({ hidden: [400, 300] }),
    ...offPolicyTailFields,
  })
  .strict()
  .refine(...batchFitsBuffer);

/** A validated TD3 configuration. */
export type Td3Config = z.infer<typeof td3ConfigSchema>;
/** What a user may give for TD3. */
export type Td3ConfigInput = z.input<typeof td3ConfigSchema> & { readonly algo: 'td3' };

/** TD3's config: defaults ← zoo values for the env ← `file` ← `overrides`. */
export function resolveTd3Config(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): Td3Config {
  return resolveLayeredConfig(td3ConfigSchema, td3Table as Record<string, Record<string, unknown>>, 'TD3', overrides, file);
}
