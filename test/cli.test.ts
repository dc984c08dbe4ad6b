import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { VERSION } from '../src/version.js';

/** Runs the CLI in-process and captures what it prints and its exit code. */
async function runCli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  process.exitCode = 0;
  await main(['node', 'rxrl', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  vi.restoreAllMocks();
  return { out: out.join('\n'), err: err.join('\n'), code };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

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
    expect(r.err).toMatch(/expected a non-negative integer, got "many"/);
  });

  it('envs lists the built-in envs', async () => {
    const r = await runCli('envs');
    for (const id of ['CartPole-v1', 'Pendulum-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Acrobot-v1', 'CartPoleNoVel-v1']) expect(r.out).toContain(id);
  });

  it('reports the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
