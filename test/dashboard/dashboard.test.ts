import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { classicScene } from '../../src/dashboard/scene.js';
import { CurveReducer } from '../../src/dashboard/series.js';
import { startDashboard } from '../../src/dashboard/server.js';
import type { TrainEvent } from '../../src/loop/events.js';

const CLI = fileURLToPath(new URL('../helpers/rxrl-cli.ts', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-output/dashboard.png', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const root = mkdtempSync(path.join(tmpdir(), 'rxrl-dashboard-'));
const children: ChildProcess[] = [];
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const update = (step: number, loss: number): TrainEvent => ({ type: 'update', step, iteration: step / 8, metrics: { policyLoss: loss, valueLoss: 1, entropy: 0.6, approxKl: 0.01, clipFraction: 0.1, explainedVariance: 0.5, gradNorm: 1, learningRate: 3e-4, clipRange: 0.2, epochs: 10, seconds: 0.01 } });

/** A finished run folder with a few updates and an evaluation, as `rxrl train` writes them. */
function fakeRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const events: TrainEvent[] = [
    { type: 'episode', step: 8, return: 10, length: 10, envIndex: 0 },
    update(8, 0.5),
    { type: 'episode', step: 16, return: 30, length: 30, envIndex: 0 },
    update(16, Number.NaN),
    { type: 'eval', step: 16, result: { mean: 42, std: 0, episodes: 1, returns: [42] } },
  ];
  writeFileSync(path.join(dir, 'metrics.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ algo: 'ppo', env: 'CartPole-v1', seed: 3 }));
}

/** A raw HTTP GET (so the Host header can be anything); resolves with the status code. */
function get(url: string, options: { host?: string; method?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: options.method ?? 'GET', headers: options.host !== undefined ? { host: options.host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts `rxrl ARGS` from the sources; resolves with the process and the URL it prints. */
async function startCli(...args: string[]): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (c: Buffer) => void (log += c.toString()));
  const t0 = Date.now();
  for (;;) {
    const m = /dashboard[^\n]* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
    if (m !== null) return { child, url: m[1] as string, log: () => log };
    if (child.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`no dashboard URL: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exits = (child: ChildProcess, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  return browser;
}

describe('dashboard', () => {
  it('turns events into curve points: the recent-episode mean at each update, evaluations, no NaN', () => {
    const reducer = new CurveReducer();
    const points = [{ type: 'episode', step: 8, return: 10, length: 10, envIndex: 0 } as TrainEvent, update(8, 0.5), { type: 'episode', step: 16, return: 30, length: 30, envIndex: 0 } as TrainEvent, update(16, Number.NaN)].map((e) => reducer.push(e)).filter((p) => p !== null);
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ step: 8, values: { return: 10, policyLoss: 0.5 } });
    expect(points[1]?.values.return).toBe(20);
    expect('policyLoss' in (points[1]?.values ?? {})).toBe(false);
    expect(classicScene('CartPoleNoVel-v1', [0.5, 0.1])).toEqual({ kind: 'cartpole', x: 0.5, theta: 0.1 });
    expect(classicScene('Pendulum-v1', [0, 1, 0])).toEqual({ kind: 'pendulum', theta: Math.PI / 2 });
    expect(classicScene('rxrl/KeyDoor-v0', [0])).toBeNull();
  });

  it('answers GET from its own host only, and nothing outside the runs it lists', async () => {
    const runs = path.join(root, 'security');
    fakeRun(path.join(runs, 'ppo-a'));
    const d = await startDashboard({ runsDir: runs });
    try {
      expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(`${d.url}api/runs`);
      expect(await res.json()).toEqual([{ id: 'ppo-a', live: false, ended: true, algo: 'ppo', env: 'CartPole-v1', seed: 3 }]);
      expect(await (await fetch(`${d.url}api/runs/ppo-a/config`)).json()).toMatchObject({ algo: 'ppo' });
      expect(await get(`${d.url}api/runs`, { host: 'evil.example:80' })).toBe(403);
      expect(await get(`${d.url}api/runs`, { method: 'POST' })).toBe(405);
      for (const bad of ['api/runs/..%2F..%2Fetc/config', 'api/runs/nope/config', 'api/runs/ppo-a/metrics.jsonl', '../package.json', 'app.ts']) expect(await get(`${d.url}${bad}`), bad).toBe(404);
    } finally {
      await d.close();
    }
  });

  it('shows a training run live in Chromium: curves fill, the env is drawn, a finished run sits beside it; stopping the run leaves nothing behind', async () => {
    const runs = path.join(root, 'runs');
    fakeRun(path.join(runs, 'ppo-earlier'));
    const { child, url, log } = await startCli('train', '--algo', 'ppo', '--env', 'CartPole-v1', '--steps', '2000000', '--out', path.join(runs, 'ppo-live'), '--dashboard', '--quiet');
    const page = await (await launch()).newPage({ viewport: { width: 1400, height: 1100 } });
    await page.goto(url);
    // (Page-side code as strings: this file is type-checked without the DOM's types.)
    await page.waitForFunction(`Number(document.querySelector('.chart[data-curve="return"]')?.dataset.points ?? 0) >= 3`, undefined, { timeout: 60_000 });
    await page.waitForFunction(`Number(document.getElementById('scene').dataset.frames) >= 10`, undefined, { timeout: 60_000 });
    expect(await page.locator('.chart').count()).toBe(7);
    expect(await page.locator('#runs li').allTextContents()).toEqual(['ppo-livelive', 'ppo-earlier']);
    expect(await page.locator('#config').textContent()).toContain('"algo": "ppo"');
    // The canvas shows something: not one flat colour.
    const distinct = (await page.evaluate(`(() => {
      const c = document.getElementById('scene');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < px.length; i += 4 * 97) seen.add(px.slice(i, i + 4).join(','));
      return seen.size;
    })()`)) as number;
    expect(distinct).toBeGreaterThan(1);
    // Selecting the finished run adds it to the charts.
    await page.locator('#runs input[data-run="ppo-earlier"]').check();
    await page.waitForFunction(`document.querySelectorAll('.chart[data-curve="evalReturn"] .u-legend .u-series').length >= 3`, undefined, { timeout: 10_000 });
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();

    child.kill('SIGINT');
    expect(await exits(child, 30_000), log()).toBe(true);
    expect(child.exitCode).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  }, 180_000);

  it('draws a text task live: GRPO on KeyDoor, its grid in text on the canvas', async () => {
    const { child, url, log } = await startCli('train', '--algo', 'grpo', '--env', 'rxrl/KeyDoor-v0', '--steps', '2000000', '--out', path.join(root, 'runs-text', 'grpo-live'), '--dashboard', '--quiet');
    const page = await (await launch()).newPage({ viewport: { width: 1400, height: 1100 } });
    await page.goto(url);
    await page.waitForFunction(`Number(document.getElementById('scene').dataset.frames) >= 5`, undefined, { timeout: 90_000 });
    expect(await page.locator('#scene-note').textContent()).toBe('');
    // Dark glyphs on the canvas's clear background: more than one colour.
    const inked = (await page.evaluate(`(() => {
      const c = document.getElementById('scene');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    })()`)) as number;
    expect(inked).toBeGreaterThan(500);
    await page.close();
    child.kill('SIGINT');
    expect(await exits(child, 30_000), log()).toBe(true);
  }, 180_000);

  it('rxrl dashboard DIR stops a few seconds after its last page closes', async () => {
    const runs = path.join(root, 'runs-idle');
    fakeRun(path.join(runs, 'ppo-done'));
    const { child, url } = await startCli('dashboard', runs);
    const page = await (await launch()).newPage();
    await page.goto(url);
    await page.waitForFunction(`Number(document.querySelector('.chart[data-curve="evalReturn"]')?.dataset.points ?? 0) >= 1`, undefined, { timeout: 30_000 });
    expect(await page.locator('#scene-note').textContent()).toMatch(/No run is training/);
    await page.close();
    expect(await exits(child, 20_000)).toBe(true);
    await expect(fetch(url)).rejects.toThrow();
  }, 60_000);
});
