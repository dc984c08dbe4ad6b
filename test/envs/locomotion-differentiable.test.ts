import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { DifferentiableLocomotion } from '../../src/envs/locomotion/differentiable.js';
import { LocomotionBatch } from '../../src/envs/locomotion/locomotion-env.js';
import { LOCOMOTION_TASKS, locomotionTask } from '../../src/envs/locomotion/tasks.js';

const B = 3;

/** Random actions, a third of them outside the control range (the env clamps; the cost uses them as given). */
function randomActions(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniformRange(-1.5, 1.5);
  return a;
}

describe('DifferentiableLocomotion equals the env', () => {
  for (const task of LOCOMOTION_TASKS) {
    it(`${task.id}: observations, rewards and terminations, step by step`, () => {
      const batch = new LocomotionBatch(task, B);
      const diff = DifferentiableLocomotion.of(batch);
      const rng = new Rng(`obs-reward/${task.id}`);
      for (let w = 0; w < B; w++) batch.resetWorld(w, rng);
      const { data } = batch;
      const { nu } = batch.model;
      const size = diff.observationSize;
      expect(size).toBe(batch.observationSize);
      const envObs = new Float32Array(size);
      const ours = new Float64Array(B * size);
      const envRewards = new Float64Array(B);
      const terminated = new Uint8Array(B);
      const rewards = new Float64Array(B);
      let compared = 0;
      for (let t = 0; t < 25; t++) {
        diff.observe(data.qpos, data.qvel, B, ours);
        for (let w = 0; w < B; w++) {
          batch.observe(w, envObs, 0);
          // The env stores observations as float32: ours rounded the same way are the same numbers.
          for (let j = 0; j < size; j++) expect(Math.fround(ours[w * size + j] as number)).toBe(envObs[j]);
        }
        const actions = randomActions(rng, B * nu);
        const qposBefore = data.qpos.slice();
        batch.step(actions, envRewards, terminated);
        diff.reward(qposBefore, data.qpos, data.qvel, actions, B, rewards);
        for (let w = 0; w < B; w++) {
          expect(rewards[w]).toBe(envRewards[w]);
          expect(diff.isTerminated(data.qpos, data.qvel, B, w)).toBe(terminated[w] === 1);
          compared++;
        }
      }
      expect(compared).toBe(25 * B);
    });
  }

  it('clips hopper velocities in the observation as the env does, and passes no gradient through a clipped entry', () => {
    const task = locomotionTask('rxrl/Hopper-v0');
    const batch = new LocomotionBatch(task, 1);
    const diff = DifferentiableLocomotion.of(batch);
    batch.resetWorld(0, new Rng(1));
    batch.data.qvel[3] = 25;
    batch.data.qvel[4] = -12;
    const envObs = new Float32Array(diff.observationSize);
    const ours = new Float64Array(diff.observationSize);
    batch.observe(0, envObs, 0);
    diff.observe(batch.data.qpos, batch.data.qvel, 1, ours);
    expect(Array.from(ours, Math.fround)).toEqual(Array.from(envObs));
    const v0 = diff.nq - diff.positionsExcluded;
    expect(ours[v0 + 3]).toBe(10);
    expect(ours[v0 + 4]).toBe(-10);
    const qposBar = new Float64Array(diff.nq);
    const qvelBar = new Float64Array(diff.nv);
    diff.observeVjp(batch.data.qpos, batch.data.qvel, 1, new Float64Array(diff.observationSize).fill(1), qposBar, qvelBar);
    expect(Array.from(qvelBar)).toEqual([1, 1, 1, 0, 0, 1]);
    expect(Array.from(qposBar)).toEqual([0, 1, 1, 1, 1, 1]);
  });
});

describe('DifferentiableLocomotion VJPs match central finite differences', () => {
  /** ⟨c, f(x + εv)⟩ − ⟨c, f(x − εv)⟩ over 2ε, against ⟨VJP(c), v⟩. */
  function relErr(analytic: number, fd: number): number {
    return Math.abs(analytic - fd) / Math.max(1e-8, Math.abs(fd), Math.abs(analytic));
  }

  for (const id of ['rxrl/Hopper-v0', 'rxrl/HalfCheetah-v0', 'rxrl/Ant-v0']) {
    it(`${id}: observation and reward`, () => {
      const task = locomotionTask(id);
      const batch = new LocomotionBatch(task, B);
      const diff = DifferentiableLocomotion.of(batch);
      const rng = new Rng(`vjp/${id}`);
      const { nq, nv, nu } = diff;
      const O = diff.observationSize;
      // Arbitrary states (velocities inside the clip: the FD is then smooth).
      const qposA = Float64Array.from({ length: nq * B }, () => rng.uniformRange(-1, 1));
      const qposB = Float64Array.from({ length: nq * B }, () => rng.uniformRange(-1, 1));
      for (let w = 0; w < B; w++) qposB[B + w] = 1.2; // healthy heights, so the healthy term is constant
      const qvel = Float64Array.from({ length: nv * B }, () => rng.uniformRange(-5, 5));
      const actions = Float64Array.from({ length: B * nu }, () => rng.uniformRange(-1, 1));
      const obsBar = Float64Array.from({ length: B * O }, () => rng.normal());
      const rewardBar = Float64Array.from({ length: B }, () => rng.normal());
      const dir = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
      const vq = dir(nq * B);
      const vv = dir(nv * B);
      const va = dir(B * nu);
      const vq2 = dir(nq * B);
      const eps = 1e-6;
      const shift = (x: Float64Array, v: Float64Array, s: number) => Float64Array.from(x, (xi, i) => xi + s * eps * (v[i] as number));
      const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let s = 0;
        for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
        return s;
      };

      // Observation.
      const out = new Float64Array(B * O);
      const obsAt = (s: number) => {
        diff.observe(shift(qposA, vq, s), shift(qvel, vv, s), B, out);
        return dot(obsBar, out);
      };
      const fdObs = (obsAt(1) - obsAt(-1)) / (2 * eps);
      const qposBar = new Float64Array(nq * B);
      const qvelBar = new Float64Array(nv * B);
      diff.observeVjp(qposA, qvel, B, obsBar, qposBar, qvelBar);
      expect(relErr(dot(qposBar, vq) + dot(qvelBar, vv), fdObs)).toBeLessThan(1e-7);

      // Reward: in the state before, the state after and the action.
      const r = new Float64Array(B);
      const rewardAt = (s: number) => {
        diff.reward(shift(qposA, vq, s), shift(qposB, vq2, s), qvel, shift(actions, va, s), B, r);
        return dot(rewardBar, r);
      };
      const fdReward = (rewardAt(1) - rewardAt(-1)) / (2 * eps);
      const beforeBar = new Float64Array(nq * B);
      const afterBar = new Float64Array(nq * B);
      const actionsBar = new Float64Array(B * nu);
      diff.rewardVjp(qposA, qposB, actions, B, rewardBar, beforeBar, afterBar, actionsBar);
      expect(relErr(dot(beforeBar, vq) + dot(afterBar, vq2) + dot(actionsBar, va), fdReward)).toBeLessThan(1e-7);
    });
  }
});
