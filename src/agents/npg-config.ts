import { z } from 'zod';
import harpgTable from './hyperparams/harpg.json' with { type: 'json' };
import npgIgtTable from './hyperparams/npg-igt.json' with { type: 'json' };
import { refineBackend, resolveLayeredConfig, runHeadFields, runTailFields } from './ppo-config.js';

/**
 * Configuration of the normalised momentum policy gradients of Fatkhullin et al. (ICML 2023),
 * N-PG-IGT and (N)-HARPG. Schedules, with t = 0, 1, 2, … the iteration (one rollout each):
 *
 *   step size       γ_t = stepSize · (2/(t+2))^stepSizePower
 *   momentum weight η_t = min(1, eta · (2/(t+2))^etaPower)
 *
 * The forms and exponents are those of the paper's own experiment code (the authors' fork of
 * garage, whose README names N-PG-IGT = `nigt` and N-HARPG = `nstormhess`: `NIGT_optimizer.py`
 * γ_t = γ_0·2/(t+2), η_t = η_0·(2/(t+2))^{4/5}; `STORMHess_optimizer.py`, normalised,
 * γ_t = γ_0·2/(t+2), η_t = η_0·2/(t+2)); the paper's text itself was not available here. The
 * theory's constants depend on unknown problem constants, so γ_0 (`stepSize`) was tuned here
 * (see `hyperparams/*.json`); η_0 = 1 is the code's default and makes d_0 the first gradient.
 *
 * "One trajectory per iteration" is approximated on the shared loop: one env copy and a rollout
 * of the env's horizon (`nSteps`, per env in the JSON tables), Monte-Carlo returns, no critic.
 */
const normalizedPgFields = {
  ...runHeadFields,
  /** Steps per copy per iteration: the env's horizon (per-env values in the JSON tables); 1000 otherwise. */
  nSteps: z.number().int().positive().default(1000),
  gamma: z.number().min(0).max(1).default(0.99), // the authors' run_PG.py: discount=0.99
  /** Monte-Carlo returns (no critic): λ = 1 with V ≡ 0 makes the loop's GAE the discounted reward-to-go. */
  gaeLambda: z.literal(1).default(1),
  /** Decay exponent of γ_t (the authors' code: 1 for both methods; 0 = constant). γ_0 is `stepSize`, per algorithm. */
  stepSizePower: z.number().min(0).default(1),
  /** η_0 (the authors' code default 1: the first momentum is the first gradient). */
  eta: z.number().gt(0).max(1).default(1),
  ...runTailFields,
};

/** The checks both schemas end with: no gSDE (the curvature products assume a state-independent log-std). */
function refineNormalizedPg<T extends z.ZodType<{ network: string; backend: string; useSde: boolean }>>(schema: T) {
  return refineBackend(schema).refine((c) => !c.useSde, { message: 'N-PG-IGT and HARPG support categorical and plain Gaussian policies, not gSDE', path: ['useSde'] });
}

/** N-PG-IGT's configuration (Fatkhullin et al. 2023, Algorithm 1). */
export const npgIgtConfigSchema = refineNormalizedPg(
  z
    .object({
      algo: z.literal('npg-igt').default('npg-igt'),
      ...normalizedPgFields,
      /**
       * γ_0, the length of the first step in parameter space. The paper's constant depends on
       * unknown problem constants; 0.25 was tuned here on CartPole-v1 (hyperparams/npg-igt.json).
       */
      stepSize: z.number().positive().default(0.25),
      /** Decay exponent of η_t: 4/5 (the authors' NIGT_optimizer.py; the O(ε^−2.5) theorem's η_t ∝ t^−4/5). */
      etaPower: z.number().min(0).default(0.8),
    })
    .strict(),
);

/** (N)-HARPG's configuration (Fatkhullin et al. 2023, Algorithm 2, normalised). */
export const harpgConfigSchema = refineNormalizedPg(
  z
    .object({
      algo: z.literal('harpg').default('harpg'),
      ...normalizedPgFields,
      /**
       * γ_0, the length of the first step in parameter space. The paper's constant depends on
       * unknown problem constants; 0.15 was tuned here on CartPole-v1 (hyperparams/harpg.json).
       */
      stepSize: z.number().positive().default(0.15),
      /** Decay exponent of η_t: 1 (the authors' STORMHess_optimizer.py; the O(ε^−2) theorem's η_t ∝ 1/t). */
      etaPower: z.number().min(0).default(1),
    })
    .strict(),
);

/** A complete, validated N-PG-IGT configuration. */
export type NpgIgtConfig = z.infer<typeof npgIgtConfigSchema>;
/** What a user may give for N-PG-IGT: every key but `env` optional. */
export type NpgIgtConfigInput = z.input<typeof npgIgtConfigSchema>;
/** A complete, validated HARPG configuration. */
export type HarpgConfig = z.infer<typeof harpgConfigSchema>;
/** What a user may give for HARPG: every key but `env` optional. */
export type HarpgConfigInput = z.input<typeof harpgConfigSchema>;
/** Either normalised-PG configuration. */
export type NormalizedPgConfig = NpgIgtConfig | HarpgConfig;

/** Builds an N-PG-IGT config: defaults ← per-env values (`hyperparams/npg-igt.json`) ← `file` ← `overrides`. */
export function resolveNpgIgtConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): NpgIgtConfig {
  return resolveLayeredConfig(npgIgtConfigSchema, npgIgtTable as Record<string, Record<string, unknown>>, 'N-PG-IGT', overrides, file);
}

/** Builds a HARPG config: defaults ← per-env values (`hyperparams/harpg.json`) ← `file` ← `overrides`. */
export function resolveHarpgConfig(overrides: Record<string, unknown>, file: Record<string, unknown> = {}): HarpgConfig {
  return resolveLayeredConfig(harpgConfigSchema, harpgTable as Record<string, Record<string, unknown>>, 'HARPG', overrides, file);
}
