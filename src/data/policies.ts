/**
 * Behaviour policies for collecting datasets: the uniform random policy, and action noise
 * around any policy.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { Box, Discrete, describeSpace, type Space } from '../core/spaces.js';
import type { BatchedActions, VectorEnv } from '../envs/vector/vector-env.js';

/** What a dataset collector asks of a policy. */
export interface DatasetPolicy {
  /** A short description for the dataset's metadata (`random`, `runs/ppo-hopper`). */
  readonly name: string;
  /** Actions for `n` observations (`n × observationDim`, as the env the policy acts in returns them). The result may be reused by the next call. */
  act(observations: Float32Array, n: number): BatchedActions;
  /**
   * Wraps the env the policy acts in, above the recorder: e.g. an observation normaliser with a
   * trained run's statistics, so the policy sees what it saw in training while the dataset
   * keeps raw observations.
   */
  wrapEnv?(env: VectorEnv): VectorEnv;
}

/** The action spaces the collectors support (those of the built-in agents). */
export function requireBoxOrDiscrete(space: Space<unknown>, what: string): Box | Discrete {
  if (space instanceof Box || space instanceof Discrete) return space;
  throw new ConfigError(`${what}: collecting datasets supports Box and Discrete action spaces, got ${describeSpace(space)}`);
}

/** Uniform random actions: uniform in a bounded Box (Gymnasium's `sample()` elsewhere), uniform over a Discrete space. */
export function randomPolicy(space: Box | Discrete, numEnvs: number, rng: Rng): DatasetPolicy {
  if (space instanceof Discrete) {
    const out = new Int32Array(numEnvs);
    return {
      name: 'random',
      act(_obs, n) {
        for (let i = 0; i < n; i++) out[i] = space.start + rng.int(space.n);
        return out;
      },
    };
  }
  const a = space.flatDim;
  const out = new Float32Array(numEnvs * a);
  return {
    name: 'random',
    act(_obs, n) {
      for (let i = 0; i < n; i++) space.sampleInto(rng, out, i * a);
      return out;
    },
  };
}

/**
 * `policy` with exploration noise of scale `sigma`, as D4RL's noisy collection: on a Box,
 * Gaussian noise of standard deviation `sigma` times the half-width of each bounded entry (so
 * `sigma` is in action units for the usual [−1, 1] boxes), then clipped to the bounds; on a
 * Discrete space, a uniformly random action with probability `sigma` (ε-greedy). With
 * `sigma = 0` Box actions are only clipped to the bounds.
 */
export function withActionNoise(policy: DatasetPolicy, space: Box | Discrete, sigma: number, numEnvs: number, rng: Rng): DatasetPolicy {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new ConfigError(`action noise must be a finite number ≥ 0, got ${sigma}`);
  if (space instanceof Discrete && sigma > 1) throw new ConfigError(`action noise on a Discrete space is the probability of a random action: it must be in [0, 1], got ${sigma}`);
  const name = sigma > 0 ? `${policy.name} + noise ${sigma}` : policy.name;
  const wrap = policy.wrapEnv?.bind(policy);
  if (space instanceof Discrete) {
    const out = new Int32Array(numEnvs);
    return {
      name,
      ...(wrap !== undefined ? { wrapEnv: wrap } : {}),
      act(obs, n) {
        const actions = policy.act(obs, n);
        for (let i = 0; i < n; i++) out[i] = sigma > 0 && rng.uniform() < sigma ? space.start + rng.int(space.n) : (actions[i] as number);
        return out;
      },
    };
  }
  const a = space.flatDim;
  const out = new Float32Array(numEnvs * a);
  const scale = new Float64Array(a);
  for (let j = 0; j < a; j++) {
    const lo = space.low[j] as number;
    const hi = space.high[j] as number;
    scale[j] = Number.isFinite(lo) && Number.isFinite(hi) ? (hi - lo) / 2 : 1;
  }
  return {
    name,
    ...(wrap !== undefined ? { wrapEnv: wrap } : {}),
    act(obs, n) {
      const actions = policy.act(obs, n);
      for (let k = 0; k < n * a; k++) {
        const j = k % a;
        let v = (actions[k] as number) + (sigma > 0 ? sigma * (scale[j] as number) * rng.normal() : 0);
        const lo = space.low[j] as number;
        const hi = space.high[j] as number;
        v = v < lo ? lo : v > hi ? hi : v;
        out[k] = v;
      }
      return out;
    },
  };
}
