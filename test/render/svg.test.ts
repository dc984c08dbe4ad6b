import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { LocomotionEnv } from '../../src/envs/locomotion/locomotion-env.js';
import { locomotionTask } from '../../src/envs/locomotion/tasks.js';
import { loadMjcf, parseXml, type XmlElement } from '../../src/physics/index.js';
import { defaultView, geomRgbaFromMjcf, poseFromQpos, renderEpisodeSvg, renderFilmstripSvg, renderFrameSvg, RenderError, viewBasis, type PoseRecord } from '../../src/render/index.js';

/** A still world: a floor, sphere "a" at (3, 0, 0.5), red sphere "b" at (3.4, 0.2, 0.9), sphere "far" behind (y = 1), box "near" in front (y = −1). */
const PROBE = `<mujoco model="probe">
  <worldbody>
    <geom name="floor" type="plane" size="5 5 0.1" rgba="0.8 0.9 0.8 1"/>
    <body name="a" pos="3 0 0.5"><geom name="ga" type="sphere" size="0.1"/></body>
    <body name="b" pos="3.4 0.2 0.9"><geom name="gb" type="sphere" size="0.1" rgba="1 0 0 1"/></body>
    <body name="far" pos="3 1 0.5"><geom name="gfar" type="sphere" size="0.1"/></body>
    <body name="near" pos="3 -1 0.5"><geom name="gnear" type="box" size="0.1 0.1 0.1"/></body>
  </worldbody>
</mujoco>`;
const probe = loadMjcf(PROBE);
const probePose = poseFromQpos(probe, probe.qpos0);

/** Every element of a parsed document, depth first. */
const elements = (el: XmlElement): XmlElement[] => [el, ...el.children.flatMap(elements)];
const geomPaths = (svg: string): XmlElement[] => elements(parseXml(svg)).filter((e) => e.name === 'path' && e.attrs.get('class') === 'geom');
/** Centre of a circle drawn by shapePath: "M(cx + r) cy A r r ...". */
function circleCentre(el: XmlElement): [number, number] {
  const m = /^M([-\d.]+) ([-\d.]+)A([-\d.]+)/.exec(el.attrs.get('d') ?? '');
  if (m === null) throw new Error(`not a circle path: ${el.attrs.get('d')}`);
  return [Number(m[1]) - Number(m[3]), Number(m[2])];
}

describe('renderFrameSvg', () => {
  const hopperEnv = new LocomotionEnv(locomotionTask('rxrl/Hopper-v0'));
  hopperEnv.reset({ seed: 0 });
  const hopper = hopperEnv.core.model;

  it('writes a well-formed SVG with one shape per geom (the plane is the ground)', () => {
    const svg = renderFrameSvg(hopper, hopperEnv.render(), { width: 400, height: 300, label: 'a < b & c' });
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.get('width')).toBe('400');
    expect(root.attrs.get('viewBox')).toBe('0 0 400 300');
    const paths = geomPaths(svg);
    expect(paths).toHaveLength(hopper.ngeom - 1);
    expect(paths.map((p) => Number(p.attrs.get('data-geom'))).sort()).toEqual([1, 2, 3, 4]);
    expect(elements(root).filter((e) => e.attrs.get('class') === 'ground-line')).toHaveLength(1);
    expect(elements(root).find((e) => e.name === 'text')?.text).toBe('a < b & c');
  });

  it('projects a geom at a known world position to the expected pixel (side view)', () => {
    // Follow body "a" (x = 3) at the height halfway between the floor (0) and the top of the model (1.0).
    const svg = renderFrameSvg(probe, probePose, { width: 400, height: 300, scale: 100, follow: 'a' });
    const paths = geomPaths(svg);
    const b = paths.find((p) => p.attrs.get('data-geom') === '2') as XmlElement;
    const [x, y] = circleCentre(b);
    expect(x).toBeCloseTo(200 + 100 * (3.4 - 3), 1);
    expect(y).toBeCloseTo(150 - 100 * (0.9 - 0.5), 1);
    expect(b.attrs.get('fill')).toBe('rgb(204,153,102)'); // no colours given: the default tan
    const ground = elements(parseXml(svg)).find((e) => e.attrs.get('class') === 'ground-line');
    expect(ground?.attrs.get('d')).toBe('M0 200H400');
  });

  it('projects in the top view (x right, y up) and colours geoms from the MJCF', () => {
    const svg = renderFrameSvg(probe, probePose, { width: 400, height: 300, scale: 100, follow: 'a', view: 'top', geomRgba: geomRgbaFromMjcf(PROBE, probe) });
    const b = geomPaths(svg).find((p) => p.attrs.get('data-geom') === '2') as XmlElement;
    const [x, y] = circleCentre(b);
    // Centre: above body "a" (3, 0) at the model's mid-height; the view looks straight down.
    expect(x).toBeCloseTo(200 + 100 * 0.4, 1);
    expect(y).toBeCloseTo(150 - 100 * 0.2, 1);
    expect(b.attrs.get('fill')).toBe('rgb(255,0,0)');
  });

  it('draws geoms back to front', () => {
    const order = geomPaths(renderFrameSvg(probe, probePose, { follow: false })).map((p) => probe.geomNames[Number(p.attrs.get('data-geom'))]);
    expect(order[0]).toBe('gfar');
    expect(order.at(-1)).toBe('gnear');
    const basis = viewBasis('side');
    expect(basis.forward).toEqual([0, 1, 0]);
  });

  it('draws the ant from above-behind by default, with a ground grid and shadows', () => {
    const ant = new LocomotionEnv(locomotionTask('rxrl/Ant-v0'));
    ant.reset({ seed: 0 });
    const { model } = ant.core;
    expect(defaultView(model)).toBe('oblique');
    expect(defaultView(hopper)).toBe('side');
    const root = parseXml(renderFrameSvg(model, ant.render()));
    const classes = elements(root).map((e) => e.attrs.get('class'));
    expect(classes.filter((c) => c === 'geom')).toHaveLength(model.ngeom - 1);
    expect(classes).toContain('ground-grid');
    expect(classes).toContain('shadows');
    expect(renderFrameSvg(hopper, hopperEnv.render())).not.toContain('shadows');
  });

  it('refuses bad options and poses with clear errors', () => {
    const pose = hopperEnv.render();
    expect(() => renderFrameSvg(hopper, pose, { width: -1 })).toThrow(/width must be a finite number > 0, got -1/);
    expect(() => renderFrameSvg(hopper, pose, { view: 'diagonal' as 'side' })).toThrow(ConfigError);
    expect(() => renderFrameSvg(hopper, pose, { view: { azimuth: 0, elevation: 120 } })).toThrow(/elevation/);
    expect(() => renderFrameSvg(hopper, pose, { follow: 'tail' })).toThrow(/follow: no body "tail" in model "hopper" \(bodies: world, torso, thigh, leg, foot\)/);
    expect(() => renderFrameSvg(hopper, pose, { geomRgba: [1, 0, 0, 1] })).toThrow(/4 numbers per geom \(20 for model "hopper"\), got 4/);
    expect(() => renderFrameSvg(hopper, { ...pose, geoms: pose.geoms.slice(1) })).toThrow(RenderError);
  });
});

describe('renderEpisodeSvg', () => {
  const env = new LocomotionEnv(locomotionTask('rxrl/Walker2d-v0'));
  env.reset({ seed: 1 });
  const poses: PoseRecord[] = [env.render()];
  for (let t = 0; t < 9; t++) {
    env.step(new Float32Array(6).fill(0.2));
    poses.push(env.render());
  }
  const { model } = env.core;

  it('animates one frame group per pose, each shown for dt in a looping SMIL animation', () => {
    const svg = renderEpisodeSvg(model, poses, { dt: 0.008 });
    const root = parseXml(svg);
    const frames = root.children.filter((e) => e.name === 'g' && e.attrs.get('class') === 'frame');
    expect(frames).toHaveLength(10);
    expect(frames.map((f) => f.attrs.get('visibility'))).toEqual(['visible', ...Array<string>(9).fill('hidden')]);
    const anims = frames.map((f) => f.children[0] as XmlElement);
    expect(anims.every((a) => a.name === 'animate' && a.attrs.get('attributeName') === 'visibility' && a.attrs.get('dur') === '80ms' && a.attrs.get('repeatCount') === 'indefinite')).toBe(true);
    expect(anims[0]?.attrs.get('values')).toBe('visible;hidden');
    expect(anims[0]?.attrs.get('keyTimes')).toBe('0;0.1');
    expect(anims[3]?.attrs.get('values')).toBe('hidden;visible;hidden');
    expect(anims[3]?.attrs.get('keyTimes')).toBe('0;0.3;0.4');
    expect(anims[9]?.attrs.get('values')).toBe('hidden;visible');
    for (const f of frames) expect(elements(f).filter((e) => e.attrs.get('class') === 'geom')).toHaveLength(model.ngeom - 1);
    expect(elements(frames[5] as XmlElement).find((e) => e.name === 'text')?.text).toBe('t = 0.040 s');
  });

  it('keeps every k-th pose and can play once', () => {
    const svg = renderEpisodeSvg(model, poses, { dt: 0.008, every: 3, loop: false, timeLabel: false });
    const frames = parseXml(svg).children.filter((e) => e.name === 'g');
    expect(frames).toHaveLength(4);
    expect(frames[0]?.children[0]?.attrs.get('dur')).toBe('96ms');
    expect(frames[0]?.children[0]?.attrs.get('fill')).toBe('freeze');
    expect(svg).not.toContain('<text');
  });

  it('refuses a missing dt, a bad every and an empty episode', () => {
    expect(() => renderEpisodeSvg(model, poses, { dt: 0 })).toThrow(/dt \(seconds per pose\) must be a finite number > 0/);
    expect(() => renderEpisodeSvg(model, poses, { dt: 0.008, every: 0 })).toThrow(/every must be a positive integer/);
    expect(() => renderEpisodeSvg(model, [], { dt: 0.008 })).toThrow(RenderError);
  });

  it('filmstrips lay out panels spread over the episode', () => {
    const svg = renderFilmstripSvg(model, poses, { frames: 4, dt: 0.008, panelWidth: 100, panelHeight: 150, gap: 2 });
    const root = parseXml(svg);
    const panels = root.children.filter((e) => e.name === 'svg');
    expect(panels).toHaveLength(4);
    expect(root.attrs.get('width')).toBe(String(4 * 102 + 2));
    expect(panels.map((p) => elements(p).find((e) => e.name === 'text')?.text)).toEqual(['t = 0.000 s', 't = 0.024 s', 't = 0.048 s', 't = 0.072 s']);
    const grid = parseXml(renderFilmstripSvg(model, poses, { every: 2, columns: 3 }));
    expect(grid.children.filter((e) => e.name === 'svg')).toHaveLength(5);
    expect(grid.attrs.get('height')).toBe(String(2 * 304 + 4));
  });
});
