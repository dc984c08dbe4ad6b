import { describe, expect, it } from 'vitest';
import { LocomotionEnv, LocomotionVectorEnv } from '../../src/envs/locomotion/locomotion-env.js';
import { locomotionAssetPath, locomotionTask } from '../../src/envs/locomotion/tasks.js';
import { geomPoses, kinematics, PhysicsData } from '../../src/physics/index.js';
import { checkPose, geomRgbaFromMjcfFile, poseFromQpos, RenderError, type PoseRecord } from '../../src/render/index.js';

const hopper = locomotionTask('rxrl/Hopper-v0');

/** Body and geom world poses of one state, computed with the physics stages on a fresh PhysicsData. */
function reference(env: LocomotionEnv): PhysicsData {
  const { model } = env.core;
  const data = new PhysicsData(model, 1);
  data.setQpos(0, env.getPhysicalState());
  kinematics(model, 1, data);
  geomPoses(model, 1, data);
  return data;
}

describe('render(): pose records', () => {
  it('LocomotionEnv.render() matches the physics buffers of its current state, as plain copied arrays', () => {
    const env = new LocomotionEnv(hopper);
    env.reset({ seed: 3 });
    for (let t = 0; t < 20; t++) env.step(Float32Array.of(0.5, -0.3, 0.8));
    const { model } = env.core;
    const xposBefore = env.core.data.xpos.slice();
    const pose = env.render();
    // Rendering reads qpos only: the batch's pose buffers (the backward pass's input) are untouched.
    expect(env.core.data.xpos).toEqual(xposBefore);
    const ref = reference(env);
    expect(pose.model).toBe(model.name);
    expect(pose.bodies.map((b) => b.name)).toEqual(model.bodyNames);
    expect(pose.geoms.map((g) => g.name)).toEqual(model.geomNames);
    pose.bodies.forEach((b, i) => {
      expect(b.pos).toEqual(Array.from(ref.xpos.subarray(3 * i, 3 * i + 3)));
      expect(b.quat).toEqual(Array.from(ref.xquat.subarray(4 * i, 4 * i + 4)));
    });
    pose.geoms.forEach((g, i) => {
      expect(g.pos).toEqual(Array.from(ref.geomXpos.subarray(3 * i, 3 * i + 3)));
      expect(g.mat).toEqual(Array.from(ref.geomXmat.subarray(9 * i, 9 * i + 9)));
    });
    // Plain data: survives JSON, and later steps do not change it.
    const json = JSON.stringify(pose);
    expect(JSON.stringify(JSON.parse(json) as PoseRecord)).toBe(json);
    expect(pose.geoms.every((g) => Array.isArray(g.pos) && Array.isArray(g.mat))).toBe(true);
    const copy = structuredClone(pose);
    env.step(Float32Array.of(1, 1, 1));
    expect(pose).toEqual(copy);
  });

  it('the hopper at its reference pose stands where its XML puts it', () => {
    const env = new LocomotionEnv(hopper, { resetNoiseScale: 0 });
    env.reset({ seed: 0 });
    const pose = env.render();
    const torso = pose.geoms[env.core.model.geomNames.indexOf('torso_geom')];
    expect(torso?.pos[0]).toBeCloseTo(0, 12);
    expect(torso?.pos[2]).toBeCloseTo(1.25, 12);
    expect(torso?.mat).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('LocomotionVectorEnv.render(i) is world i; bad indices are refused', () => {
    const venv = new LocomotionVectorEnv(locomotionTask('rxrl/Ant-v0'), 3);
    venv.reset({ seed: 1 });
    venv.step(new Float32Array(3 * 8).fill(0.3));
    const { model, data } = venv.core;
    for (let i = 0; i < 3; i++) expect(venv.render(i)).toEqual(poseFromQpos(model, data.gather(data.qpos, model.nq, i)));
    expect(venv.render(1)).not.toEqual(venv.render(2));
    expect(() => venv.render(3)).toThrow(/copy index must be an integer in \[0, 3\)/);
    expect(() => venv.render(0.5)).toThrow(RangeError);
  });

  it('poseFromQpos and checkPose refuse input that does not fit the model', () => {
    const { model } = new LocomotionEnv(hopper).core;
    expect(() => poseFromQpos(model, [0, 1])).toThrow(RenderError);
    expect(() => poseFromQpos(model, new Float64Array(model.nq).fill(Number.NaN))).toThrow(/qpos\[0\] is NaN/);
    const pose = poseFromQpos(model, model.qpos0);
    expect(() => checkPose(model, pose)).not.toThrow();
    const walker = new LocomotionEnv(locomotionTask('rxrl/Walker2d-v0')).core.model;
    expect(() => checkPose(walker, pose)).toThrow(/has 5 bodies and 5 geoms, model "walker2d" has 8 and 8/);
    const broken = { ...pose, geoms: pose.geoms.map((g, i) => (i === 2 ? { ...g, mat: [1, 0, 0] } : g)) } as unknown as PoseRecord;
    expect(() => checkPose(model, broken)).toThrow(/geom 2 "thigh_geom" needs a finite pos \[3\] and mat \[9\]/);
  });

  it('geom colours come from the MJCF file, through its default classes', () => {
    const walker = new LocomotionEnv(locomotionTask('rxrl/Walker2d-v0')).core.model;
    const rgba = geomRgbaFromMjcfFile(locomotionAssetPath('walker2d.xml'), walker);
    const colour = (name: string): number[] => Array.from(rgba.subarray(4 * walker.geomNames.indexOf(name), 4 * walker.geomNames.indexOf(name) + 4));
    expect(colour('floor')).toEqual([0.8, 0.9, 0.8, 1]);
    expect(colour('thigh_geom')).toEqual([0.8, 0.6, 0.4, 1]); // the default class
    expect(colour('leg_left_geom')).toEqual([0.7, 0.3, 0.6, 1]); // its own rgba
    const hopperModel = new LocomotionEnv(hopper).core.model;
    expect(() => geomRgbaFromMjcfFile(locomotionAssetPath('walker2d.xml'), hopperModel)).toThrow(/has 8 geoms, model "hopper" has 5: not the model's MJCF file/);
  });
});
