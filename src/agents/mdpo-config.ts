import { z } from 'zod';
import mdpoZoo from './hyperparams/mdpo.json' with { type: 'json' };
import { refineBackend, resolveLayeredConfig, runHeadFields, runTailFields } from './ppo-config.js';
import { scheduleSchema } from './schedule.js';

/**
 * On-policy MDPO's configuration (Tomar et al. 2020; ALGORITHMS.md §3). Defaults are the
 * reference's (`mdpo_on/run_mujoco.py` and `mdpo.py`, stable-baselines 2.x) as the spec lists
 * them (§3b); per-env values come from `hyperparams/mdpo.json`, each block naming its source.
 * The step-size horizon K is not a setting: it is the run's real length, `totalSteps` /
 * (`nSteps` × `numEnvs`) (§3c).
 */
export const mdpoConfigSchema = refineBackend(
  z
    .object({
      algo: z.literal('mdpo').default('mdpo'),
      ...runHeadFields,
      nSteps: z.number().int().positive().default(2048), // reference: batch 2048 from 1 env
      gamma: z.number().min(0).max(1).default(0.99), // reference gamma
      gaeLambda: z.number().min(0).max(1).default(0.95), // reference lam
      /** m: full-batch Adam steps on the policy per iteration (reference `sgd_steps`, README example 10). */
      sgdSteps: z.number().int().positive().default(10),
      learningRate: scheduleSchema.default(3e-4), // reference policy Adam lr
      normalizeAdvantage: z.boolean().default(true), // reference standardises the advantages
      entCoef: z.number().min(0).default(0), // reference ent_coef
      /** Global grad-norm clip of the policy's steps (reference 0.5). */
      maxGradNorm: z.number().positive().default(0.5),
      /** Adam ε of both optimisers (reference 1e-5). */
      adamEps: z.number().positive().default(1e-5),
      /** The critic's own Adam: the reference ignores `vf_stepsize` and uses 3e-4. */
      vfLearningRate: scheduleSchema.default(3e-4),
      vfEpochs: z.number().int().positive().default(5), // reference critic epochs
      vfBatchSize: z.number().int().positive().default(128), // reference critic minibatch
      /** The critic's PPO-style value clip (reference 0.2), or null for none. */
      clipRangeVf: z.number().positive().nullable().default(0.2),
      /** Grad-norm clip of the critic's steps, or null (the spec names a clip for the policy only). */
      vfMaxGradNorm: z.number().positive().nullable().default(null),
      ...runTailFields,
      normalizeObservation: z.boolean().default(true), // reference VecNormalize
      normalizeReward: z.boolean().default(true), // reference VecNormalize
    })
    .strict(),
);

/** A complete, validated MDPO configuration. */
export type MdpoConfig = z.infer<typeof mdpoConfigSchema>;
export type MdpoConfigInput = z.input<typeof mdpoConfigSchema>;

/** Builds an MDPO config: reference defaults ← per-env values (`hyperparams/mdpo.json`) ← `file` ← `overrides`. */
export function resolveMdpoConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): MdpoConfig {
  return resolveLayeredConfig(mdpoConfigSchema, mdpoZoo as Record<string, Record<string, unknown>>, 'MDPO', overrides, file);
}
