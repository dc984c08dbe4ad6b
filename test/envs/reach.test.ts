import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { checkEnv, make } from '../../src/envs/index.js';
import type { Env, StepResult } from '../../src/envs/env.js';
import { ReachKernel } from '../../src/envs/ik/reach.js';
import { Rng } from '../../src/core/rng.js';

describe('rxrl/Reach-v0 and rxrl/ReachMemory-v0', () => {
  it('pass checkEnv for both arms, vectorised natively', async () => {
    for (const id of ['rxrl/Reach-v0', 'rxrl/ReachMemory-v0']) {
      for (const arm of ['planar3', 'panda7']) {
        expect((await checkEnv(make(id, { arm }))).ok).toBe(true);
        const venv = make(id, { numEnvs: 4, arm });
        expect(venv.actionSize).toBe(arm === 'planar3' ? 3 : 7);
        expect(venv.observationSize).toBe(arm === 'planar3' ? 3 * 3 + 7 : 3 * 7 + 7);
      }
    }
  });

  it('targets are reachable, the effector and the cue are consistent, and reaching the target terminates with success', () => {
    const kernel = new ReachKernel('rxrl/Reach-v0', { successRadius: 0.05 });
    const state = new Float64Array(kernel.stateSize);
    const obs = new Float32Array(kernel.observationSpace.flatDim);
    const rng = new Rng('reach-test');
    const out = { reward: 0, terminated: false };
    for (let trial = 0; trial < 20; trial++) {
      kernel.resetState(state, 0, rng);
      kernel.observe(state, 0, obs, 0);
      const n = kernel.dof;
      // Observation: effector at 3n…3n+2, target − effector at 3n+3…3n+5, flag at 3n+6.
      const target = [0, 1, 2].map((r) => (obs[3 * n + r] as number) + (obs[3 * n + 3 + r] as number));
      expect(Math.hypot(...target.map((t, r) => t - (state[n + r] as number)))).toBeLessThan(1e-6);
      expect(obs[3 * n + 6]).toBe(1);
      // The planar arm's targets lie in its plane, within its reach (0.75 m).
      expect(Math.abs(state[n + 2] as number)).toBeLessThan(1e-9);
      expect(Math.hypot(state[n] as number, state[n + 1] as number)).toBeLessThanOrEqual(0.75 + 1e-9);
      // A zero action leaves q alone; the reward is minus the distance.
      kernel.step(state, 0, new Float32Array(n), 0, out);
      expect(out.reward).toBeCloseTo(-kernel.distance(state, 0), 12);
      expect(out.terminated).toBe(kernel.distance(state, 0) <= 0.05);
    }
    // Put the arm on its target: success.
    kernel.resetState(state, 0, rng);
    const near = new ReachKernel('rxrl/Reach-v0', { successRadius: 10, reward: 'sparse' });
    near.step(state, 0, new Float32Array(3), 0, out);
    expect([out.reward, out.terminated]).toEqual([0, true]);
  });

  it('actions move joints by at most maxSpeed·dt and never past the limits', () => {
    const kernel = new ReachKernel('rxrl/Reach-v0', { maxSpeed: 2 });
    const state = new Float64Array(kernel.stateSize);
    kernel.resetState(state, 0, new Rng(1));
    state[0] = (170 * Math.PI) / 180 - 0.05;
    const before = Array.from(state.subarray(0, 3));
    kernel.step(state, 0, Float32Array.of(5, -1, 0.5), 0, { reward: 0, terminated: false });
    expect(state[0]).toBeCloseTo((170 * Math.PI) / 180, 12); // clipped at the limit
    expect(state[1]).toBeCloseTo((before[1] as number) - 0.1, 12);
    expect(state[2]).toBeCloseTo((before[2] as number) + 0.05, 12);
  });

  it('the memory variant hides the target after 5 steps', async () => {
    const env = make('rxrl/ReachMemory-v0', { successRadius: 0.001 }) as Env<Float32Array, Float32Array>;
    const n = 3;
    let obs = (await env.reset({ seed: 2 })).observation;
    for (let t = 0; t < 7; t++) {
      const shown = obs[3 * n + 6] === 1;
      expect(shown).toBe(t < 5);
      if (!shown) expect(Array.from(obs.subarray(3 * n + 3, 3 * n + 6))).toEqual([0, 0, 0]);
      obs = ((await env.step(new Float32Array(n))) as StepResult<Float32Array>).observation;
    }
  });

  it('bad keyword arguments are ConfigErrors naming them', () => {
    expect(() => make('rxrl/Reach-v0', { arm: 'panda8' })).toThrow(/arm must be one of planar3, panda7, got "panda8"/);
    expect(() => make('rxrl/Reach-v0', { reward: 'shaped' })).toThrow(ConfigError);
    expect(() => make('rxrl/Reach-v0', { successRadius: -1 })).toThrow(/must be positive/);
    expect(() => make('rxrl/Reach-v0', { gravity: 1 })).toThrow(/unknown keyword argument "gravity"; accepted: arm, reward, successRadius, maxSpeed/);
  });
});
