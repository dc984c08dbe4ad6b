import { describe, expect, it } from 'vitest';
import { EnvStateError, InvalidActionError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { Box, Discrete } from '../../src/core/spaces.js';
import { checkEnv, make, registeredIds } from '../../src/envs/index.js';
import type { AnyEnv, ResetResult, StepResult } from '../../src/envs/env.js';
import { copySeed, type BatchedActions, type VectorEnv, type VectorResetResult, type VectorStepResult } from '../../src/envs/vector/vector-env.js';

const CLASSIC = ['CartPole-v1', 'Pendulum-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Acrobot-v1'] as const;
const NO_VEL = { 'CartPoleNoVel-v1': ['CartPole-v1', [1, 3]], 'PendulumNoVel-v1': ['Pendulum-v1', [2]], 'MountainCarContinuousNoVel-v0': ['MountainCarContinuous-v0', [1]] } as const;

function randomActions(space: Box | Discrete, rng: Rng, numEnvs: number): BatchedActions {
  if (space.kind === 'Discrete') return Int32Array.from({ length: numEnvs }, () => rng.int(space.n));
  const out = new Float32Array(numEnvs * space.flatDim);
  for (let i = 0; i < numEnvs; i++) space.sampleInto(rng, out, i * space.flatDim);
  return out;
}

function singleAction(space: Box | Discrete, batch: BatchedActions, i: number): number | Float32Array {
  return space.kind === 'Discrete' ? (batch[i] as number) : (batch as Float32Array).slice(i * space.flatDim, (i + 1) * space.flatDim);
}

/** Every number a vector env produced over `steps` random steps, as one array (copied: the env reuses its buffers). */
function vectorTrajectory(venv: VectorEnv, seed: number, steps: number, actionSeed: number): number[] {
  const space = venv.singleActionSpace as Box | Discrete;
  const rng = new Rng(actionSeed);
  const out: number[] = [...(venv.reset({ seed }) as VectorResetResult).observations];
  for (let t = 0; t < steps; t++) {
    const r = venv.step(randomActions(space, rng, venv.numEnvs)) as VectorStepResult;
    out.push(...r.observations, ...r.rewards, ...r.terminated, ...r.truncated);
    for (let i = 0; i < venv.numEnvs; i++) if (r.terminated[i] || r.truncated[i]) out.push(...r.finalObservations.subarray(i * venv.observationSize, (i + 1) * venv.observationSize));
  }
  return out;
}

describe.each(CLASSIC)('%s', (id) => {
  it('native vector copy i follows a single env seeded with copySeed(seed, i), across autoresets', () => {
    const numEnvs = 4;
    const venv = make(id, { numEnvs });
    const singles = Array.from({ length: numEnvs }, () => make(id));
    const space = venv.singleActionSpace as Box | Discrete;
    const dim = venv.observationSize;
    const first = venv.reset({ seed: 11 }) as VectorResetResult;
    singles.forEach((env, i) => {
      const r = env.reset({ seed: copySeed(11, i) }) as ResetResult<Float32Array>;
      expect([...r.observation]).toEqual([...first.observations.subarray(i * dim, (i + 1) * dim)]);
    });
    const rng = new Rng(5);
    let episodesEnded = 0;
    // Long enough for every env to hit its time limit at least once (MountainCarContinuous: 999).
    for (let t = 0; t < 1100; t++) {
      const actions = randomActions(space, rng, numEnvs);
      const v = venv.step(actions) as VectorStepResult;
      singles.forEach((env, i) => {
        const s = env.step(singleAction(space, actions, i)) as StepResult<Float32Array>;
        expect(v.rewards[i]).toBe(s.reward);
        expect(v.terminated[i]).toBe(s.terminated ? 1 : 0);
        expect(v.truncated[i]).toBe(s.truncated ? 1 : 0);
        const row = (a: Float32Array) => [...a.subarray(i * dim, (i + 1) * dim)];
        if (s.terminated || s.truncated) {
          episodesEnded++;
          expect(row(v.finalObservations)).toEqual([...s.observation]);
          const again = env.reset() as ResetResult<Float32Array>;
          expect(row(v.observations)).toEqual([...again.observation]);
        } else {
          expect(row(v.observations)).toEqual([...s.observation]);
        }
      });
    }
    expect(episodesEnded).toBeGreaterThan(0);
  });

  it('is reproducible bit for bit: same seed, same trajectory; another seed, another one', () => {
    const a = vectorTrajectory(make(id, { numEnvs: 3 }), 3, 600, 1);
    const b = vectorTrajectory(make(id, { numEnvs: 3 }), 3, 600, 1);
    const c = vectorTrajectory(make(id, { numEnvs: 3 }), 4, 600, 1);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const single = (seed: number) => {
      const env = make(id);
      const rng = new Rng(2);
      const out = [...(env.reset({ seed }) as ResetResult<Float32Array>).observation];
      for (let t = 0; t < 300; t++) {
        const r = env.step(singleAction(env.actionSpace as Box | Discrete, randomActions(env.actionSpace as Box | Discrete, rng, 1), 0)) as StepResult<Float32Array>;
        out.push(...r.observation, r.reward);
        if (r.terminated || r.truncated) out.push(...(env.reset() as ResetResult<Float32Array>).observation);
      }
      return out;
    };
    expect(single(9)).toEqual(single(9));
  });

  it('rejects bad actions with typed errors naming the env, the expected and the received value', () => {
    const env = make(id);
    const space = env.actionSpace as Box | Discrete;
    expect(() => env.step(space.kind === 'Discrete' ? 0 : new Float32Array(space.flatDim))).toThrow(EnvStateError);
    expect(() => env.step(0)).toThrow(/step\(\) called before reset\(\)/);
    env.reset({ seed: 0 });
    if (space.kind === 'Discrete') {
      expect(() => env.step(space.n)).toThrow(InvalidActionError);
      expect(() => env.step(space.n)).toThrow(new RegExp(`${id}: action ${space.n} is outside Discrete\\(${space.n}\\)`));
      expect(() => env.step(0.5)).toThrow(/expected an integer action .* got 0.5/);
      expect(() => env.step(Float32Array.of(1))).toThrow(/expected an integer action/);
    } else {
      expect(() => env.step(new Float32Array(space.flatDim + 1))).toThrow(new RegExp(`${id}: expected an action of length ${space.flatDim}`));
      expect(() => env.step(Float32Array.of(Number.NaN))).toThrow(/action entry 0 is NaN; expected a finite number/);
      expect(() => env.step(0)).toThrow(/expected a Float32Array/);
    }
    const venv = make(id, { numEnvs: 2 });
    venv.reset({ seed: 0 });
    expect(() => venv.step(space.kind === 'Discrete' ? new Float32Array(2) : new Int32Array(2))).toThrow(InvalidActionError);
    expect(() => venv.step(space.kind === 'Discrete' ? Int32Array.of(0, space.n) : Float32Array.of(0, Number.NaN))).toThrow(/copy 1/);
    env.close();
    expect(() => env.step(0)).toThrow(/step\(\) called after close\(\)/);
  });

  it('refuses unknown keyword arguments and bad reset states', () => {
    expect(() => make(id, { gravity: 3 })).toThrow(/unknown keyword argument "gravity"/);
    const env = make(id);
    expect(() => env.reset({ options: { state: [1] } })).toThrow(/reset option "state" must be/);
  });
});

describe('POMDP variants', () => {
  it.each(Object.entries(NO_VEL))('%s hides the velocity entries of its base env', (noVelId, [baseId, hidden]) => {
    const masked = make(noVelId);
    const base = make(baseId);
    const m = masked.reset({ seed: 5 }) as ResetResult<Float32Array>;
    const b = base.reset({ seed: 5 }) as ResetResult<Float32Array>;
    const kept = [...b.observation].filter((_, j) => !(hidden as readonly number[]).includes(j));
    expect([...m.observation]).toEqual(kept);
    expect(masked.observationSpace.flatDim).toBe(base.observationSpace.flatDim - hidden.length);
    const venv = make(noVelId, { numEnvs: 2 });
    expect(venv.observationSize).toBe(kept.length);
  });

  it('all built-in ids are registered', () => {
    expect(registeredIds()).toEqual(expect.arrayContaining([...CLASSIC, ...Object.keys(NO_VEL)]));
  });
});

describe('checkEnv on every built-in env', () => {
  it.each([...CLASSIC, ...Object.keys(NO_VEL)])('%s passes', async (id) => {
    const env: AnyEnv = make(id);
    const report = await checkEnv(env, { steps: 300 });
    expect(report.problems).toEqual([]);
  });
});
