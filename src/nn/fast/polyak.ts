/** Polyak averaging of a target copy: target ← (1 − τ)·target + τ·online, elementwise (the reference codes' `tau` = 0.005). */
export function polyakUpdate(target: Float64Array, online: ArrayLike<number>, tau: number): void {
  for (let i = 0; i < target.length; i++) target[i] = (1 - tau) * (target[i] as number) + tau * (online[i] as number);
}
