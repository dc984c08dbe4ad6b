import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess as runCli } from './helpers/cli.js';
import { VERSION } from '../src/version.js';

describe('rxrl CLI', () => {
  it('check-env passes a built-in env', async () => {
    const r = await runCli('check-env', 'CartPole-v1');
    expect(r.out).toMatch(/CartPole-v1: all checks passed \(200 steps\)/);
    expect(r.code).toBe(0);
  });

  it('check-env loads a user module (TypeScript through tsx)', async () => {
    const r = await runCli('check-env', 'test/fixtures/counter-env.ts', '--json');
    const report = JSON.parse(r.out) as { ok: boolean; envId: string };
    expect(report).toMatchObject({ ok: true, envId: 'test/Counter-v0' });
  });

  it('unknown ids and missing exports fail with a clear message and exit code 1', async () => {
    const unknown = await runCli('check-env', 'CartPol-v1');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/Unknown env id "CartPol-v1"\. Did you mean "CartPole-v1"/);
    const noExport = await runCli('check-env', 'test/fixtures/counter-env.ts', '--export', 'nope');
    expect(noExport.code).toBe(1);
    expect(noExport.err).toMatch(/has no export "nope"; its exports are: .*CounterEnv/);
  });

  it('bad option values are refused by the parser', async () => {
    const r = await runCli('check-env', 'CartPole-v1', '--steps', 'many');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/expected an integer ≥ 1, got "many"/);
    const zeroSteps = await runCli('check-env', 'CartPole-v1', '--steps', '0');
    expect(zeroSteps.code).not.toBe(0);
    expect(zeroSteps.err).toMatch(/expected an integer ≥ 1, got "0"/);
  });

  it('a seed may be 0 but not negative', async () => {
    const zero = await runCli('check-env', 'CartPole-v1', '--seed', '0', '--steps', '20');
    expect(zero.code).toBe(0);
    const negative = await runCli('check-env', 'CartPole-v1', '--seed', '-1');
    expect(negative.code).not.toBe(0);
    expect(negative.err).toMatch(/expected an integer ≥ 0, got "-1"/);
  });

  it('envs lists the built-in envs', async () => {
    const r = await runCli('envs');
    for (const id of ['CartPole-v1', 'Pendulum-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Acrobot-v1', 'CartPoleNoVel-v1']) expect(r.out).toContain(id);
  });

  it('train writes a run folder, eval reads it back, export writes its policy', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-cli-'));
    try {
      const out = path.join(dir, 'run');
      const t = await runCli('train', '--algo', 'ppo', '--env', 'CartPole-v1', '--steps', '1024', '--seed', '2', '--out', out, '--quiet', '--json');
      expect(t.code).toBe(0);
      const summary = JSON.parse(t.out) as Record<string, unknown>;
      expect(summary).toMatchObject({ algo: 'ppo', env: 'CartPole-v1', seed: 2, totalSteps: 1024 });
      for (const f of ['config.json', 'metrics.jsonl', 'progress.csv', 'summary.json', 'checkpoints/latest.json']) expect(existsSync(path.join(out, f)), f).toBe(true);
      const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
      // The zoo hyperparameters for CartPole-v1 were applied.
      expect(config).toMatchObject({ numEnvs: 8, nSteps: 32, batchSize: 256, nEpochs: 20, gamma: 0.98, gaeLambda: 0.8 });
      const e = await runCli('eval', '--run', out, '--episodes', '3', '--deterministic');
      expect(e.code).toBe(0);
      expect(JSON.parse(e.out)).toMatchObject({ episodes: 3 });
      // export prints the model's path and nothing else (no tfjs banner).
      const x = await runCli('export', '--run', out, '--out', path.join(dir, 'model'));
      expect(x).toEqual({ out: path.join(dir, 'model', 'model.json'), err: '', code: 0 });
      expect(existsSync(path.join(dir, 'model', 'weights.bin'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--preload registers a user env before train and eval look it up; a missing module is named', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-cli-'));
    try {
      const out = path.join(dir, 'run');
      const without = await runCli('train', '--env', 'test/Counter-v0', '--steps', '64', '--quiet');
      expect(without.code).not.toBe(0);
      expect(without.err).toMatch(/test\/Counter-v0/);
      const t = await runCli('train', '--preload', 'test/fixtures/register-counter.ts', '--env', 'test/Counter-v0', '--steps', '256', '--num-envs', '2', '--seed', '1', '--out', out, '--quiet', '--json');
      expect(t.err).toBe('');
      expect(JSON.parse(t.out)).toMatchObject({ algo: 'ppo', env: 'test/Counter-v0' });
      const e = await runCli('eval', '--preload', 'test/fixtures/register-counter.ts', '--run', out, '--episodes', '2');
      expect(JSON.parse(e.out)).toMatchObject({ episodes: 2 });
      // bench validates the env in its own process and trains each run in a child that imports the module too.
      const b = await runCli('bench', '--preload', 'test/fixtures/register-counter.ts', '--algos', 'a2c', '--envs', 'test/Counter-v0', '--seeds', '1', '--steps', '200', '--out', path.join(dir, 'sweep'), '--quiet');
      expect(b.code).toBe(0);
      expect(readFileSync(path.join(dir, 'sweep', 'runs.csv'), 'utf8')).toMatch(/a2c,test\/Counter-v0,0,ok/);
      const missing = await runCli('train', '--preload', 'no/such-module.js', '--env', 'CartPole-v1', '--quiet');
      expect(missing.code).not.toBe(0);
      expect(missing.err).toMatch(/module not found: .*no\/such-module\.js/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('train refuses bad input with a clear message and a non-zero exit code', async () => {
    const algo = await runCli('train', '--algo', 'q-table', '--env', 'CartPole-v1');
    expect(algo.code).toBe(1);
    expect(algo.err).toMatch(/unknown algorithm "q-table"; available: ppo/);
    const env = await runCli('train', '--env', 'CartPol-v1', '--quiet');
    expect(env.code).toBe(1);
    expect(env.err).toMatch(/Did you mean "CartPole-v1"/);
    const resume = await runCli('train', '--resume', 'runs/x', '--steps', '5');
    expect(resume.code).toBe(1);
    expect(resume.err).toMatch(/--resume continues the run with its own saved configuration; drop --steps/);
    const steps = await runCli('train', '--env', 'CartPole-v1', '--steps', '-5');
    expect(steps.code).not.toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-cli-'));
    try {
      const file = path.join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ gama: 0.9 }));
      const typo = await runCli('train', '--env', 'CartPole-v1', '--config', file, '--quiet');
      expect(typo.code).toBe(1);
      expect(typo.err).toMatch(/Unrecognized key.*"gama"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
