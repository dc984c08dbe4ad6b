import { z } from 'zod';

/**
 * A hyperparameter that may change over training: a constant, or a linear ramp from `initial`
 * to `final` as progress goes from 0 to 1 (SB3-zoo's `lin_0.001` is `{ linear: [0.001, 0] }`).
 */
export const scheduleSchema = z.union([z.number(), z.object({ linear: z.tuple([z.number(), z.number()]) }).strict()]);

/** A constant or a linear schedule. */
export type Schedule = z.infer<typeof scheduleSchema>;

/** The value of `schedule` at `progress` ∈ [0, 1] (fraction of the training budget used). */
export function scheduleValue(schedule: Schedule, progress: number): number {
  if (typeof schedule === 'number') return schedule;
  const [initial, final] = schedule.linear;
  const p = Math.min(1, Math.max(0, progress));
  return initial + (final - initial) * p;
}
