import type { TurnEntropyHistory } from '../algorithms/epo.js';

/**
 * Each turn's mean policy entropy over one batch of samples: what the multi-turn agents log per
 * update (`entropy/turnT`) and what EPO records into its per-turn history.
 */
export class TurnEntropyMeter {
  private sums = new Float64Array(16);
  private counts = new Float64Array(16);
  private used = 0;

  reset(): void {
    this.sums.fill(0, 0, this.used);
    this.counts.fill(0, 0, this.used);
    this.used = 0;
  }

  add(turn: number, entropy: number): void {
    if (turn >= this.sums.length) {
      const size = Math.max(turn + 1, 2 * this.sums.length);
      const grow = (a: Float64Array) => {
        const b = new Float64Array(size);
        b.set(a);
        return b;
      };
      this.sums = grow(this.sums);
      this.counts = grow(this.counts);
    }
    this.sums[turn] = (this.sums[turn] as number) + entropy;
    this.counts[turn] = (this.counts[turn] as number) + 1;
    this.used = Math.max(this.used, turn + 1);
  }

  /** `entropy/turnT` → mean entropy for every turn seen; each mean also goes into `history` when given. */
  report(history?: TurnEntropyHistory): Record<string, number> {
    const out: Record<string, number> = {};
    for (let t = 0; t < this.used; t++) {
      const n = this.counts[t] as number;
      if (n === 0) continue;
      const mean = (this.sums[t] as number) / n;
      out[`entropy/turn${t}`] = mean;
      history?.record(t, mean);
    }
    return out;
  }
}
