import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  aggregateIqm,
  aggregateMean,
  aggregateMedian,
  bootstrapDifferenceCI,
  censorAtBudget,
  iqm,
  mean,
  median,
  performanceProfile,
  probabilityOfImprovement,
  quantile,
  stepsToThreshold,
  stratifiedBootstrapCI,
  summarizeStepsToThreshold,
  type ScoreMatrix,
} from '../../src/bench/statistics.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';

describe('point statistics', () => {
  // Reference values: scipy.stats.trim_mean(values, 0.25) (scipy 1.x), also checked by hand.
  it('iqm of 1..8 is the mean of 3..6', () => {
    expect(iqm([1, 2, 3, 4, 5, 6, 7, 8])).toBe(4.5);
  });

  it('iqm of size 5 cuts floor(1.25) = 1 value per end, like scipy trim_mean', () => {
    // sorted [1, 2, 3, 5, 10] -> mean(2, 3, 5) = 10/3
    expect(iqm([3, 1, 10, 2, 5])).toBeCloseTo(10 / 3, 14);
  });

  it('iqm of size 10 cuts floor(2.5) = 2 values per end, like scipy trim_mean', () => {
    // sorted [0, 1, 2, 4, 7, 9, 16, 25, 36, 49] -> mean(2, 4, 7, 9, 16, 25) = 63/6
    expect(iqm([9, 1, 4, 16, 25, 0, 36, 2, 49, 7])).toBe(10.5);
  });

  it('iqm of sizes 3 and 7 matches scipy (2 and 4.8)', () => {
    expect(iqm([3, 1, 2])).toBe(2);
    expect(iqm([1, 2, 3, 4, 100, 7, 8])).toBeCloseTo(4.8, 14);
  });

  it('iqm works on typed arrays and leaves the input untouched', () => {
    const values = new Float32Array([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(iqm(values)).toBe(4.5);
    expect(Array.from(values)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('mean, median and quantile match numpy', () => {
    const a = [3.5, -1, 2, 8, 0.25, 4, 4];
    expect(mean(a)).toBeCloseTo(2.9642857142857144, 14);
    expect(median(a)).toBe(3.5);
    expect(median([1, 5, 2, 8])).toBe(3.5);
    expect(quantile(a, 0.1)).toBeCloseTo(-0.25, 14);
    expect(quantile(a, 0.25)).toBeCloseTo(1.125, 14);
    expect(quantile(a, 0.9)).toBeCloseTo(5.6, 14);
  });

  it('rejects empty samples and NaN', () => {
    expect(() => iqm([])).toThrow(ConfigError);
    expect(() => median([1, Number.NaN])).toThrow(ConfigError);
  });

  it('iqm lies between min and max and equals the mean for constant shifts', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: -100, max: 100, noNaN: true }), (xs, c) => {
        const v = iqm(xs);
        expect(v).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-6);
        expect(v).toBeLessThanOrEqual(Math.max(...xs) + 1e-6);
        expect(iqm(xs.map((x) => x + c))).toBeCloseTo(v + c, 3);
      }),
      { numRuns: 100 },
    );
  });

  it('aggregates follow rliable: mean of task means, median of task means, pooled IQM', () => {
    const scores = [[1, 2, 3], [10, 20], [0, 0, 0, 4]];
    expect(aggregateMean(scores)).toBeCloseTo((2 + 15 + 1) / 3, 14);
    expect(aggregateMedian(scores)).toBe(2);
    expect(aggregateIqm(scores)).toBe(iqm([1, 2, 3, 10, 20, 0, 0, 0, 4]));
  });
});

describe('stratifiedBootstrapCI', () => {
  it('covers the true mean of a normal sample in about 95% of repeated experiments', () => {
    // 200 experiments, each: 30 draws of N(3, 2²), 1000-resample percentile CI of the mean.
    // The percentile bootstrap of a mean is slightly too narrow for n = 30 (its spread uses
    // the 1/n variance and normal rather than t quantiles): true coverage is about 94%.
    // The count of covering experiments is then Binomial(200, 0.94), sd ≈ 3.4 runs (1.7%),
    // so the band [88%, 99%] is about ±3 sd around 94%. The test is deterministic (seeded).
    const root = new Rng('coverage');
    const trueMean = 3;
    let covered = 0;
    for (let e = 0; e < 200; e++) {
      const data = root.split(`data/${e}`);
      const sample = Array.from({ length: 30 }, () => trueMean + 2 * data.normal());
      const ci = stratifiedBootstrapCI([sample], aggregateMean, { reps: 1000, rng: root.split(`boot/${e}`) });
      expect(ci.lower).toBeLessThanOrEqual(ci.point);
      expect(ci.point).toBeLessThanOrEqual(ci.upper);
      if (ci.lower <= trueMean && trueMean <= ci.upper) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.88);
    expect(covered / 200).toBeLessThanOrEqual(0.99);
  });

  it('resamples runs within each task only', () => {
    const scores: ScoreMatrix = [[7, 7, 7, 7], [1, 2, 3], [100, 200]];
    const seen: number[][] = [];
    const ci = stratifiedBootstrapCI(
      scores,
      (m) => {
        expect(m.map((t) => t.length)).toEqual([4, 3, 2]);
        for (let i = 0; i < 4; i++) expect(m[0]?.[i]).toBe(7);
        for (let i = 0; i < 3; i++) expect([1, 2, 3]).toContain(m[1]?.[i]);
        for (let i = 0; i < 2; i++) expect([100, 200]).toContain(m[2]?.[i]);
        seen.push([mean(m[1] ?? []), mean(m[2] ?? [])]);
        return mean(m[0] ?? []);
      },
      { reps: 300, rng: new Rng(1) },
    );
    // The constant task keeps its value in every resample, so its interval collapses.
    expect(ci).toEqual({ point: 7, lower: 7, upper: 7 });
    // ...while the other tasks really are resampled.
    expect(new Set(seen.map((s) => s[0])).size).toBeGreaterThan(3);
    expect(new Set(seen.map((s) => s[1])).size).toBe(3);
  });

  it('is deterministic under a seed and changes with the seed', () => {
    const scores = [[0.1, 0.5, 0.9, 0.3, 0.7], [1.2, 0.8, 1.0]];
    const a = stratifiedBootstrapCI(scores, aggregateIqm, { rng: new Rng(42), reps: 500 });
    const b = stratifiedBootstrapCI(scores, aggregateIqm, { rng: new Rng(42), reps: 500 });
    const c = stratifiedBootstrapCI(scores, aggregateIqm, { rng: new Rng(43), reps: 500 });
    expect(a).toEqual(b);
    expect(c.point).toBe(a.point);
    expect([c.lower, c.upper]).not.toEqual([a.lower, a.upper]);
  });

  it('validates its arguments', () => {
    expect(() => stratifiedBootstrapCI([], aggregateMean, { rng: new Rng(0) })).toThrow(ConfigError);
    expect(() => stratifiedBootstrapCI([[1], []], aggregateMean, { rng: new Rng(0) })).toThrow(ConfigError);
    expect(() => stratifiedBootstrapCI([[1]], aggregateMean, { rng: new Rng(0), confidence: 1 })).toThrow(ConfigError);
    expect(() => stratifiedBootstrapCI([[1]], aggregateMean, { rng: new Rng(0), reps: 0 })).toThrow(ConfigError);
  });
});

describe('performanceProfile', () => {
  it('gives the fraction of pooled runs strictly above each tau, with bands around it', () => {
    const scores = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]];
    const profile = performanceProfile(scores, [0, 2.5, 5, 10], { rng: new Rng(3), reps: 500 });
    expect(profile.map((p) => p.tau)).toEqual([0, 2.5, 5, 10]);
    expect(profile.map((p) => p.point)).toEqual([1, 0.8, 0.5, 0]);
    for (const p of profile) {
      expect(p.lower).toBeLessThanOrEqual(p.point);
      expect(p.upper).toBeGreaterThanOrEqual(p.point);
    }
    // Extremes cannot move; the middle must have a real band.
    expect([profile[0]?.lower, profile[0]?.upper]).toEqual([1, 1]);
    expect([profile[3]?.lower, profile[3]?.upper]).toEqual([0, 0]);
    // Stratification keeps 5 runs per task: at tau = 5 task 1 never and task 2 always counts,
    // so the band collapses to 0.5; at tau = 2.5 only task 1's share (3 of 5 above) varies.
    expect([profile[2]?.lower, profile[2]?.upper]).toEqual([0.5, 0.5]);
    expect(profile[1]?.lower).toBeGreaterThanOrEqual(0.5);
    expect(profile[1]?.lower).toBeLessThan(0.8);
    expect(profile[1]?.upper).toBeGreaterThan(0.8);
  });
});

describe('probabilityOfImprovement', () => {
  it('is 0.5 for identical samples and 1 / 0 for dominated ones', () => {
    const x = [[1, 2, 3], [5, 5, 6, 9]];
    const same = probabilityOfImprovement(x, x, { rng: new Rng(5), reps: 300 });
    expect(same.point).toBe(0.5);
    expect(same.lower).toBeLessThan(0.5);
    expect(same.upper).toBeGreaterThan(0.5);
    const better = x.map((t) => t.map((v) => v + 100));
    expect(probabilityOfImprovement(better, x, { rng: new Rng(5), reps: 300 })).toEqual({ point: 1, lower: 1, upper: 1 });
    expect(probabilityOfImprovement(x, better, { rng: new Rng(5), reps: 300 })).toEqual({ point: 0, lower: 0, upper: 0 });
  });

  it('matches Mann–Whitney U / (n·m) per task (scipy), ties counting one half, averaged over tasks', () => {
    // scipy.stats.mannwhitneyu([1,2,3,4],[2,2,5,0,1]).statistic / 20 = 0.625; second task 2/6.
    const x = [[1, 2, 3, 4], [0, 5]];
    const y = [[2, 2, 5, 0, 1], [5, 5, 1]];
    const poi = probabilityOfImprovement(x, y, { rng: new Rng(9), reps: 200 });
    expect(poi.point).toBeCloseTo((0.625 + 1 / 3) / 2, 14);
  });

  it('requires the same tasks', () => {
    expect(() => probabilityOfImprovement([[1]], [[1], [2]], { rng: new Rng(0) })).toThrow(ConfigError);
  });
});

describe('bootstrapDifferenceCI', () => {
  it('flags a clear difference in IQM and not a null one', () => {
    const root = new Rng('diff');
    const g = root.split('data');
    const a = [Array.from({ length: 10 }, () => g.normal()), Array.from({ length: 10 }, () => 5 + g.normal())];
    const b = a.map((t) => t.map((v) => v + 3));
    const d = bootstrapDifferenceCI(b, a, { rng: root.split('boot'), reps: 500 });
    expect(d.point).toBeCloseTo(3, 12);
    expect(d.significant).toBe(true);
    expect(d.lower).toBeGreaterThan(0);
    const same = bootstrapDifferenceCI(a, a, { rng: root.split('boot'), reps: 500 });
    expect(same.point).toBe(0);
    expect(same.significant).toBe(false);
    const byMean = bootstrapDifferenceCI(b, a, { rng: root.split('boot'), reps: 500, statistic: aggregateMean });
    expect(byMean.point).toBeCloseTo(3, 12);
  });

  it('is deterministic under a seed', () => {
    const x = [[1, 4, 2, 8, 5]];
    const y = [[2, 3, 3, 1, 0]];
    expect(bootstrapDifferenceCI(x, y, { rng: new Rng(7), reps: 300 })).toEqual(bootstrapDifferenceCI(x, y, { rng: new Rng(7), reps: 300 }));
  });
});

describe('sample complexity', () => {
  const curve = [
    { step: 0, value: -5 },
    { step: 1000, value: 40 },
    { step: 2000, value: 95 },
    { step: 3000, value: 100 },
    { step: 4000, value: 90 },
    { step: 5000, value: 120 },
  ];

  it('stepsToThreshold returns the first step at or above the threshold, or null', () => {
    expect(stepsToThreshold(curve, 100)).toBe(3000);
    expect(stepsToThreshold(curve, 95)).toBe(2000);
    expect(stepsToThreshold(curve, -10)).toBe(0);
    expect(stepsToThreshold(curve, 121)).toBeNull();
    expect(stepsToThreshold([], 0)).toBeNull();
    expect(() => stepsToThreshold([{ step: 2, value: 0 }, { step: 1, value: 1 }], 1)).toThrow(ConfigError);
  });

  it('summarizes solved runs and gives a Kaplan–Meier median with censoring at the budget', () => {
    const s = summarizeStepsToThreshold([100, null, 300, 200, null], 1000);
    expect(s).toEqual({ runs: 5, solved: 3, fraction: 0.6, median: 200, quartiles: [150, 250], kaplanMeierMedian: 300 });
    // S(t): 0.8 after 100, 0.6 after 200, 0.4 after 300 -> first S ≤ 0.5 at 300.

    // Exactly half solved: S reaches 0.5 at the second solve.
    expect(summarizeStepsToThreshold([200, 100, null, null], 1000).kaplanMeierMedian).toBe(200);
    // Fewer than half solved: the median is not reached within the budget...
    const few = summarizeStepsToThreshold([100, null, null, null], 1000);
    expect(few.kaplanMeierMedian).toBeNull();
    // ...even though the median of the solved runs alone looks excellent.
    expect(few.median).toBe(100);
    // Ties are one event time.
    expect(summarizeStepsToThreshold([50, 50, 50, null, null], 1000).kaplanMeierMedian).toBe(50);

    const none = summarizeStepsToThreshold([null, null], 1000);
    expect(none).toEqual({ runs: 2, solved: 0, fraction: 0, median: null, quartiles: null, kaplanMeierMedian: null });
    expect(() => summarizeStepsToThreshold([2000], 1000)).toThrow(ConfigError);
    expect(() => summarizeStepsToThreshold([], 1000)).toThrow(ConfigError);
  });

  it('IQM of censored steps is exact while at most a quarter of runs are unsolved', () => {
    const results = [300, 100, null, 200, 400, 250, 150, null];
    // 8 runs, 2 unsolved: they fall into the trimmed top quarter whatever their true value.
    expect(iqm(censorAtBudget(results, 1000))).toBe(iqm(censorAtBudget(results, 1e9)));
    expect(iqm(censorAtBudget(results, 1000))).toBe((200 + 250 + 300 + 400) / 4);
  });
});
