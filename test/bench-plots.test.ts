import { describe, expect, it } from 'vitest';
import { learningCurveRows, normalizeScores, performanceProfileRows, sampleComplexityRows, type RunCurve } from '../src/bench/plot-data.js';
import { buildPlots, fileSafe } from '../src/bench/plot-specs.js';
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import { summarize, type RunRecord } from '../src/bench/results.js';
import type { SweepDefinition } from '../src/bench/sweep.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const curve = (algo: string, env: string, seed: number, points: [number, number][]): RunCurve => ({ algo, env, seed, curve: points.map(([step, value]) => ({ step, value })) });

const ok = (algo: string, env: string, seed: number, finalEval: number, stepsToThreshold: number | null): RunRecord => ({
  algo,
  env,
  seed,
  status: 'ok',
  finalEval,
  stepsToThreshold,
  solved: stepsToThreshold !== null,
  totalSteps: 1000,
  wallSeconds: 1,
  error: null,
});
const failed = (algo: string, env: string, seed: number): RunRecord => ({ algo, env, seed, status: 'failed', finalEval: null, stepsToThreshold: null, solved: null, totalSteps: null, wallSeconds: 1, error: 'boom' });

describe('learningCurveRows', () => {
  it('gives per step the IQM over seeds inside its bootstrap band', () => {
    const rows = learningCurveRows(
      [curve('ppo', 'E', 0, [[100, 10], [200, 40]]), curve('ppo', 'E', 1, [[100, 20], [200, 50]]), curve('ppo', 'E', 2, [[100, 30], [200, 60]]), curve('a2c', 'E', 0, [[100, 5], [200, 5]])],
      { reps: 300 },
    );
    const ppo = rows.filter((r) => r.algo === 'ppo');
    expect(ppo.map((r) => [r.step, r.iqm, r.runs])).toEqual([
      [100, 20, 3], // 3 runs: nothing trimmed, IQM = mean
      [200, 50, 3],
    ]);
    for (const r of ppo) {
      expect(r.lower).toBeLessThan(r.iqm);
      expect(r.upper).toBeGreaterThan(r.iqm);
      expect(r.lower).toBeGreaterThanOrEqual(r.iqm - 10);
      expect(r.upper).toBeLessThanOrEqual(r.iqm + 10);
    }
    // One run: no spread, the band collapses onto the line.
    expect(rows.filter((r) => r.algo === 'a2c')).toEqual([
      { algo: 'a2c', env: 'E', step: 100, iqm: 5, lower: 5, upper: 5, runs: 1 },
      { algo: 'a2c', env: 'E', step: 200, iqm: 5, lower: 5, upper: 5, runs: 1 },
    ]);
  });

  it('aligns runs that evaluated at different steps on their latest evaluation', () => {
    const rows = learningCurveRows([curve('a', 'E', 0, [[100, 10], [200, 20]]), curve('a', 'E', 1, [[150, 30], [250, 40]])], { reps: 50 });
    expect(rows.map((r) => [r.step, r.runs, r.iqm])).toEqual([
      [100, 1, 10], // seed 1 has not evaluated yet
      [150, 2, 20],
      [200, 2, 25],
      [250, 2, 30],
    ]);
  });

  it('is deterministic', () => {
    const curves = [curve('a', 'E', 0, [[1, 1]]), curve('a', 'E', 1, [[1, 3]]), curve('a', 'E', 2, [[1, 8]])];
    expect(learningCurveRows(curves, { reps: 100 })).toEqual(learningCurveRows(curves, { reps: 100 }));
  });
});

describe('sampleComplexityRows', () => {
  it('puts unsolved runs at the budget, marked censored, and labels each algorithm with its fraction solved', () => {
    const records = [ok('ppo', 'E', 0, 500, 300), ok('ppo', 'E', 1, 100, null), failed('ppo', 'E', 2), ok('a2c', 'E', 0, 500, 700), ok('ppo', 'F', 0, 1, 5)];
    const rows = sampleComplexityRows(records, 'E', ['ppo', 'a2c'], 1000);
    expect(rows.map(({ algo, seed, label, steps, solved }) => ({ algo, seed, label, steps, solved }))).toEqual([
      { algo: 'ppo', seed: 0, label: 'ppo (1/2 solved)', steps: 300, solved: true },
      { algo: 'ppo', seed: 1, label: 'ppo (1/2 solved)', steps: 1000, solved: false },
      { algo: 'a2c', seed: 0, label: 'a2c (1/1 solved)', steps: 700, solved: true },
    ]);
    expect(rows.map((r) => r.jitter)).toEqual([-0.35, 0.35, 0]);
  });
});

describe('normalizeScores and performanceProfileRows', () => {
  it('min–max normalises per env over every algorithm', () => {
    const scores = normalizeScores([ok('a', 'E', 0, 10, null), ok('b', 'E', 0, 30, null), ok('a', 'E', 1, 20, null), ok('a', 'F', 0, -5, null), ok('b', 'F', 0, -5, null), failed('b', 'E', 1)]);
    expect(scores.map((s) => [s.algo, s.env, s.normalized])).toEqual([
      ['a', 'E', 0],
      ['b', 'E', 1],
      ['a', 'E', 0.5],
      ['a', 'F', 1], // all equal: none is worse than the best
      ['b', 'F', 1],
    ]);
  });

  it('gives the fraction of runs above each τ with a band, per algorithm', () => {
    const scores = normalizeScores([ok('a', 'E', 0, 0, null), ok('a', 'E', 1, 10, null), ok('b', 'E', 0, 4, null), ok('b', 'E', 1, 6, null)]);
    const rows = performanceProfileRows(scores, ['a', 'b', 'c'], { points: 11, reps: 200 });
    expect(rows).toHaveLength(22); // c has no runs
    const a = rows.filter((r) => r.algo === 'a');
    expect(a.map((r) => r.tau)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(a[0]).toMatchObject({ fraction: 0.5, lower: 0, upper: 1 }); // one of two runs > 0
    expect(a[10]).toMatchObject({ fraction: 0, lower: 0, upper: 0 });
    const b = rows.filter((r) => r.algo === 'b');
    expect(b.map((r) => r.fraction)).toEqual([1, 1, 1, 1, 0.5, 0.5, 0, 0, 0, 0, 0]);
  });
});

describe('buildPlots', () => {
  const def: SweepDefinition = { algos: ['ppo', 'a2c'], envs: ['CartPole-v1', 'Pendulum-v1'], seeds: 2, steps: 1000, evalEvery: 500, evalEpisodes: 2 };
  const records = [ok('ppo', 'CartPole-v1', 0, 480, 500), ok('ppo', 'CartPole-v1', 1, 100, null), ok('a2c', 'CartPole-v1', 0, 200, null), failed('a2c', 'CartPole-v1', 1), ok('ppo', 'Pendulum-v1', 0, -200, null), ok('ppo', 'Pendulum-v1', 1, -300, null), ok('a2c', 'Pendulum-v1', 0, -900, null), ok('a2c', 'Pendulum-v1', 1, -1000, null)];
  const curves = records.filter((r) => r.status === 'ok').map((r) => curve(r.algo, r.env, r.seed, [[500, (r.finalEval as number) / 2], [1000, r.finalEval as number]]));
  const plots = buildPlots({ summary: summarize(def, records), records, curves, reps: 100 });

  it('draws learning curves per env, steps to threshold only where there is a threshold, and one performance profile', () => {
    expect(plots.map((p) => `${p.kind}:${p.env}:${p.name}`)).toEqual([
      'learning-curve:CartPole-v1:learning-curve-CartPole-v1',
      'sample-complexity:CartPole-v1:sample-complexity-CartPole-v1',
      'learning-curve:Pendulum-v1:learning-curve-Pendulum-v1',
      'performance-profile:null:performance-profile',
    ]);
  });

  it('inlines the band rows and the censored markers in the specs', () => {
    const lc = plots[0]!.spec as { data: { values: { algo: string; step: number; iqm: number; lower: number; upper: number }[] } };
    expect(lc.data.values.filter((r) => r.algo === 'ppo').map((r) => [r.step, r.iqm])).toEqual([
      [500, 145],
      [1000, 290],
    ]);
    const sc = plots[1]!.spec as { data: { values: { algo: string; label: string; steps: number; solved: boolean; outcome: string }[] }; layer: { mark: { type: string; filled?: boolean } }[] };
    expect(sc.data.values.map((r) => [r.label, r.steps, r.outcome])).toEqual([
      ['ppo (1/2 solved)', 500, 'solved'],
      ['ppo (1/2 solved)', 1000, 'not solved: censored at budget'],
      ['a2c (0/1 solved)', 1000, 'not solved: censored at budget'],
    ]);
    // Solved runs are filled markers, censored ones hollow.
    expect(sc.layer.filter((l) => l.mark.type === 'point').map((l) => l.mark.filled)).toEqual([true, false]);
    const pp = plots[3]!.spec as { data: { values: { algo: string; tau: number; fraction: number }[] } };
    // ppo's runs pooled over both envs: 3 of 4 score above the worst run of their env (its CartPole seed 1 is that run).
    expect(pp.data.values.find((r) => r.algo === 'ppo' && r.tau === 0)?.fraction).toBe(0.75);
  });

  it('names files safely', () => {
    expect(fileSafe('my/Env:v0')).toBe('my_Env_v0');
  });

  it('renders a spec to an SVG document and the SVG to a PNG at twice its size', async () => {
    const svg = await renderSvg(plots[1]!.spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
    expect(svg).toContain('Steps to threshold on CartPole-v1');
    expect(svg).toContain('ppo (1/2 solved)');
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    expect(width).toBeGreaterThan(600);
    expect(width).toBeLessThan(1100);
    const png = await svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.readUInt32BE(16)).toBe(2 * width); // IHDR width
  });
});
