/**
 * The central difference (L(θ + h·e_k) − L(θ − h·e_k)) / 2h of `loss` in entry `k` of `params`,
 * which is restored afterwards. Float64 with h = 1e-6: truncation O(h²), rounding O(1e-16/h) ≈ 1e-10.
 */
export function centralDifference(params: Float64Array, k: number, loss: () => number, h = 1e-6): number {
  const keep = params[k] as number;
  params[k] = keep + h;
  const up = loss();
  params[k] = keep - h;
  const down = loss();
  params[k] = keep;
  return (up - down) / (2 * h);
}
