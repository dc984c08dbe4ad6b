/**
 * The Python Gymnasium bridge against real Gymnasium (installed by `npm run setup:bridge`, which
 * `.ci/run` calls). Without an importable gymnasium the whole file is skipped with the reason.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { ConfigError, InvalidActionError } from '../../src/core/errors.js';
import { spaceFromJSON, type Space, type SpaceJSON } from '../../src/core/spaces.js';
import { checkEnv, make, registration } from '../../src/envs/index.js';
import type { StepResult } from '../../src/envs/env.js';
import {
  GymnasiumEnv,
  GymnasiumProcessError,
  GymnasiumPythonError,
  GymnasiumSetupError,
  GymnasiumTimeoutError,
  GymnasiumVectorEnv,
  listGymnasiumEnvs,
  liveServerCount,
  probePython,
  resolvePython,
  SERVER_SCRIPT,
} from '../../src/envs/gymnasium/index.js';
import type { VectorStepResult } from '../../src/envs/vector/vector-env.js';
import { evaluateRun } from '../../src/loop/evaluate-run.js';
import { train } from '../../src/loop/train.js';
import { latestCheckpoint, runToEnd, summaryOf } from '../helpers/run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/python/', import.meta.url));
const PYTHON = resolvePython();
const probe = probePython(PYTHON);
const skipReason = !probe.ok ? probe.reason : probe.probe.gymnasium === null ? `gymnasium does not import in ${probe.probe.executable}: ${probe.probe.gymnasium_error ?? ''}` : undefined;
if (skipReason !== undefined) console.warn(`gymnasium bridge tests skipped: ${skipReason}. Run \`npm run setup:bridge\` to run them.`);

/** Gymnasium's own answer to a job of test/fixtures/python/gymnasium_reference.py. */
function reference<T>(job: Record<string, unknown>): T {
  const out = execFileSync(PYTHON.command, [path.join(FIXTURES, 'gymnasium_reference.py'), path.dirname(SERVER_SCRIPT)], { input: JSON.stringify(job), encoding: 'utf8', env: { SDL_AUDIODRIVER: 'dummy', PYGAME_HIDE_SUPPORT_PROMPT: '1', ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return JSON.parse(out) as T;
}

/** Pids of every running rxrl_gym_server.py process on the machine. */
function serverPids(): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter((l) => l.includes('rxrl_gym_server.py') && !/^\s*\d+\s+Z/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Whether `pid` is a running (not zombie) server process. */
const running = (pid: number): boolean => serverPids().includes(pid);

async function waitUntil(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe.skipIf(skipReason !== undefined)('Gymnasium bridge', () => {
  afterAll(() => {
    expect(liveServerCount()).toBe(0);
  });

  describe('traces equal Gymnasium', () => {
    type SingleRef = { obs: number[]; reward?: number; terminated?: boolean; truncated?: boolean }[];

    async function bridgedTrace(env: GymnasiumEnv, seed: number, actions: readonly unknown[]): Promise<SingleRef> {
      const out: SingleRef = [{ obs: Array.from((await env.reset({ seed })).observation as Float32Array) }];
      for (const a of actions) {
        const r = (await env.step(a)) as StepResult<Float32Array>;
        out.push({ obs: Array.from(r.observation), reward: r.reward, terminated: r.terminated, truncated: r.truncated });
        if (r.terminated || r.truncated) out.push({ obs: Array.from((await env.reset()).observation as Float32Array) });
      }
      return out;
    }

    it('CartPole-v1, seeded, through episode ends', async () => {
      const actions = Array.from({ length: 120 }, (_, t) => (t * 7 + (t >> 3)) % 2);
      const expected = reference<SingleRef>({ kind: 'single', id: 'CartPole-v1', seed: 42, actions });
      const env = await GymnasiumEnv.create('CartPole-v1');
      expect(env.spec).toEqual({ id: 'gymnasium:CartPole-v1', maxEpisodeSteps: 500, rewardThreshold: 475, kwargs: {} });
      const got = await bridgedTrace(env, 42, actions);
      await env.close();
      expect(expected.filter((s) => s.terminated === true).length).toBeGreaterThan(0);
      expect(got).toEqual(expected);
    });

    it('Pendulum-v1, seeded, float32 actions (including out-of-range ones, clipped)', async () => {
      const actions = Array.from({ length: 60 }, (_, t) => [Math.fround(Math.sin(t) * 2.5)]);
      const clipped = actions.map(([a]) => [Math.min(2, Math.max(-2, a as number))]);
      const expected = reference<SingleRef>({ kind: 'single', id: 'Pendulum-v1', seed: 3, actions: clipped });
      const env = make('gymnasium:Pendulum-v1') as GymnasiumEnv;
      const got = await bridgedTrace(env, 3, actions.map((a) => Float32Array.from(a)));
      await env.close();
      expect(got).toEqual(expected);
    });

    it('a vector env in 2 processes equals SyncVectorEnv(SAME_STEP): same-step autoreset, final observations, seeds s + i', async () => {
      const n = 3;
      const steps = 90;
      const rows = Array.from({ length: steps }, (_, t) => Array.from({ length: n }, (_, i) => (t + i * t + (t >> 2)) % 2));
      const expected = reference<{ obs: number[]; rewards?: number[]; terminated?: boolean[]; truncated?: boolean[]; finals?: (number[] | null)[] }[]>({ kind: 'vector', id: 'CartPole-v1', num_envs: n, seed: 5, actions: rows });
      const venv = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: n, processes: 2 });
      expect(venv.pids).toHaveLength(2);
      expect(Array.from((await venv.reset({ seed: 5 })).observations)).toEqual(expected[0]?.obs);
      let finished = 0;
      for (let t = 0; t < steps; t++) {
        const r = await venv.step(Int32Array.from(rows[t] as number[]));
        const e = expected[t + 1] as Required<(typeof expected)[number]>;
        expect(Array.from(r.observations)).toEqual(e.obs);
        expect(Array.from(r.rewards)).toEqual(e.rewards);
        expect(Array.from(r.terminated, (v) => v === 1)).toEqual(e.terminated);
        expect(Array.from(r.truncated, (v) => v === 1)).toEqual(e.truncated);
        for (let i = 0; i < n; i++) {
          const final = e.finals[i];
          if (final === null || final === undefined) {
            expect(r.finalInfos[i]).toBeUndefined();
            continue;
          }
          finished++;
          expect(Array.from(r.finalObservations.subarray(i * 4, i * 4 + 4))).toEqual(final);
          expect(r.finalInfos[i]).toEqual({});
        }
      }
      expect(finished).toBeGreaterThan(3);
      await venv.close();
    });

    it('per-copy seeds across processes: copy i starts as a single env reset with seeds[i]', async () => {
      const venv = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: 3, processes: 2 });
      const obs = Array.from((await venv.reset({ seeds: [7, 9, 7] })).observations);
      await venv.close();
      const single = make('gymnasium:CartPole-v1') as GymnasiumEnv;
      const row = async (seed: number) => Array.from((await single.reset({ seed })).observation as Float32Array);
      expect(obs.slice(0, 4)).toEqual(await row(7));
      expect(obs.slice(4, 8)).toEqual(await row(9));
      expect(obs.slice(8, 12)).toEqual(await row(7));
      await single.close();
    });
  });

  it('polling servers answer exactly as sleeping ones, and a request larger than one read arrives whole', async () => {
    const n = 4;
    const polling = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: n, spinMicros: 500 });
    const sleeping = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: n, spinMicros: 0 });
    expect([polling.spinMicros, sleeping.spinMicros]).toEqual([500, 0]);
    // Reset options of ~300 kB: the server reads its input 64 kB at a time.
    const options = { low: -0.2, high: 0.2, padding: 'x'.repeat(300_000) };
    const a = await polling.reset({ seed: 9, options });
    const b = await sleeping.reset({ seed: 9, options });
    expect(Array.from(a.observations)).toEqual(Array.from(b.observations));
    // The wide reset bounds took effect: some entry lies outside CartPole's default ±0.05.
    expect(Array.from(a.observations).some((x) => Math.abs(x) > 0.05)).toBe(true);
    let ends = 0;
    for (let t = 0; t < 200; t++) {
      const actions = Int32Array.from({ length: n }, (_, i) => (t * 5 + i * 3 + (t >> 2)) % 2);
      const [ra, rb] = [await polling.step(actions), await sleeping.step(actions)];
      expect(Array.from(ra.observations)).toEqual(Array.from(rb.observations));
      expect(Array.from(ra.finalObservations)).toEqual(Array.from(rb.finalObservations));
      expect([Array.from(ra.rewards), Array.from(ra.terminated), Array.from(ra.truncated)]).toEqual([Array.from(rb.rewards), Array.from(rb.terminated), Array.from(rb.truncated)]);
      ends += ra.terminated.reduce((s, v) => s + v, 0);
    }
    expect(ends).toBeGreaterThan(2);
    await Promise.all([polling.close(), sleeping.close()]);
  });

  describe('spaces', () => {
    type SpaceCase = { repr: string; json: SpaceJSON; roundTrip: boolean; value: unknown; flat: number[]; readBack: boolean };

    /** rxrl's element of `space` from its plain JSON form (lists for arrays). */
    function element(space: Space<unknown>, v: unknown): unknown {
      const j = space.toJSON();
      switch (j.type) {
        case 'Box':
          return Float32Array.from(v as number[]);
        case 'Discrete':
          return v;
        case 'MultiDiscrete':
          return Int32Array.from(v as number[]);
        case 'MultiBinary':
          return Uint8Array.from(v as number[]);
        case 'Dict': {
          const spaces = (space as unknown as { spaces: Record<string, Space<unknown>> }).spaces;
          return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, element(spaces[k] as Space<unknown>, x)]));
        }
        case 'Tuple': {
          const spaces = (space as unknown as { spaces: Space<unknown>[] }).spaces;
          return (v as unknown[]).map((x, i) => element(spaces[i] as Space<unknown>, x));
        }
      }
    }

    it('convert both ways: Gymnasium → rxrl JSON → Gymnasium is the identity, and both sides flatten an element alike', () => {
      const { spaces, unsupported } = reference<{ spaces: SpaceCase[]; unsupported: string }>({ kind: 'spaces' });
      expect(spaces.length).toBeGreaterThanOrEqual(9);
      for (const c of spaces) {
        expect(c.roundTrip, c.repr).toBe(true);
        expect(c.readBack, c.repr).toBe(true);
        const space = spaceFromJSON(c.json);
        expect(space.flatDim, c.repr).toBe(c.flat.length);
        const x = element(space, c.value);
        expect(space.explainMismatch(x), c.repr).toBeNull();
        const flat = new Float32Array(space.flatDim);
        space.flattenInto(x, flat, 0);
        expect(Array.from(flat), c.repr).toEqual(c.flat);
      }
      const json = (i: number) => (spaces[i] as SpaceCase).json;
      expect(json(1)).toMatchObject({ type: 'Box', low: [null, 0], high: [null, 1], dtype: 'float64' });
      expect(json(3)).toMatchObject({ type: 'Discrete', n: 5, start: -2 });
      expect(json(5)).toMatchObject({ type: 'MultiDiscrete', nvec: [2, 3, 4, 5], gymShape: [2, 2] });
      expect(unsupported).toMatch(/cannot represent the Gymnasium space Text.*supported are Box, Discrete, MultiDiscrete, MultiBinary, Dict and Tuple/);
    });

    it('rgb_array rendering returns the frames Gymnasium draws (single env and each copy of a vector env)', async () => {
      const expected = reference<{ shape: number[]; dtype: string; sha256: string }>({ kind: 'render', id: 'CartPole-v1', seed: 4 });
      const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
      const env = await GymnasiumEnv.create('CartPole-v1', { kwargs: { render_mode: 'rgb_array' } });
      try {
        await env.reset({ seed: 4 });
        const single = await env.render();
        const frame = single !== null && 'frames' in single ? single.frames[0] : undefined;
        expect(frame?.shape).toEqual(expected.shape);
        expect(frame?.dtype).toBe('uint8');
        expect(sha(frame?.data ?? new Uint8Array())).toBe(expected.sha256);
      } finally {
        await env.close();
      }
      const venv = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: 2, kwargs: { render_mode: 'rgb_array' } });
      try {
        await venv.reset({ seed: 4 });
        const both = await venv.render();
        const frames = both !== null && 'frames' in both ? both.frames : [];
        expect(frames).toHaveLength(2);
        expect(sha((frames[0] as { data: Uint8Array }).data)).toBe(expected.sha256); // copy 0 is seeded 4
        expect(sha((frames[1] as { data: Uint8Array }).data)).not.toBe(expected.sha256);
      } finally {
        await venv.close();
      }
    });

    it('Discrete and Tuple observations (FrozenLake, Blackjack), ansi rendering', async () => {
      const lake = await GymnasiumEnv.create('FrozenLake-v1', { kwargs: { render_mode: 'ansi', is_slippery: false } });
      expect(lake.observationSpace.toJSON()).toMatchObject({ type: 'Discrete', n: 16 });
      expect((await lake.reset({ seed: 0 })).observation).toBe(0);
      expect((await lake.step(2)).observation).toBe(1);
      const frame = await lake.render();
      expect(frame !== null && 'text' in frame ? frame.text[0] : '').toContain('(Right)');
      await lake.close();
      const jack = await GymnasiumEnv.create('Blackjack-v1');
      expect(jack.observationSpace.kind).toBe('Tuple');
      const { observation } = await jack.reset({ seed: 1 });
      expect(jack.observationSpace.explainMismatch(observation)).toBeNull();
      await jack.close();
    });
  });

  describe('a Dict-observation env of your own (module:Class)', () => {
    const options = { pythonPath: [FIXTURES], kwargs: { length: 3 } };

    it('single env: structured observations and infos', async () => {
      const env = make('gymnasium:gym_fixture_envs:DictEnv', options) as GymnasiumEnv;
      expect(env.observationSpace.kind).toBe('Dict');
      expect(env.spec?.maxEpisodeSteps).toBeUndefined();
      const first = await env.reset({ seed: 0 });
      const obs = first.observation as { pos: Float32Array; mode: number; flags: Uint8Array; pair: [number, Int32Array] };
      expect(Object.keys(obs)).toEqual(['flags', 'mode', 'pair', 'pos']);
      expect(obs.mode).toBe(1);
      expect(Array.from(obs.flags)).toEqual([0, 1]);
      const [x0, y0] = obs.pos as unknown as [number, number];
      expect(x0).toBe(-y0);
      expect(first.info).toMatchObject({ nested: { t: 0 } });
      const r = await env.step(1);
      expect((r.observation as typeof obs).mode).toBe(2);
      expect((r.observation as typeof obs).pos[0]).toBeCloseTo(x0 + 0.5, 6);
      expect(r.info).toEqual({ t: 1, nested: { t: 1, nan: null } });
      expect(env.observationSpace.explainMismatch(r.observation)).toBeNull();
      await env.close();
    });

    it('vector env: flat observations in rxrl layout, final infos, per-copy infos after the reset', async () => {
      const venv = make('gymnasium:gym_fixture_envs:DictEnv', { ...options, numEnvs: 2 }) as GymnasiumVectorEnv;
      // flags(2) + mode(3) + pair(2 + 2 + 3) + pos(2)
      expect(venv.observationSize).toBe(14);
      const reset = await venv.reset({ seed: 0 });
      expect(Array.from(reset.observations.subarray(0, 12))).toEqual([0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0]);
      expect(reset.infos[1]).toMatchObject({ nested: { t: 0 } });
      let r: VectorStepResult | undefined;
      for (let t = 0; t < 3; t++) r = await venv.step(new Int32Array([1, 0]));
      const last = r as VectorStepResult;
      expect(Array.from(last.terminated)).toEqual([1, 1]);
      expect(last.finalInfos[0]).toEqual({ t: 3, nested: { t: 3, nan: null } });
      // The new episode's first info, not the finished one's.
      expect(last.infos[0]).toMatchObject({ nested: { t: 0 } });
      // Final observation of copy 0: t = 3 → mode 1 (one-hot [1,0,0]), flags [1, 1].
      expect(Array.from(last.finalObservations.subarray(0, 5))).toEqual([1, 1, 1, 0, 0]);
      await venv.close();
    });
  });

  describe('registry, checks and errors', () => {
    it('make() and registration() route gymnasium: ids; checkEnv passes', async () => {
      const reg = registration('gymnasium:CartPole-v1');
      expect(reg.rewardThreshold).toBe(475);
      expect(reg.maxEpisodeSteps).toBe(500);
      const env = make('gymnasium:CartPole-v1');
      const report = await checkEnv(env, { steps: 30 });
      expect(report.problems).toEqual([]);
      await env.close();
      expect(() => make('gymnasium:CartPole-v1', { numEnvs: 2, gravity: 9.8 })).toThrow(/unknown option "gravity".*kwargs/);
      expect(() => make('gymnasium:CartPole-v1', { numEnvs: 2, processes: 3 })).toThrow(ConfigError);
    });

    it('an unknown id names the Gymnasium error, its close matches and the module:Class form', async () => {
      const err = await GymnasiumEnv.create('CartPol-v1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GymnasiumPythonError);
      expect((err as GymnasiumPythonError).pythonType).toBe('NameNotFound');
      expect((err as Error).message).toMatch(/CartPole.*gymnasium:my_module:MyEnv/s);
      expect(() => make('gymnasium:CartPol-v1')).toThrow(GymnasiumPythonError);
    });

    it('a missing Python or gymnasium names the fix', async () => {
      const noPython = await GymnasiumEnv.create('CartPole-v1', { python: '/nonexistent/python3' }).catch((e: unknown) => e);
      expect(noPython).toBeInstanceOf(GymnasiumSetupError);
      expect((noPython as Error).message).toMatch(/\/nonexistent\/python3 \(from the python option\) does not exist.*npm run setup:bridge.*RXRL_PYTHON/);
      expect(() => make('gymnasium:CartPole-v1', { python: '/nonexistent/python3' })).toThrow(GymnasiumSetupError);
      const shadow = mkdtempSync(path.join(tmpdir(), 'rxrl-nogym-'));
      try {
        mkdirSync(path.join(shadow, 'gymnasium'));
        writeFileSync(path.join(shadow, 'gymnasium', '__init__.py'), 'raise ImportError("No module named \'gymnasium\'")\n');
        const noGym = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: 2, pythonPath: [shadow] }).catch((e: unknown) => e);
        expect(noGym).toBeInstanceOf(GymnasiumSetupError);
        expect((noGym as Error).message).toMatch(/gymnasium is not installed in .*Fix: run `npm run setup:bridge`/);
      } finally {
        rmSync(shadow, { recursive: true, force: true });
      }
    });

    it('invalid actions are rejected before they cross the pipe', async () => {
      const cart = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: 2 });
      await cart.reset({ seed: 0 });
      await expect(cart.step(new Int32Array([0, 2]))).rejects.toThrow(/copy 1 is 2, outside \[0, 1\]/);
      await expect(cart.step(new Int32Array([0]))).rejects.toThrow(InvalidActionError);
      await expect(cart.step(new Float32Array([0, 1]) as unknown as Int32Array)).rejects.toThrow(/expected an Int32Array/);
      expect((await cart.step(new Int32Array([0, 1]))).rewards[0]).toBe(1);
      await cart.close();
      const pend = await GymnasiumEnv.create('Pendulum-v1', { timeoutMs: 5000 });
      await pend.reset({ seed: 0 });
      await expect(pend.step(Float32Array.of(Number.NaN))).rejects.toThrow(/entry 0 is NaN/);
      await expect(pend.step(Float32Array.of(0, 0))).rejects.toThrow(InvalidActionError);
      await expect(pend.step(1)).rejects.toThrow(InvalidActionError);
      expect((await pend.step(Float32Array.of(0.5))).truncated).toBe(false);
      await pend.close();
    });
  });

  describe('failures of the Python side', () => {
    const trouble = () => GymnasiumEnv.create('gym_fixture_envs:TroubleEnv', { pythonPath: [FIXTURES], timeoutMs: 1500 });

    it('an exception becomes GymnasiumPythonError with the traceback; the env goes on after reset(); print() does not break the pipe', async () => {
      const env = await trouble();
      await env.reset();
      expect((await env.step(0)).reward).toBe(0);
      const err = await env.step(1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GymnasiumPythonError);
      const e = err as GymnasiumPythonError;
      expect(e.pythonType).toBe('ValueError');
      expect(e.pythonMessage).toBe('boom from TroubleEnv.step');
      expect(e.pythonTraceback).toMatch(/gym_fixture_envs\.py", line \d+, in step/);
      expect(e.message).toMatch(/step\(\) raised ValueError in Python: boom.*Python traceback/s);
      await expect(env.step(0)).rejects.toThrow(/before reset/);
      await env.reset();
      expect((await env.step(0)).terminated).toBe(false);
      await env.close();
    });

    it('a hung step times out and the process is killed', async () => {
      const env = await trouble();
      await env.reset();
      const started = Date.now();
      const err = await env.step(2).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(err).toBeInstanceOf(GymnasiumTimeoutError);
      expect((err as Error).message).toMatch(/step\(\) got no answer .* within 1500 ms, so the process was killed.*timeoutMs/);
      expect(await waitUntil(() => !running(env.pid))).toBe(true);
      await expect(env.reset()).rejects.toThrow(GymnasiumTimeoutError);
      await env.close();
    });

    it('a crashed process becomes GymnasiumProcessError with its exit code and stderr', async () => {
      const env = await trouble();
      await env.reset();
      const err = await env.step(3).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GymnasiumProcessError);
      expect((err as GymnasiumProcessError).exitCode).toBe(7);
      expect((err as Error).message).toMatch(/exited with code 7 during step\(\).*close it and make a new one.*TroubleEnv: exiting with code 7/s);
      await env.close();
    });
  });

  describe('no process is left behind', () => {
    const script = path.join(ROOT, 'test/fixtures/gymnasium-lifetime.ts');
    const runScript = (mode: string, nodeArgs: string[] = []) => spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', script, mode], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const pidsOf = (stdout: string) => (JSON.parse(stdout.split('\n')[0] as string) as { pids: number[] }).pids;

    it('close() ends every process', async () => {
      const before = serverPids().length;
      const venv = await GymnasiumVectorEnv.create('CartPole-v1', { numEnvs: 4, processes: 2 });
      expect(serverPids().length).toBe(before + 2);
      await venv.reset();
      await venv.close();
      await venv.close();
      expect(venv.pids.some(running)).toBe(false);
      expect(serverPids().length).toBe(before);
    });

    it('process.exit() and a script that just ends kill them', async () => {
      for (const mode of ['exit', 'idle']) {
        const r = runScript(mode);
        expect(r.status, r.stderr).toBe(0);
        const pids = pidsOf(r.stdout);
        expect(pids).toHaveLength(2);
        expect(await waitUntil(() => !pids.some(running))).toBe(true);
      }
    });

    it('garbage collection of an env that was never closed kills its processes', () => {
      const r = runScript('gc', ['--expose-gc']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n')[1] as string)).toEqual({ alive: [] });
    });

    it('SIGKILL of Node takes the servers with it', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, 'hang'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
      const pids = pidsOf(line);
      expect(pids.every(running)).toBe(true);
      child.kill('SIGKILL');
      expect(await waitUntil(() => !pids.some(running))).toBe(true);
    });
  });

  it('rxrl envs --gymnasium lists the registry as gymnasium: ids, without the ids Gymnasium keeps only to raise', async () => {
    const listed = listGymnasiumEnvs();
    const byId = new Map(listed.map((e) => [e.id, e]));
    expect(byId.get('gymnasium:CartPole-v1')).toEqual({ id: 'gymnasium:CartPole-v1', entryPoint: 'gymnasium.envs.classic_control.cartpole:CartPoleEnv', maxEpisodeSteps: 500, rewardThreshold: 475 });
    expect(byId.has('gymnasium:Hopper-v5')).toBe(true);
    expect(byId.has('gymnasium:Hopper-v3')).toBe(false); // mujoco-py only: its entry point just raises
    const out = (await runCliInProcess('envs', '--gymnasium')).out.split('\n');
    expect(out).toHaveLength(listed.length);
    expect(out.find((l) => l.startsWith('gymnasium:Pendulum-v1 '))).toMatch(/steps≤200$/);
    expect(() => listGymnasiumEnvs({ python: '/no/such/python' })).toThrow(GymnasiumSetupError);
  });

  it('rxrl doctor reports python, numpy, gymnasium, mujoco and the tfjs backend; --python overrides the discovery', async () => {
    const saved = process.env['RXRL_PYTHON'];
    const cli = async (...args: string[]) => (await runCliInProcess(...args)).out;
    try {
      const report = JSON.parse(await cli('doctor', '--json')) as { python: { ok: boolean; probe: Record<string, string | null> }; tfjs: { ok: boolean; backend: string }; networks: { kernels: string } };
      expect(report.python.ok).toBe(true);
      expect(report.python.probe['gymnasium']).toMatch(/^1\./);
      expect(report.python.probe['numpy']).toMatch(/^\d/);
      expect(Object.keys(report.python.probe)).toContain('mujoco');
      expect(report.tfjs.ok).toBe(true);
      const text = await cli('--python', '/nonexistent/python3', 'doctor');
      expect(text).toMatch(/python +not usable: \/nonexistent\/python3 \(from --python or \$RXRL_PYTHON\) does not exist/);
      expect(text).toMatch(/fix: run `npm run setup:bridge`/);
      expect(text).toMatch(/tfjs +\w+ \(@tensorflow/);
    } finally {
      if (saved === undefined) delete process.env['RXRL_PYTHON'];
      else process.env['RXRL_PYTHON'] = saved;
      process.exitCode = 0;
    }
  });

  it('PPO trains through the bridge (smoke: 4096 steps of gymnasium:CartPole-v1)', async () => {
    const run = train({ config: { algo: 'ppo', env: 'gymnasium:CartPole-v1', totalSteps: 4096, numEnvs: 4, nSteps: 256, evalEpisodes: 2, seed: 1 } });
    const episodes: number[] = [];
    let summary: { finalEval: { mean: number } | null } | undefined;
    run.events$.subscribe((e) => {
      if (e.type === 'episode') episodes.push(e.return);
      if (e.type === 'done') summary = e.summary;
    });
    await run.finished;
    expect(summary?.finalEval?.mean).toBeGreaterThan(0);
    expect(episodes.length).toBeGreaterThan(20);
  });

  it('a bridged run writes agent-only checkpoints that evaluate and resume with new episodes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-bridge-run-'));
    try {
      const config = { algo: 'ppo', env: 'gymnasium:CartPole-v1', totalSteps: 1024, numEnvs: 2, nSteps: 128, evalEpisodes: 0, checkpointEvery: 512, normalizeObservation: true, normalizeReward: true, seed: 3 } as const;
      const first = await runToEnd({ config, checkpointDir: path.join(dir, 'checkpoints') }, 512);
      expect(first.error).toBeUndefined();
      const cp = latestCheckpoint(dir);
      expect(cp.env).toBeNull();
      expect(cp.observationNormalizer?.obsRms.count).toBeGreaterThan(512);
      expect(cp.rewardNormalizer?.returnRms.count).toBeGreaterThan(512);
      const stoppedAt = cp.loop.step;
      expect(stoppedAt).toBeLessThan(1024);

      const resumed = await runToEnd({ resumeFrom: dir });
      expect(resumed.error).toBeUndefined();
      expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, exact: false, step: stoppedAt });
      expect(summaryOf(resumed.events).totalSteps).toBe(1024);
      const evaluated = await evaluateRun(dir, { episodes: 2, deterministic: true, seed: 5 });
      expect(evaluated.returns).toHaveLength(2);
      expect(evaluated.mean).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
