import { describe, expect, it } from 'vitest';
import { LocomotionEnv } from '../../src/envs/locomotion/locomotion-env.js';
import { locomotionTask } from '../../src/envs/locomotion/tasks.js';
import { renderFilmstripPng, renderFrameSvg, svgToPng } from '../../src/render/index.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Buffer): [number, number] => [png.readUInt32BE(16), png.readUInt32BE(20)];

describe('PNG output', () => {
  const env = new LocomotionEnv(locomotionTask('rxrl/HalfCheetah-v0'));
  env.reset({ seed: 2 });
  const { model } = env.core;

  it('svgToPng rasterises a frame at the requested width, keeping the aspect ratio', async () => {
    const svg = renderFrameSvg(model, env.render(), { width: 480, height: 320 });
    const png = await svgToPng(svg, 240);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual([240, 160]);
    expect(pngSize(await svgToPng(svg, { zoom: 2 }))).toEqual([960, 640]);
    await expect(svgToPng(svg, 0)).rejects.toThrow(/width must be a positive integer, got 0/);
  });

  it('renderFilmstripPng puts the panels side by side at the requested width', async () => {
    const poses = [env.render()];
    for (let t = 0; t < 5; t++) {
      env.step(new Float32Array(6).fill(-0.5));
      poses.push(env.render());
    }
    const png = await renderFilmstripPng(model, poses, { every: 2, width: 600, panelWidth: 200, panelHeight: 150, gap: 0 });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // 3 panels of 200 × 150 px.
    expect(pngSize(png)).toEqual([600, 150]);
  });
});
