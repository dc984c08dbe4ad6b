import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../src/physics/index.js';
import { runCliInProcess as runCli } from '../helpers/cli.js';
import { TempDirs } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-render-');
afterAll(() => dirs.removeAll());
const isPng = (file: string): boolean => readFileSync(file).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
const frameCount = (file: string): number => parseXml(readFileSync(file, 'utf8')).children.filter((e) => e.name === 'g' && e.attrs.get('class') === 'frame').length;

describe('rxrl render', () => {
  it('rolls out random actions and writes the animated SVG, a still and a filmstrip', async () => {
    const dir = dirs.make();
    const [svg, png, strip] = ['gait.svg', 'still.png', path.join('sub', 'strip.png')].map((f) => path.join(dir, f)) as [string, string, string];
    const r = await runCli('render', '--env', 'rxrl/Hopper-v0', '--steps', '30', '--seed', '4', '--no-terminate', '--out', svg, '--png', png, '--filmstrip', strip, '--frames', '3', '--width', '300');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rxrl\/Hopper-v0: 30 steps with random actions, ended by steps, return -?\d+\.\d\d/);
    expect(r.out).toContain(`wrote ${svg} (animated SVG, 31 frames over 0.25 s)`);
    expect(frameCount(svg)).toBe(31);
    for (const f of [png, strip]) expect(isPng(f), f).toBe(true);
    expect(readFileSync(png).readUInt32BE(16)).toBe(300);
  });

  it('acts with a trained run\'s policy', async () => {
    const dir = dirs.make();
    const run = path.join(dir, 'run');
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ numEnvs: 1, nSteps: 32, batchSize: 32, nEpochs: 1 }));
    const t = await runCli('train', '--algo', 'ppo', '--env', 'rxrl/Hopper-v0', '--steps', '32', '--config', config, '--out', run, '--quiet');
    expect(t.code).toBe(0);
    const svg = path.join(dir, 'policy.svg');
    const r = await runCli('render', '--run', run, '--steps', '5', '--out', svg);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`with the policy of ${run} (deterministic)`);
    expect(existsSync(svg)).toBe(true);
    const mismatch = await runCli('render', '--run', run, '--env', 'rxrl/Ant-v0', '--out', svg);
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(/--env rxrl\/Ant-v0 does not match the run's env rxrl\/Hopper-v0/);
  });

  it('refuses envs without poses and commands without an output, with exit code 1', async () => {
    const dir = dirs.make();
    const cartpole = await runCli('render', '--env', 'CartPole-v1', '--out', path.join(dir, 'x.svg'));
    expect(cartpole.code).toBe(1);
    expect(cartpole.err).toMatch(/CartPole-v1 has no body poses to render/);
    const nothing = await runCli('render', '--env', 'rxrl/Hopper-v0');
    expect(nothing.code).toBe(1);
    expect(nothing.err).toMatch(/nothing to write; give --out FILE\.svg/);
    const noEnv = await runCli('render', '--out', path.join(dir, 'x.svg'));
    expect(noEnv.err).toMatch(/give --env ID .* or --run DIR/);
    expect(existsSync(path.join(dir, 'x.svg'))).toBe(false);
  });
});
