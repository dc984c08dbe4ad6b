/**
 * The locomotion envs (rxrl/Hopper-v0, Walker2d-v0, HalfCheetah-v0, Ant-v0): registration,
 * Gymnasium v5 layouts, rewards and termination rules, reset noise, time limits, and the
 * native vector env agreeing with the single env copy by copy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  checkEnv,
  copySeed,
  LOCOMOTION_TASKS,
  locomotionAssetPath,
  LocomotionEnv,
  LocomotionVectorEnv,
  locomotionTask,
  make,
  registration,
  type VectorEnv,
} from '../../src/envs/index.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');
const IDS = ['rxrl/Hopper-v0', 'rxrl/Walker2d-v0', 'rxrl/HalfCheetah-v0', 'rxrl/Ant-v0'] as const;

/** Observation size, action size, nq, nv of each task (Gymnasium v5 defaults; ant without cfrc_ext). */
const LAYOUT: Record<(typeof IDS)[number], [number, number, number, number]> = {
  'rxrl/Hopper-v0': [11, 3, 6, 6],
  'rxrl/Walker2d-v0': [17, 6, 9, 9],
  'rxrl/HalfCheetah-v0': [17, 6, 9, 9],
  'rxrl/Ant-v0': [27, 8, 15, 14],
};

const single = (id: string, kwargs: Record<string, unknown> = {}): LocomotionEnv => new LocomotionEnv(locomotionTask(id), kwargs);

describe('registration', () => {
  it('registers the four tasks with a 1000-step limit and Gymnasium\'s reward thresholds, and ships the fixture models', () => {
    const thresholds = { 'rxrl/Hopper-v0': 3800, 'rxrl/Walker2d-v0': undefined, 'rxrl/HalfCheetah-v0': 4800, 'rxrl/Ant-v0': 6000 };
    for (const id of IDS) {
      const reg = registration(id);
      expect(reg.maxEpisodeSteps).toBe(1000);
      expect(reg.rewardThreshold).toBe(thresholds[id]);
      expect(reg.vectorEntryPoint).toBeDefined();
    }
    for (const task of LOCOMOTION_TASKS) {
      expect(readFileSync(locomotionAssetPath(task.asset), 'utf8')).toBe(readFileSync(path.join(FIXTURES, task.asset), 'utf8'));
    }
    expect(() => make('rxrl/HalfCheetah-v0', { healthyReward: 1 })).toThrow(/unknown keyword argument "healthyReward"/);
    expect(() => make('rxrl/Hopper-v0', { frameSkip: 0 })).toThrow(/frameSkip/);
  });

  it('registers POMDP variants with the velocities hidden: rxrl/HopperNoVel-v0 observes the joint positions only', async () => {
    for (const id of IDS) {
      const [obsSize, , , nv] = LAYOUT[id];
      const noVel = id.replace('-v0', 'NoVel-v0');
      const full = make(id, { numEnvs: 2 }) as VectorEnv;
      const masked = make(noVel, { numEnvs: 2 }) as VectorEnv;
      expect(masked.observationSize).toBe(obsSize - nv);
      const a = await full.reset({ seed: 5 });
      const b = await masked.reset({ seed: 5 });
      for (let i = 0; i < 2; i++) expect(Array.from(b.observations.subarray(i * (obsSize - nv), (i + 1) * (obsSize - nv)))).toEqual(Array.from(a.observations.subarray(i * obsSize, i * obsSize + obsSize - nv)));
      expect((await checkEnv(make(noVel), { steps: 20 })).problems).toEqual([]);
    }
  });

  for (const id of IDS) {
    it(`passes checkEnv: ${id}`, async () => {
      const report = await checkEnv(make(id), { steps: 50 });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });
  }
});

describe('layouts', () => {
  it('have Gymnasium v5\'s observation and action sizes, x (and y) excluded by default', () => {
    for (const id of IDS) {
      const [obs, act, nq, nv] = LAYOUT[id];
      const env = single(id);
      expect([env.observationSpace.flatDim, env.actionSpace.flatDim, env.core.model.nq, env.core.model.nv]).toEqual([obs, act, nq, nv]);
      expect(Array.from(env.actionSpace.low).every((x) => x === -1) && Array.from(env.actionSpace.high).every((x) => x === 1)).toBe(true);
      const full = single(id, { excludeCurrentPositionsFromObservation: false });
      expect(full.observationSpace.flatDim).toBe(nq + nv);
      // The observation is qpos[skip:], then qvel (clipped to ±10 for hopper and walker).
      const { observation } = full.reset({ seed: 3 });
      const state = full.getPhysicalState();
      const clip = id === 'rxrl/Hopper-v0' || id === 'rxrl/Walker2d-v0' ? 10 : Infinity;
      expect(Array.from(observation)).toEqual(Array.from(state, (x, i) => Math.fround(i >= nq ? Math.min(Math.max(x, -clip), clip) : x)));
      const { observation: o2 } = env.reset({ seed: 3 });
      expect(Array.from(o2)).toEqual(Array.from(observation).slice(obs === 27 ? 2 : 1));
    }
    // Velocities in the observation are clipped for the hopper, not for the cheetah.
    const hop = single('rxrl/Hopper-v0');
    const big = [0, 1.25, 0, 0, 0, 0, 50, -50, 3, 0, 0, 0];
    expect(Array.from(hop.reset({ options: { state: big } }).observation.slice(5))).toEqual([10, -10, 3, 0, 0, 0]);
  });
});

describe('reset noise', () => {
  it('is uniform ±5e-3 on qpos and qvel for hopper and walker, U±0.1 on qpos and 0.1·N(0, 1) on qvel for cheetah and ant', () => {
    for (const id of IDS) {
      const venv = new LocomotionVectorEnv(locomotionTask(id), 400);
      venv.reset({ seed: 11 });
      const { model, data } = venv.core;
      const B = 400;
      const scale = id === 'rxrl/Hopper-v0' || id === 'rxrl/Walker2d-v0' ? 5e-3 : 0.1;
      let maxPos = 0;
      let maxVel = 0;
      let sumSq = 0;
      for (let w = 0; w < B; w++) {
        for (let i = 0; i < model.nq; i++) maxPos = Math.max(maxPos, Math.abs((data.qpos[i * B + w] as number) - (model.qpos0[i] as number)));
        for (let i = 0; i < model.nv; i++) {
          const v = data.qvel[i * B + w] as number;
          maxVel = Math.max(maxVel, Math.abs(v));
          sumSq += v * v;
        }
      }
      expect(maxPos).toBeLessThanOrEqual(scale);
      expect(maxPos).toBeGreaterThan(0.95 * scale);
      const std = Math.sqrt(sumSq / (B * model.nv));
      if (scale === 5e-3) {
        expect(maxVel).toBeLessThanOrEqual(scale);
        expect(std).toBeCloseTo(scale / Math.sqrt(3), 3); // uniform: σ = c/√3
      } else {
        expect(maxVel).toBeGreaterThan(2.5 * scale); // normal tails
        expect(Math.abs(std / scale - 1)).toBeLessThan(0.05);
      }
    }
  });
});

describe('rewards and termination', () => {
  it('pay w_f·Δx/dt + healthy − w_c·‖a‖² with the action as given (clamped only by the model)', () => {
    for (const id of IDS) {
      const env = single(id);
      env.reset({ seed: 5 });
      const task = locomotionTask(id);
      const dt = task.frameSkip * 0.002;
      const rng = new Rng(`reward/${id}`);
      for (let t = 0; t < 20; t++) {
        const action = Float32Array.from({ length: env.actionSpace.flatDim }, () => rng.uniformRange(-1.5, 1.5));
        const x0 = env.getPhysicalState()[0] as number;
        const r = env.step(action);
        const x1 = env.getPhysicalState()[0] as number;
        const ctrl = action.reduce((s, a) => s + a * a, 0) * task.ctrlCostWeight;
        const healthy = task.healthy === null || r.info['reward_survive'] === 1 ? task.healthyReward : 0;
        expect(r.reward).toBeCloseTo((x1 - x0) / dt + healthy - ctrl, 10);
        expect(r.info['x_velocity']).toBeCloseTo((x1 - x0) / dt, 10);
        expect(r.info['reward_ctrl']).toBeCloseTo(-ctrl, 12);
        if (r.terminated) break;
      }
    }
  });

  it('terminate when unhealthy, with Gymnasium v5\'s health rules', () => {
    const healthy = (id: string, state: number[]): boolean => {
      const env = single(id);
      env.reset({ options: { state } });
      return env.core.isHealthy(0);
    };
    const hop = (z: number, angle: number): number[] => [0, z, angle, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(healthy('rxrl/Hopper-v0', hop(1.25, 0))).toBe(true);
    expect(healthy('rxrl/Hopper-v0', hop(0.7, 0))).toBe(false); // z > 0.7
    expect(healthy('rxrl/Hopper-v0', hop(1.25, 0.2))).toBe(false); // |θ| < 0.2
    expect(healthy('rxrl/Hopper-v0', hop(1.25, -0.19))).toBe(true);
    // state_vector()[2:] = (qpos[2:], q̇) inside (−100, 100); x itself is free.
    expect(healthy('rxrl/Hopper-v0', [0, 1.25, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0])).toBe(false);
    expect(healthy('rxrl/Hopper-v0', [0, 1.25, 0, 0, 0, 0, 150, 0, 0, 0, 0, 0])).toBe(false);
    expect(healthy('rxrl/Hopper-v0', [150, 1.25, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0])).toBe(true);
    const walker = (z: number, angle: number): number[] => [0, z, angle, ...new Array<number>(15).fill(0)];
    expect(healthy('rxrl/Walker2d-v0', walker(1.25, 0))).toBe(true);
    expect(healthy('rxrl/Walker2d-v0', walker(0.8, 0))).toBe(false); // 0.8 < z < 2
    expect(healthy('rxrl/Walker2d-v0', walker(2, 0))).toBe(false);
    expect(healthy('rxrl/Walker2d-v0', walker(1.25, -1))).toBe(false); // −1 < θ < 1
    const ant = (z: number): number[] => [0, 0, z, 1, 0, 0, 0, 0, 0.7, 0, -0.7, 0, -0.7, 0, 0.7, ...new Array<number>(14).fill(0)];
    expect(healthy('rxrl/Ant-v0', ant(0.75))).toBe(true);
    expect(healthy('rxrl/Ant-v0', ant(0.2))).toBe(true); // 0.2 ≤ z ≤ 1, inclusive
    expect(healthy('rxrl/Ant-v0', ant(1))).toBe(true);
    expect(healthy('rxrl/Ant-v0', ant(0.19))).toBe(false);
    expect(healthy('rxrl/Ant-v0', ant(1.01))).toBe(false);
    // Through step(): an unhealthy hopper (tilted 0.3 rad) terminates and earns no survival reward.
    const step1 = (kwargs: Record<string, unknown>): { terminated: boolean; survive: unknown } => {
      const env = single('rxrl/Hopper-v0', kwargs);
      env.reset({ options: { state: hop(1.25, 0.3) } });
      const r = env.step(new Float32Array(3));
      return { terminated: r.terminated, survive: r.info['reward_survive'] };
    };
    expect(step1({})).toEqual({ terminated: true, survive: 0 });
    expect(step1({ terminateWhenUnhealthy: false })).toEqual({ terminated: false, survive: 0 });
    // The half-cheetah never terminates, even upside down.
    const cheetah = single('rxrl/HalfCheetah-v0');
    cheetah.reset({ options: { state: [0, 0.5, Math.PI, ...new Array<number>(15).fill(0)] } });
    for (let t = 0; t < 20; t++) expect(cheetah.step(new Float32Array(6)).terminated).toBe(false);
  });

  it('truncate at 1000 steps through make(): TimeLimit for the single env, the vector env itself', () => {
    const env = make('rxrl/HalfCheetah-v0');
    void env.reset({ seed: 0 });
    let steps = 0;
    for (;;) {
      const r = env.step(new Float32Array(6)) as { truncated: boolean; terminated: boolean };
      steps++;
      if (r.truncated || r.terminated) {
        expect(r.truncated).toBe(true);
        break;
      }
    }
    expect(steps).toBe(1000);
    const venv = make('rxrl/HalfCheetah-v0', { numEnvs: 2, maxEpisodeSteps: 3 }) as VectorEnv;
    void venv.reset({ seed: 0 });
    const zero = new Float32Array(12);
    venv.step(zero);
    venv.step(zero);
    const r = venv.step(zero) as { truncated: Uint8Array; finalInfos: readonly unknown[]; observations: Float32Array; finalObservations: Float32Array };
    expect(Array.from(r.truncated)).toEqual([1, 1]);
    expect(r.finalInfos[0]).toBeDefined();
    expect(Array.from(r.observations)).not.toEqual(Array.from(r.finalObservations));
  });
});

describe('the native vector env', () => {
  it('runs copy i exactly like a single env seeded with copySeed(seed, i), across auto-resets', () => {
    for (const id of IDS) {
      const n = 3;
      const venv = new LocomotionVectorEnv(locomotionTask(id), n, { maxEpisodeSteps: 40 });
      const singles = Array.from({ length: n }, () => single(id));
      const reset = venv.reset({ seed: 'vec' });
      const obs = singles.map((e, i) => e.reset({ seed: copySeed('vec', i) }).observation);
      expect(Array.from(reset.observations)).toEqual(obs.flatMap((o) => Array.from(o)));
      const rng = new Rng(`vec/${id}`);
      const nu = venv.actionSize;
      const counts = new Array<number>(n).fill(0);
      for (let t = 0; t < 60; t++) {
        const actions = Float32Array.from({ length: n * nu }, () => rng.uniformRange(-1, 1));
        const r = venv.step(actions);
        singles.forEach((e, i) => {
          const s = e.step(actions.slice(i * nu, (i + 1) * nu));
          counts[i] = (counts[i] as number) + 1;
          const truncated = counts[i] === 40;
          expect(r.rewards[i]).toBe(s.reward);
          expect(r.terminated[i]).toBe(s.terminated ? 1 : 0);
          expect(r.truncated[i]).toBe(truncated ? 1 : 0);
          const size = venv.observationSize;
          if (s.terminated || truncated) {
            expect(Array.from(r.finalObservations.subarray(i * size, (i + 1) * size))).toEqual(Array.from(s.observation));
            // The single env's stream continues into its next episode exactly as the copy's did.
            const next = e.reset().observation;
            counts[i] = 0;
            expect(Array.from(r.observations.subarray(i * size, (i + 1) * size))).toEqual(Array.from(next));
          } else {
            expect(Array.from(r.observations.subarray(i * size, (i + 1) * size))).toEqual(Array.from(s.observation));
          }
        });
      }
    }
  });

  it('restores a snapshot and continues bit-identically', () => {
    const venv = new LocomotionVectorEnv(locomotionTask('rxrl/Hopper-v0'), 4);
    venv.reset({ seed: 1 });
    const actions = Float32Array.from({ length: 12 }, (_, k) => Math.sin(k));
    for (let t = 0; t < 30; t++) venv.step(actions);
    const snap = venv.getSnapshot();
    const a = Array.from({ length: 30 }, () => Array.from(venv.step(actions).rewards));
    venv.setSnapshot(snap);
    const b = Array.from({ length: 30 }, () => Array.from(venv.step(actions).rewards));
    expect(b).toEqual(a);
  });
});
