import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidActionError } from '../../src/core/errors.js';
import { Box, HybridBox } from '../../src/core/spaces.js';
import { make } from '../../src/envs/index.js';
import type { VectorStepResult } from '../../src/envs/vector/vector-env.js';
import { VectorInternalState } from '../../src/envs/wrappers/internal-state.js';

describe('VectorInternalState (the extended MDP of S2PG)', () => {
  it('shows [o, z, a_prev], passes only a to the env, keeps z′, and zeroes both at every episode start', async () => {
    const inner = make('Pendulum-v1', { numEnvs: 2 });
    const plain = make('Pendulum-v1', { numEnvs: 2 });
    const env = new VectorInternalState(inner, 2);
    expect(env.observationSize).toBe(3 + 2 + 1);
    expect(env.actionSize).toBe(1 + 2);
    const space = env.singleActionSpace as Box;
    expect(Array.from(space.low)).toEqual([-2, -Infinity, -Infinity]);
    expect(Array.from(space.high)).toEqual([2, Infinity, Infinity]);
    const first = (await env.reset({ seed: 4 })).observations.slice();
    const reference = (await plain.reset({ seed: 4 })).observations;
    for (let i = 0; i < 2; i++) expect(Array.from(first.subarray(i * 6, i * 6 + 6))).toEqual([...Array.from(reference.subarray(i * 3, i * 3 + 3)), 0, 0, 0]);
    // Copy 0 pushes 3 (clipped to 2 by the env, and shown clipped), copy 1 pushes −1; the z′ values come back next step.
    let r: VectorStepResult = await env.step(Float32Array.of(3, 0.5, -0.25, -1, 7, 8));
    const p = await plain.step(Float32Array.of(3, -1));
    expect(Array.from(r.observations)).toEqual([...Array.from(p.observations.subarray(0, 3)), 0.5, -0.25, 2, ...Array.from(p.observations.subarray(3, 6)), 7, 8, -1]);
    // Pendulum truncates at 200 steps: the final row keeps z′ and a, the new episode starts from zeros.
    for (let t = 1; t < 200; t++) r = await env.step(Float32Array.of(0, 1, 2, 0, 3, 4));
    expect(r.truncated[0]).toBe(1);
    expect(Array.from(r.finalObservations.subarray(3, 6))).toEqual([1, 2, 0]);
    expect(Array.from(r.observations.subarray(3, 6))).toEqual([0, 0, 0]);
  });

  it('saves and restores its internal states with the env snapshot', async () => {
    const env = new VectorInternalState(make('Pendulum-v1', { numEnvs: 1 }), 1);
    await env.reset({ seed: 1 });
    await env.step(Float32Array.of(1, 0.75));
    const snap = env.getSnapshot();
    const a = (await env.step(Float32Array.of(0, 0))).observations.slice();
    await env.step(Float32Array.of(-1, -3));
    env.setSnapshot(snap);
    const b = (await env.step(Float32Array.of(0, 0))).observations;
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('over a discrete env: a HybridBox action [a, z′], a_prev one-hot, a non-integer choice rejected', async () => {
    const env = new VectorInternalState(make('CartPole-v1', { numEnvs: 1 }), 2);
    expect(env.singleActionSpace).toBeInstanceOf(HybridBox);
    expect(env.observationSize).toBe(4 + 2 + 2);
    await env.reset({ seed: 0 });
    const r = await env.step(Float32Array.of(1, 0.5, -0.5));
    expect(Array.from(r.observations.subarray(4))).toEqual([0.5, -0.5, 0, 1]);
    expect(() => env.step(Float32Array.of(0.5, 0, 0))).toThrow(InvalidActionError);
    expect(() => new VectorInternalState(make('CartPole-v1', { numEnvs: 1 }), 0)).toThrow(ConfigError);
  });
});
