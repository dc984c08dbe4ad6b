import { z } from 'zod';

/**
 * EPO's entropy terms (ALGORITHMS.md §5; defaults from the released code's config): c_H, c_s,
 * the smoothing band κ_l/κ_r and its penalty α, and the phase schedule's length K.
 */
export const epoFields = z
  .object({
    /** c_H: weight of the trajectory-level entropy term (`entropy_coeff` 0.001). */
    entropyCoef: z.number().min(0).default(0.001),
    /** c_s: weight of the smoothing term inside it (`entropy_smooth_coeff` 1.0). */
    smoothCoef: z.number().min(0).default(1),
    /** κ_l, κ_r: the band around the turn's historical entropy (config default 0.8, 1.2). */
    bandLow: z.number().min(0).default(0.8),
    bandHigh: z.number().positive().default(1.2),
    /** α: the penalty outside the band (ALFWorld 0.1). */
    penalty: z.number().min(0).default(0.1),
    /**
     * "differentiable" (default): α·|H − H̄_t| outside the band, whose gradient bounds the entropy;
     * "code": the released code's 0/α mask, constant in θ, so the smoothing only changes the
     * logged loss and EPO acts as the entropy bonus alone.
     */
    smoothing: z.enum(['differentiable', 'code']).default('differentiable'),
    /** Smooth only minibatches holding a turn ≥ this (the code's max_step//2 = 25; 0: always). */
    smoothFromTurn: z.number().int().min(0).default(0),
    /** K of the phase weight β_k (hard-coded 150 in the code; k counts updates). */
    phaseLength: z.number().int().positive().default(150),
  })
  .strict()
  .default({ entropyCoef: 0.001, smoothCoef: 1, bandLow: 0.8, bandHigh: 1.2, penalty: 0.1, smoothing: 'differentiable', smoothFromTurn: 0, phaseLength: 150 });

/** EPO's settings, as validated. */
export type EpoSettings = z.infer<typeof epoFields>;
