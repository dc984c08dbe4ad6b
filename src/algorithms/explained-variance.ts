/** 1 − Var(y − ŷ)/Var(y), as SB3's `explained_variance`; NaN when y is constant. */
export function explainedVariance(predicted: ArrayLike<number>, target: ArrayLike<number>, n = target.length): number {
  let meanY = 0;
  let meanD = 0;
  for (let k = 0; k < n; k++) {
    meanY += target[k] as number;
    meanD += (target[k] as number) - (predicted[k] as number);
  }
  meanY /= n;
  meanD /= n;
  let varY = 0;
  let varD = 0;
  for (let k = 0; k < n; k++) {
    const y = (target[k] as number) - meanY;
    const d = (target[k] as number) - (predicted[k] as number) - meanD;
    varY += y * y;
    varD += d * d;
  }
  return varY === 0 ? Number.NaN : 1 - varD / varY;
}
