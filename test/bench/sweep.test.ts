import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliInProcess as runCli } from '../helpers/cli.js';
import { afterAll, describe, expect, it } from 'vitest';
import { runSweep, type SweepEvent } from '../../src/bench/run-sweep.js';
import type { SweepSummary } from '../../src/bench/results.js';
import type { SweepDefinition } from '../../src/bench/sweep.js';
import { ConfigError } from '../../src/core/errors.js';
import { THROWING_ENV } from '../fixtures/throwing-env.js';

const THROWING_MODULE = fileURLToPath(new URL('../fixtures/throwing-env.ts', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'rxrl-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny: SweepDefinition = { algos: ['ppo', 'a2c'], envs: ['CartPole-v1'], seeds: 2, steps: 2048, evalEvery: 512, evalEpisodes: 2 };

const csvRows = (out: string) =>
  readFileSync(path.join(out, 'runs.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));


describe('rxrl bench sweep', () => {
  const out = path.join(root, 'tiny');

  it('runs every (algo, env, seed) in its own process and writes runs.csv, summary.json, report.md', async () => {
    const events: SweepEvent[] = [];
    const result = await runSweep({ out, definition: tiny, workers: 2, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ ran: 4, skipped: 0, failed: 0, interrupted: false });
    const rows = csvRows(out);
    expect(rows[0]).toEqual(['algo', 'env', 'seed', 'status', 'final_eval_mean', 'steps_to_threshold', 'solved', 'total_steps', 'wall_seconds', 'error']);
    expect(rows.slice(1).map((r) => r.slice(0, 4).join(' '))).toEqual(['ppo CartPole-v1 0 ok', 'ppo CartPole-v1 1 ok', 'a2c CartPole-v1 0 ok', 'a2c CartPole-v1 1 ok']);
    for (const r of rows.slice(1)) {
      expect(Number(r[4])).toBeGreaterThan(0);
      expect(['true', 'false']).toContain(r[6]);
    }
    // A learning curve exists: periodic evaluations plus the final one.
    const metrics = readFileSync(path.join(out, 'runs', 'ppo-CartPole-v1-s0', 'metrics.jsonl'), 'utf8');
    expect(metrics.split('\n').filter((l) => l.includes('"type":"eval"')).length).toBeGreaterThanOrEqual(4);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.runs).toEqual({ total: 4, ok: 4, failed: 0, missing: 0 });
    expect(summary.cells.map((c) => `${c.algo}/${c.env}`)).toEqual(['ppo/CartPole-v1', 'a2c/CartPole-v1']);
    for (const c of summary.cells) {
      expect(c.finalEvalIqm!.lower).toBeLessThanOrEqual(c.finalEvalIqm!.point);
      expect(c.finalEvalIqm!.upper).toBeGreaterThanOrEqual(c.finalEvalIqm!.point);
      expect(c.stepsToThreshold).toMatchObject({ runs: 2 });
      expect(c.threshold).toBe(475);
    }
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/## CartPole-v1 \(threshold 475\)/);
    expect(report).toMatch(/\| ppo \| 2 \/ 0 \|/);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(4);
    expect(JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8'))).toMatchObject({ format: 'rxrl-sweep', ...tiny });
  });

  it('does not rerun finished runs', async () => {
    const file = path.join(out, 'runs', 'a2c-CartPole-v1-s1', 'summary.json');
    const before = statSync(file).mtimeMs;
    const result = await runSweep({ out, definition: { ...tiny, algos: ['a2c', 'ppo'] }, workers: 2 });
    expect(result).toMatchObject({ ran: 0, skipped: 4, failed: 0 });
    expect(statSync(file).mtimeMs).toBe(before);
    expect(csvRows(out)).toHaveLength(5);
  });

  it('refuses a different definition in the same folder, naming the difference', async () => {
    await expect(runSweep({ out, definition: { ...tiny, steps: 4096, seeds: 3 }, workers: 1 })).rejects.toThrow(ConfigError);
    await expect(runSweep({ out, definition: { ...tiny, steps: 4096 }, workers: 1 })).rejects.toThrow(/steps: 2048 → 4096/);
  });

  it('reports a failing run as failed with its error, and retries it on the next invocation', async () => {
    const failOut = path.join(root, 'failing');
    const def: SweepDefinition = { algos: ['a2c'], envs: ['CartPole-v1', THROWING_ENV], seeds: 1, steps: 256, evalEvery: 128, evalEpisodes: 1 };
    const first = await runSweep({ out: failOut, definition: def, workers: 2, preload: [THROWING_MODULE] });
    expect(first).toMatchObject({ ran: 2, failed: 1 });
    const rows = csvRows(failOut);
    expect(rows[1]!.slice(0, 4)).toEqual(['a2c', 'CartPole-v1', '0', 'ok']);
    expect(rows[2]!.slice(0, 4)).toEqual(['a2c', THROWING_ENV, '0', 'failed']);
    expect(readFileSync(path.join(failOut, 'runs.csv'), 'utf8')).toMatch(/boom: test\/Throwing-v0 cannot be built/);
    const summary = JSON.parse(readFileSync(path.join(failOut, 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.runs).toMatchObject({ ok: 1, failed: 1 });
    expect(summary.cells[1]).toMatchObject({ env: THROWING_ENV, failed: 1, completed: 0, finalEvalIqm: null });
    expect(readFileSync(path.join(failOut, 'report.md'), 'utf8')).toMatch(/## Failed runs[\s\S]*boom/);
    const second = await runSweep({ out: failOut, definition: def, workers: 2, preload: [THROWING_MODULE] });
    expect(second).toMatchObject({ ran: 1, skipped: 1, failed: 1 });
  });

  it('an interrupted sweep kills its children, writes no results, and leaves no finished run behind', async () => {
    const intOut = path.join(root, 'interrupted');
    const def: SweepDefinition = { algos: ['ppo'], envs: ['CartPole-v1'], seeds: 2, steps: 1_000_000, evalEvery: 100_000, evalEpisodes: 1 };
    const controller = new AbortController();
    const result = await runSweep({
      out: intOut,
      definition: def,
      workers: 2,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress') controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(existsSync(path.join(intOut, 'runs.csv'))).toBe(false);
    expect(existsSync(path.join(intOut, 'runs', 'ppo-CartPole-v1-s0', 'summary.json'))).toBe(false);
    // No child outlives the sweep: no process still carries this sweep's folder in its arguments.
    const survivors = spawnSync('pgrep', ['-f', intOut], { encoding: 'utf8' });
    if (survivors.error === undefined) expect(survivors.stdout.trim()).toBe('');
  });

  it('bad input: clear errors and exit code 1', async () => {
    const base = ['bench', '--envs', 'CartPole-v1', '--steps', '256', '--quiet'];
    const algo = await runCli(...base, '--algos', 'ppo,q-table', '--seeds', '1', '--out', path.join(root, 'bad1'));
    expect(algo).toMatchObject({ code: 1 });
    expect(algo.err).toMatch(/unknown algorithm "q-table"/);
    const env = await runCli('bench', '--algos', 'ppo', '--envs', 'CartPol-v1', '--seeds', '1', '--steps', '256', '--out', path.join(root, 'bad2'));
    expect(env.code).toBe(1);
    expect(env.err).toMatch(/CartPol-v1/);
    const seeds = await runCli(...base, '--algos', 'ppo', '--seeds', '0', '--out', path.join(root, 'bad3'));
    expect(seeds.code).toBe(1);
    expect(seeds.err).toMatch(/--seeds <n>.*expected an integer ≥ 1, got "0"/);
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    const outIsFile = await runCli(...base, '--algos', 'ppo', '--seeds', '1', '--out', file);
    expect(outIsFile.code).toBe(1);
    expect(outIsFile.err).toMatch(/exists and is not a folder/);
    const other = await runCli(...base, '--algos', 'ppo', '--seeds', '1', '--out', root);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/not empty and holds no sweep\.json/);
  });
});
