import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { parseWithTypedArrays, stringifyWithTypedArrays } from '../../src/core/serialize.js';
import { make, SyncVectorEnv, VectorFrameStack, VectorNormalizeObservation, VectorNormalizeReward, VectorRecordEpisodeStatistics } from '../../src/envs/index.js';
import { isSnapshotVectorEnv, type SnapshotVectorEnv, type VectorEnv, type VectorStepResult } from '../../src/envs/vector/vector-env.js';

function build(): VectorEnv {
  const base = make('Pendulum-v1', { numEnvs: 3 });
  return new VectorFrameStack(new VectorNormalizeReward(new VectorNormalizeObservation(new VectorRecordEpisodeStatistics(base))), 2);
}

function run(env: VectorEnv, steps: number, rng: Rng): number[] {
  const out: number[] = [];
  const actions = new Float32Array(3);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < 3; i++) actions[i] = rng.uniformRange(-2, 2);
    const r = env.step(actions) as VectorStepResult;
    out.push(...r.observations, ...r.rewards, ...r.truncated);
    r.finalInfos.forEach((info) => {
      const ep = info?.['episode'] as { r: number; l: number } | undefined;
      if (ep) out.push(ep.r, ep.l);
    });
  }
  return out;
}

describe('vector env snapshots', () => {
  it('a restored env (through JSON) continues bit-identically, wrappers included', () => {
    const env = build();
    env.reset({ seed: 1 });
    run(env, 150, new Rng(2));
    expect(isSnapshotVectorEnv(env)).toBe(true);
    const text = stringifyWithTypedArrays((env as SnapshotVectorEnv).getSnapshot());
    const continued = run(env, 300, new Rng(3));

    const fresh = build();
    fresh.reset({ seed: 99 }); // a different state, overwritten by the snapshot
    (fresh as SnapshotVectorEnv).setSnapshot(parseWithTypedArrays(text));
    expect(run(fresh, 300, new Rng(3))).toEqual(continued);
  });

  it('an env that cannot save its state is reported, not silently skipped', () => {
    const sync = new SyncVectorEnv([make('CartPole-v1')]);
    const wrapped = new VectorRecordEpisodeStatistics(sync);
    expect(isSnapshotVectorEnv(wrapped)).toBe(false);
    expect(() => wrapped.getSnapshot()).toThrow(ConfigError);
    expect(() => wrapped.getSnapshot()).toThrow(/SyncVectorEnv cannot save its state/);
  });
});
