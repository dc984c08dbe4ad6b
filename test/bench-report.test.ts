import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliInProcess as runCli } from './helpers/cli.js';
import { afterAll, describe, expect, it } from 'vitest';
import { reportMarkdown } from '../src/bench/report-markdown.js';
import { writeReport } from '../src/bench/report.js';
import { thresholdFor, type SweepSummary } from '../src/bench/results.js';
import type { SweepDefinition } from '../src/bench/sweep.js';
import type { RunSummary, TrainEvent } from '../src/loop/events.js';

const root = mkdtempSync(path.join(tmpdir(), 'rxrl-bench-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const def: SweepDefinition = { algos: ['good', 'bad'], envs: ['CartPole-v1'], seeds: 4, steps: 1000, evalEvery: 250, evalEpisodes: 3 };

/**
 * A finished-looking sweep without training: `good` reaches CartPole's 475 early on every
 * seed, `bad` never does; `bad` seed 3 failed.
 */
function syntheticSweep(out: string): void {
  mkdirSync(path.join(out, 'runs'), { recursive: true });
  writeFileSync(path.join(out, 'sweep.json'), JSON.stringify({ format: 'rxrl-sweep', version: 1, ...def }));
  for (const algo of def.algos) {
    for (let seed = 0; seed < def.seeds; seed++) {
      const dir = path.join(out, 'runs', `${algo}-CartPole-v1-s${seed}`);
      mkdirSync(dir);
      if (algo === 'bad' && seed === 3) {
        writeFileSync(path.join(dir, 'error.json'), JSON.stringify({ error: 'boom: diverged', wallSeconds: 1 }));
        continue;
      }
      const value = (step: number) => (algo === 'good' ? Math.min(500, step * (0.9 + 0.1 * seed)) : 20 + seed + step / 100);
      const evals: TrainEvent[] = [250, 500, 750, 1000].map((step) => ({ type: 'eval', step, result: { mean: value(step), std: 0, episodes: 3, returns: [] } }));
      writeFileSync(path.join(dir, 'metrics.jsonl'), evals.map((e) => `${JSON.stringify(e)}\n`).join(''));
      const summary: RunSummary = { algo, env: 'CartPole-v1', seed, backend: 'cpu', totalSteps: 1000, wallSeconds: 1, stepsPerSecond: 1000, finalEval: evals[3]!.type === 'eval' ? evals[3]!.result : null, firstStepAtThreshold: null, episodes: 10 };
      writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
    }
  }
}


describe('bench report', () => {
  const out = path.join(root, 'sweep');
  syntheticSweep(out);

  it('writes the plots and a report embedding them, with comparisons and significance', async () => {
    const { summary, plots } = await writeReport(out, { reps: 200 });
    expect(plots.map((p) => p.png)).toEqual(['plots/learning-curve-CartPole-v1.png', 'plots/sample-complexity-CartPole-v1.png', 'plots/performance-profile.png']);
    for (const p of plots) {
      expect(readFileSync(path.join(out, p.svg), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect([...readFileSync(path.join(out, p.png)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }

    const [c] = summary.comparisons;
    expect(c).toMatchObject({ env: 'CartPole-v1', x: 'good', y: 'bad', probabilityOfImprovement: { point: 1, lower: 1, upper: 1 } });
    expect(c!.finalEvalIqmDifference).toMatchObject({ significant: true });
    expect(c!.finalEvalIqmDifference!.lower).toBeGreaterThan(0);
    // good solves at 500 or 750; bad never, so it counts at the budget (1000).
    expect(c!.stepsIqmDifference).toMatchObject({ significant: true });
    expect(c!.stepsIqmDifference!.upper).toBeLessThan(0);

    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('![Learning curves on CartPole-v1](plots/learning-curve-CartPole-v1.png)');
    expect(report).toContain('![Steps to threshold on CartPole-v1](plots/sample-complexity-CartPole-v1.png)');
    expect(report).toMatch(/## Pairwise comparisons\n\n_Each row compares/);
    expect(report).toMatch(/\| CartPole-v1 \| good vs bad \| 1\.00 \[1\.00, 1\.00\] \| \+[\d.]+ \[\+[\d.]+, \+[\d.]+\] \| \*\*significant\*\* \| -\d+ \[-\d+, -\d+\] \| \*\*significant\*\* \|/);
    expect(report).toMatch(/## Performance profile\n\n!\[Performance profile\]\(plots\/performance-profile\.png\)[^\n]*\n\n_Scores are the final evaluation returns normalised per env by min–max/);
    expect(report).toMatch(/## Failed runs[\s\S]*bad on CartPole-v1, seed 3: boom: diverged/);
    expect(readFileSync(path.join(out, 'runs.csv'), 'utf8')).toMatch(/\ngood,CartPole-v1,0,ok,500,750,true,/);
  });

  it('calls a difference not significant when the interval contains 0', () => {
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SweepSummary;
    const flat = { point: 0.5, lower: -1, upper: 2, significant: false };
    const md = reportMarkdown({ ...summary, comparisons: [{ ...summary.comparisons[0]!, finalEvalIqmDifference: flat, stepsIqmDifference: null }] }, []);
    expect(md).toMatch(/\| good vs bad \| [^|]+ \| \+0\.500 \[-1\.00, \+2\.00\] \| not significant \| – \| – \|/);
    expect(md).not.toContain('## Performance profile'); // no plots given: tables only
    expect(md).not.toContain('![');
  });

  it('rxrl bench-report redraws a folder, keeping the threshold it was computed with', async () => {
    // As if an earlier `rxrl bench-report --threshold 300` had written it.
    const file = path.join(out, 'summary.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as SweepSummary), threshold: 300 }));
    rmSync(path.join(out, 'plots'), { recursive: true });
    rmSync(path.join(out, 'report.md'));
    const again = await runCli('bench-report', out);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/3 plot\(s\)/);
    expect(existsSync(path.join(out, 'plots', 'performance-profile.png'))).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.threshold).toBe(300);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/## CartPole-v1 \(threshold 300\)/);
  });

  it('--threshold ENV=X sets one env\'s target and leaves the others at their registered one', async () => {
    const r = await runCli('bench-report', out, '--threshold', 'CartPole-v1=200,Pendulum-v1=-200');
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.threshold).toEqual({ 'CartPole-v1': 200, 'Pendulum-v1': -200 });
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/## CartPole-v1 \(threshold 200\)/);
    expect(thresholdFor('CartPole-v1', { 'Pendulum-v1': -200 })).toBe(475);
    expect(thresholdFor('Pendulum-v1', undefined)).toBeNull();
    const bad = await runCli('bench-report', out, '--threshold', 'CartPole-v1=abc');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/expected a number, got "abc"/);
  });

  it('rxrl bench-report refuses a folder that is not a sweep', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const r = await runCli('bench-report', empty);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/holds no sweep\.json/);
  });
});
