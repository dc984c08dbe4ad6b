import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { checkEnv, make } from '../../src/envs/index.js';
import type { VectorResetResult, VectorStepResult } from '../../src/envs/vector/vector-env.js';
import { KeyDoorKernel } from '../../src/envs/tasks/key-door.js';

/** Moves one step toward (tx, ty): horizontal first when `horizontalFirst`. Actions: 0 up, 1 right, 2 down, 3 left. */
function toward(x: number, y: number, tx: number, ty: number, horizontalFirst: boolean): number | null {
  if (horizontalFirst && x !== tx) return tx > x ? 1 : 3;
  if (y !== ty) return ty > y ? 2 : 0;
  if (x !== tx) return tx > x ? 1 : 3;
  return null;
}

/** The plan, read from the kernel state: to the key, pick up, beside the door, open, through, to the goal. */
function solverAction(s: Float64Array): number {
  const [ax, ay, kx, ky, hasKey, wx, dy, open, gx, gy] = Array.from(s);
  if (hasKey === 0) return toward(ax as number, ay as number, kx as number, ky as number, true) ?? 4;
  if (open === 0) return toward(ax as number, ay as number, (wx as number) - 1, dy as number, false) ?? 5;
  // Through the door along its row, then to the goal inside the right room.
  if ((ax as number) <= (wx as number)) return 1;
  return toward(ax as number, ay as number, gx as number, gy as number, false) as number;
}

describe('rxrl/KeyDoor-v0', () => {
  it('passes checkEnv, fully and partially observed', async () => {
    expect((await checkEnv(make('rxrl/KeyDoor-v0'))).ok).toBe(true);
    expect((await checkEnv(make('rxrl/KeyDoor-v0', { view: 5 }))).ok).toBe(true);
    expect(make('rxrl/KeyDoor-v0', { numEnvs: 2, view: 5 }).observationSize).toBe(5 * 5 * 5 + 1);
  });

  it('every instance needs at least minSolution steps, and following the plan solves it in exactly its shortest length', () => {
    const kernel = new KeyDoorKernel();
    const state = new Float64Array(kernel.stateSize);
    const out = { reward: 0, terminated: false };
    const actions = new Int32Array(1);
    const rng = new Rng('key-door');
    const lengths: number[] = [];
    for (let episode = 0; episode < 200; episode++) {
      kernel.resetState(state, 0, rng);
      const shortest = KeyDoorKernel.solutionLength(state);
      expect(shortest).toBeGreaterThanOrEqual(30);
      let steps = 0;
      let total = 0;
      do {
        actions[0] = solverAction(state);
        kernel.step(state, 0, actions, 0, out);
        total += out.reward;
        steps++;
      } while (!out.terminated && steps < 500);
      expect(out.terminated).toBe(true);
      expect(total).toBe(1);
      expect(steps).toBe(shortest);
      expect(kernel.finalInfo(state, 0)).toEqual({ is_success: true });
      lengths.push(steps);
    }
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(30);
  });

  it('walls and the closed door block, picking up needs the key cell, opening needs the key and the door next to the agent', () => {
    const kernel = new KeyDoorKernel({ size: 9, minSolution: 0 });
    // Agent (1,1), key (2,1), wall at x = 4 with the door at y = 3, goal (6,6).
    const s = Float64Array.from([1, 1, 2, 1, 0, 4, 3, 0, 6, 6]);
    const out = { reward: 0, terminated: false };
    const act = (a: number) => kernel.step(s, 0, Int32Array.of(a), 0, out);
    act(0); // into the border wall
    expect([s[0], s[1]]).toEqual([1, 1]);
    act(4); // nothing to pick up here
    expect(s[4]).toBe(0);
    act(1);
    act(4);
    expect(s[4]).toBe(1);
    act(1); // to (3,1), then down beside the door
    act(2);
    act(2);
    expect([s[0], s[1]]).toEqual([3, 3]);
    act(1); // the closed door blocks
    expect([s[0], s[1]]).toEqual([3, 3]);
    act(5);
    expect(s[7]).toBe(1);
    act(1);
    expect([s[0], s[1]]).toEqual([4, 3]);
    act(1);
    act(2);
    act(2);
    act(2);
    act(1);
    expect(out).toEqual({ reward: 1, terminated: true });
    // Without the key the door stays shut.
    const t = Float64Array.from([3, 3, 1, 1, 0, 4, 3, 0, 6, 6]);
    kernel.step(t, 0, Int32Array.of(5), 0, out);
    expect(t[7]).toBe(0);
  });

  it('the local view shows the cells around the agent, walls beyond the border included', () => {
    const kernel = new KeyDoorKernel({ size: 9, minSolution: 0, view: 3 });
    const s = Float64Array.from([3, 3, 2, 2, 0, 4, 3, 0, 6, 6]);
    const obs = new Float32Array(kernel.observationSpace.flatDim);
    kernel.observe(s, 0, obs, 0);
    const channel = (i: number, j: number) => Array.from(obs.subarray((j * 3 + i) * 5, (j * 3 + i + 1) * 5)).indexOf(1);
    expect(channel(0, 0)).toBe(1); // the key at (2,2)
    expect(channel(2, 1)).toBe(2); // the closed door at (4,3)
    expect(channel(2, 0)).toBe(0); // wall at (4,2)
    expect(channel(1, 1)).toBe(-1); // the agent's own floor cell
    expect(obs[45]).toBe(0);
    const corner = Float64Array.from([1, 1, 2, 2, 0, 4, 3, 0, 6, 6]);
    kernel.observe(corner, 0, obs, 0);
    expect(channel(0, 0)).toBe(0);
    expect(channel(0, 2)).toBe(0);
  });

  it('per-copy seeds replay an instance, and a random policy rarely succeeds within the time limit', () => {
    const env = make('rxrl/KeyDoor-v0', { numEnvs: 32 });
    const seeds = Array.from({ length: 32 }, (_, i) => `kd/${i % 2}`);
    const first = Float32Array.from((env.reset({ seeds }) as VectorResetResult).observations);
    expect(Array.from(first.subarray(20, 30))).toEqual(Array.from(first.subarray(0, 10)));
    const rng = new Rng('random-policy');
    const actions = new Int32Array(32);
    let successes = 0;
    let episodes = 0;
    for (let t = 0; t < 2500; t++) {
      for (let i = 0; i < 32; i++) actions[i] = rng.int(6);
      const r = env.step(actions) as VectorStepResult;
      for (let i = 0; i < 32; i++) {
        const info = r.finalInfos[i];
        if (info === undefined) continue;
        episodes++;
        if (info['is_success'] === true) successes++;
      }
    }
    expect(episodes).toBeGreaterThan(200);
    expect(successes / episodes).toBeLessThan(0.05);
  });

  it('rejects bad keyword arguments', () => {
    expect(() => make('rxrl/KeyDoor-v0', { size: 5 })).toThrow(/size must be an integer in \[7, 64\]/);
    expect(() => make('rxrl/KeyDoor-v0', { view: 4 })).toThrow(/odd integer/);
    expect(() => make('rxrl/KeyDoor-v0', { size: 9, minSolution: 40 })).toThrow(ConfigError);
  });
});
