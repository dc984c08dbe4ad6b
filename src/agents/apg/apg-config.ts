import { z } from 'zod';
import apgTable from '../hyperparams/apg.json' with { type: 'json' };
import { isReachEnv } from '../../envs/ik/differentiable-reach.js';
import { resolveLayeredConfig, runHeadFields, runTailFields } from '../ppo-config.js';

/**
 * The run settings every gradient-based agent (APG, ILD) shares with the on-policy ones, so that
 * a run folder, `rxrl bench` and the env builder treat all configs alike. Keys that mean
 * nothing here (TensorFlow.js networks, gSDE, env-side normalisers) keep their types but are
 * refused when set (see {@link refineGradientRun}): these agents normalise observations
 * themselves, with statistics held constant through each gradient window.
 */
export const gradientRunFields = {
  ...runHeadFields,
  /** Discount γ. */
  gamma: z.number().min(0).max(1).default(0.99),
  ...runTailFields,
};

/** Refuses the shared keys a gradient agent cannot honour, each with a message naming it. */
export function refineGradientRun<T extends z.ZodType<{ env: string; network: string; backend: string; useSde: boolean; normalizeObservation: boolean; normalizeReward: boolean; frameStack: number; algo: string; envKwargs: Record<string, unknown> }>>(schema: T) {
  return schema
    .refine((c) => Object.keys(c.envKwargs).length === 0 || isReachEnv(c.env), { message: 'the physics tasks\' training worlds are built from the env id alone: envKwargs is supported for rxrl/Reach-v0 only', path: ['envKwargs'] })
    .refine((c) => c.network === 'fast' && c.backend === 'auto', { message: 'gradient agents compute their networks with the fast engine only (network "fast", backend "auto")', path: ['network'] })
    .refine((c) => !c.useSde, { message: 'gradient agents use a state-independent Gaussian with tanh squashing, not gSDE', path: ['useSde'] })
    .refine((c) => c.frameStack === 1, { message: 'gradient agents observe their training worlds directly: frameStack is not supported', path: ['frameStack'] })
    .refine((c) => !c.normalizeObservation && !c.normalizeReward, {
      message: 'gradient agents normalise observations inside the agent (observationRms) and differentiate the raw reward: leave the env wrappers normalizeObservation/normalizeReward off',
      path: ['normalizeObservation'],
    });
}

/** Hidden layers of a value network. */
export const criticFields = z
  .object({
    hidden: z.array(z.number().int().positive()).min(1).default([64, 64]), // SHAC cfg critic_mlp.units [64, 64]
    activation: z.enum(['tanh', 'relu']).default('tanh'),
  })
  .strict()
  .default({ hidden: [64, 64], activation: 'tanh' });

/**
 * Contact parameters of the training worlds' model, overriding the env's (the fidelity-versus-
 * smoothness knob of PHYSICS.md §7.3): a smoother contact gives less biased, lower-variance
 * gradients through stiff ground contact; evaluation always runs on the registered env.
 */
export const trainingContactFields = z
  .object({
    stiffness: z.number().positive().optional(),
    damping: z.number().min(0).optional(),
    smoothing: z.number().positive().optional(),
    frictionSmoothing: z.number().positive().optional(),
  })
  .strict()
  .nullable()
  .default(null);

/** The env options of a gradient agent's training worlds for {@link trainingContactFields}. */
export function trainingContactOptions(contact: z.infer<typeof trainingContactFields>): Record<string, number> {
  if (contact === null) return {};
  const out: Record<string, number> = {};
  if (contact.stiffness !== undefined) out['contactStiffness'] = contact.stiffness;
  if (contact.damping !== undefined) out['contactDamping'] = contact.damping;
  if (contact.smoothing !== undefined) out['contactSmoothing'] = contact.smoothing;
  if (contact.frictionSmoothing !== undefined) out['frictionSmoothing'] = contact.frictionSmoothing;
  return out;
}

/**
 * SHAC (Xu et al. 2022, "Accelerated Policy Learning with Parallel Differentiable Simulation"),
 * `--algo apg`: analytic policy gradients through short windows of the differentiable simulator
 * with a terminal critic. Defaults are the reference code's (NVlabs/DiffRL `algorithms/shac.py`
 * and `examples/cfg/shac/cheetah.yaml`); per-env values in `hyperparams/apg.json`.
 *
 * Deviations, each for a reason: the networks are the fast engine's tanh MLPs (SHAC: ELU with
 * LayerNorm, which the engine does not have; tanh is smooth, which analytic gradients want);
 * the envs' rewards are Gymnasium's (SHAC's dflex envs have their own).
 */
export const apgConfigSchema = refineGradientRun(
  z
    .object({
      algo: z.literal('apg').default('apg'),
      ...gradientRunFields,
      /** Parallel worlds B (SHAC num_actors 64). */
      numEnvs: z.number().int().positive().default(64),
      /** Environment steps per gradient window h (SHAC steps_num 32). */
      horizon: z.number().int().positive().default(32),
      /** λ of the critic's TD(λ) targets (SHAC lambda 0.95). */
      tdLambda: z.number().min(0).max(1).default(0.95),
      /** Actor Adam learning rate at the start (SHAC actor_learning_rate 2e-3). */
      actorLearningRate: z.number().positive().default(2e-3),
      /** Critic Adam learning rate at the start (SHAC critic_learning_rate 2e-3 for cheetah/ant, 2e-4 for hopper). */
      criticLearningRate: z.number().positive().default(2e-3),
      /** `linear`: both rates go linearly to `finalLearningRate` over the run (SHAC lr_schedule linear, to 1e-5); `constant`: they stay. */
      lrSchedule: z.enum(['linear', 'constant']).default('linear'),
      finalLearningRate: z.number().min(0).default(1e-5),
      /** Adam (β1, β2) of both optimisers (SHAC betas [0.7, 0.95]). */
      betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.7, 0.95]),
      /** Gradient-norm clip of actor and critic steps (SHAC grad_norm 1.0, truncate_grads true). */
      maxGradNorm: z.number().positive().default(1),
      /** Passes over the window's critic dataset per iteration (SHAC critic_iterations 16). */
      criticIterations: z.number().int().positive().default(16),
      /** Minibatches per pass, in dataset order (SHAC num_batch 4; its CriticDataset does not shuffle). */
      criticMinibatches: z.number().int().positive().default(4),
      /** Target critic soft update: target ← α·target + (1 − α)·critic after each iteration (SHAC target_critic_alpha 0.2). */
      targetCriticAlpha: z.number().min(0).max(1).default(0.2),
      /** Normalise observations by running statistics, frozen within a window (SHAC obs_rms true). */
      observationRms: z.boolean().default(true),
      /** Contact parameters of the training worlds (null: the env's); see {@link trainingContactFields}. */
      trainingContact: trainingContactFields,
      /** Episode time limit of the training worlds; null: the env's registered limit. */
      maxEpisodeSteps: z.number().int().positive().nullable().default(null),
      policy: z
        .object({
          hidden: z.array(z.number().int().positive()).min(1).default([128, 64, 32]), // SHAC actor_mlp.units
          activation: z.enum(['tanh', 'relu']).default('tanh'),
          logStdInit: z.number().default(-1), // SHAC actor_logstd_init default −1
        })
        .strict()
        .default({ hidden: [128, 64, 32], activation: 'tanh', logStdInit: -1 }),
      critic: criticFields,
    })
    .strict(),
);

/** A complete, validated APG (SHAC) configuration. */
export type ApgConfig = z.infer<typeof apgConfigSchema>;
/** What a user may give for APG: every key but `env` optional. */
export type ApgConfigInput = z.input<typeof apgConfigSchema>;

/** Builds an APG config: SHAC defaults ← per-env values (`hyperparams/apg.json`) ← `file` ← `overrides`. */
export function resolveApgConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): ApgConfig {
  return resolveLayeredConfig(apgConfigSchema, apgTable as Record<string, Record<string, unknown>>, 'APG', overrides, file);
}
