import { z } from 'zod';
import ildTable from '../hyperparams/ild.json' with { type: 'json' };
import { gradientRunFields, refineGradientRun } from '../apg/apg-config.js';
import { resolveLayeredConfig } from '../ppo-config.js';

/**
 * ILD (Chen et al. ICLR 2023, "Imitation Learning via Differentiable Physics"), `--algo ild`:
 * imitation of one expert state trajectory by backpropagating a Chamfer distance between the
 * policy's rollout and the demonstration through the simulator. Defaults are the reference
 * code's (sail-sg/ILD `policy/brax_task/train_on_policy.py`: ep_len 128, lr 1e-3 decayed
 * linearly to 1e-5, trunc_len 10, a custom VJP clipping each step's cotangent to norm 1,
 * max_grad_norm 0.3); per-env values in `hyperparams/ild.json`.
 *
 * Deviations: no behaviour-cloning warm start (its `il` bootstrap needs the expert's actions;
 * this imitates states only), no action or entropy terms (their factors default to 0 there),
 * the Chamfer terms use squared distances (their code: root-mean-square distances) over
 * qpos[1:] and qvel scaled by the expert's per-feature standard deviation (theirs: running
 * state statistics), rollouts start at the expert's first state plus the env's reset noise,
 * and the networks are smaller (CPU).
 */
export const ildConfigSchema = refineGradientRun(
  z
    .object({
      algo: z.literal('ild').default('ild'),
      ...gradientRunFields,
      /** Parallel rollouts B per iteration (ILD num_envs 300; fewer here, on CPU). */
      numEnvs: z.number().int().positive().default(16),
      /** Expert trajectory file (`rxrl-expert-trajectory` JSON); null: the one bundled for the env, if any. */
      expert: z.string().min(1).nullable().default(null),
      /** Rollout length L, compared with the expert's first L steps (ILD ep_len 128). */
      horizon: z.number().int().positive().default(128),
      /** Gradients flow back at most this many steps: cut every k steps (ILD trunc_len 10). */
      truncation: z.number().int().positive().default(10),
      /** Per-step, per-world norm clip of the state cotangent (ILD's norm_grad custom VJP: 1); null: none. */
      cotangentClip: z.number().positive().nullable().default(1),
      /** Global gradient-norm clip of the policy step (ILD max_grad_norm 0.3). */
      maxGradNorm: z.number().positive().default(0.3),
      /** Adam learning rate at the start (ILD lr 1e-3). */
      learningRate: z.number().positive().default(1e-3),
      /** `linear`: to `finalLearningRate` over the run (ILD: (1e-5 − lr)·it/max_it + lr); `constant`. */
      lrSchedule: z.enum(['linear', 'constant']).default('linear'),
      finalLearningRate: z.number().min(0).default(1e-5),
      /** Uniform noise ±scale added to the expert's first state for each rollout; null: the env's reset noise scale. */
      startNoise: z.number().min(0).nullable().default(null),
      /** Scale each state feature by 1/σ of the expert's (σ floored at 1e-2), or compare raw values. */
      featureScaling: z.enum(['expert-std', 'none']).default('expert-std'),
      /** Normalise observations by running statistics, frozen within an iteration (ILD normalize_observations). */
      observationRms: z.boolean().default(true),
      policy: z
        .object({
          hidden: z.array(z.number().int().positive()).min(1).default([128, 128]),
          activation: z.enum(['tanh', 'relu']).default('tanh'),
          logStdInit: z.number().default(-1),
        })
        .strict()
        .default({ hidden: [128, 128], activation: 'tanh', logStdInit: -1 }),
    })
    .strict(),
);

/** A complete, validated ILD configuration. */
export type IldConfig = z.infer<typeof ildConfigSchema>;
/** What a user may give for ILD: every key but `env` optional. */
export type IldConfigInput = z.input<typeof ildConfigSchema>;

/** Builds an ILD config: reference defaults ← per-env values (`hyperparams/ild.json`) ← `file` ← `overrides`. */
export function resolveIldConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): IldConfig {
  return resolveLayeredConfig(ildConfigSchema, ildTable as Record<string, Record<string, unknown>>, 'ILD', overrides, file);
}
