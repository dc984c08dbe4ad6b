/**
 * Training speed with the dashboard open against without it (docs/dashboard.md).
 *
 *   npm run bench:dashboard [-- --env CartPole-v1 --steps 200000 --repeats 3]
 *
 * Alternates runs of `rxrl train --algo ppo` without and with `--dashboard` and a Chromium page
 * (Debian's, driven by playwright-core) watching it the whole time — curves and the live
 * picture — and prints each run's env steps per second (from its summary), the medians and
 * their ratio. Needs a built CLI (npm run build).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';

const { values } = parseArgs({ options: { env: { type: 'string', default: 'CartPole-v1' }, steps: { type: 'string', default: '200000' }, repeats: { type: 'string', default: '3' } } });
const root = mkdtempSync(path.join(tmpdir(), 'rxrl-bench-dashboard-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });

/** One run; with the dashboard, a page watches it from the moment it is served. Returns steps/s. */
async function run(dashboard: boolean, k: number): Promise<number> {
  const out = path.join(root, `${dashboard ? 'with' : 'without'}-${k}`);
  const child = spawn(process.execPath, ['bin/rxrl.js', 'train', '--algo', 'ppo', '--env', values.env, '--steps', values.steps, '--seed', '0', '--quiet', '--out', out, ...(dashboard ? ['--dashboard'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  let opened: Promise<Page> | undefined;
  child.stderr.on('data', (c: Buffer) => {
    log += c.toString();
    const m = /dashboard at (\S+)/.exec(log);
    if (m !== null && opened === undefined)
      opened = browser.newPage().then(async (p) => {
        await p.goto(m[1] as string);
        return p;
      });
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`run failed: ${log}`);
  const page = opened !== undefined ? await opened : undefined;
  if (dashboard && page === undefined) throw new Error(`the dashboard never opened: ${log}`);
  await page?.close();
  return (JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { stepsPerSecond: number }).stepsPerSecond;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
try {
  const without: number[] = [];
  const withPage: number[] = [];
  for (let k = 0; k < Number(values.repeats); k++) {
    without.push(await run(false, k));
    withPage.push(await run(true, k));
    console.log(`repeat ${k}: without ${without.at(-1)?.toFixed(0)} steps/s, with the dashboard open ${withPage.at(-1)?.toFixed(0)} steps/s`);
  }
  const ratio = median(withPage) / median(without);
  console.log(`PPO on ${values.env}, ${values.steps} steps: median ${median(without).toFixed(0)} steps/s without, ${median(withPage).toFixed(0)} with the dashboard open: ${((1 - ratio) * 100).toFixed(1)}% slower`);
} finally {
  await browser.close();
  rmSync(root, { recursive: true, force: true });
}
