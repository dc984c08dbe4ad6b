import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { parseWithTypedArrays, stringifyWithTypedArrays } from '../../src/core/serialize.js';
import { ReplayBuffer, splitEpisodes, type ReplayBufferState, type TransitionRows } from '../../src/data/index.js';
import type { VectorStepResult } from '../../src/envs/vector/vector-env.js';
import { randomDataset } from './helpers.js';

/** One row per env: observation = [stream, t], reward = r, next = [stream, t + 1]. */
function rows(N: number, t: number, rewards: number[], term: number[] = [], trunc: number[] = []): TransitionRows {
  return {
    observations: Float32Array.from({ length: N * 2 }, (_, k) => (k % 2 === 0 ? k / 2 : t)),
    actions: Float32Array.from({ length: N }, (_, i) => 10 * t + i),
    rewards: Float64Array.from(rewards),
    nextObservations: Float32Array.from({ length: N * 2 }, (_, k) => (k % 2 === 0 ? k / 2 : t + 1)),
    terminated: Uint8Array.from({ length: N }, (_, i) => term[i] ?? 0),
    truncated: Uint8Array.from({ length: N }, (_, i) => trunc[i] ?? 0),
  };
}

/** n-step target of a chronological list of (reward, terminal, timeout), computed the plain way. */
function nStepReference(steps: { r: number; term: number; trunc: number }[], start: number, n: number, gamma: number): { ret: number; discount: number; terminal: number; last: number } {
  let ret = 0;
  let discount = 1;
  let last = start;
  for (let k = 0; k < n && start + k < steps.length; k++) {
    const s = steps[start + k]!;
    ret += discount * s.r;
    discount *= gamma;
    last = start + k;
    if (s.term || s.trunc) break;
  }
  return { ret, discount, terminal: steps[last]!.term, last };
}

describe('ReplayBuffer', () => {
  it('computes n-step returns that stop at episode ends and at the newest row', () => {
    const gamma = 0.5;
    const buffer = new ReplayBuffer({ capacity: 100, observationShape: [2], actionDim: 1, nStep: 3, gamma });
    const steps = [
      { r: 1, term: 0, trunc: 0 },
      { r: 2, term: 0, trunc: 0 },
      { r: 4, term: 1, trunc: 0 },
      { r: 8, term: 0, trunc: 0 },
      { r: 16, term: 0, trunc: 1 },
      { r: 32, term: 0, trunc: 0 },
      { r: 64, term: 0, trunc: 0 },
    ];
    steps.forEach((s, t) => buffer.add(rows(1, t, [s.r], [s.term], [s.trunc])));
    const batch = buffer.sample(200, new Rng(1));
    const seen = new Set<number>();
    for (let b = 0; b < batch.size; b++) {
      const slot = batch.indices[b]!;
      seen.add(slot);
      const want = nStepReference(steps, slot, 3, gamma);
      expect(batch.rewards[b]).toBe(want.ret);
      expect(batch.discounts[b]).toBe(want.discount);
      expect(batch.terminals[b]).toBe(want.terminal);
      expect(batch.observations[b * 2 + 1]).toBe(slot);
      expect(batch.nextObservations[b * 2 + 1]).toBe(want.last + 1);
      expect(batch.actions[b]).toBe(10 * slot);
      expect(batch.weights[b]).toBe(1);
    }
    expect(seen.size).toBe(7);
    // Spot checks by hand: 1 + 2·½ + 4·¼ ends in the terminal; 16 is a cut (bootstrap with γ¹); 64 is the newest row.
    const at = (slot: number) => Array.from(batch.indices.subarray(0, batch.size)).indexOf(slot);
    expect(batch.rewards[at(0)]).toBe(3);
    expect([batch.discounts[at(0)], batch.terminals[at(0)]]).toEqual([0.125, 1]);
    expect([batch.rewards[at(4)], batch.discounts[at(4)], batch.terminals[at(4)]]).toEqual([16, 0.5, 0]);
    expect([batch.rewards[at(5)], batch.discounts[at(5)]]).toEqual([32 + 32, 0.25]);
    expect([batch.rewards[at(6)], batch.discounts[at(6)]]).toEqual([64, 0.5]);
  });

  it('keeps each env copy its own stream and overwrites the oldest rows first', () => {
    const buffer = new ReplayBuffer({ capacity: 9, observationShape: [2], actionDim: 1, numEnvs: 2, nStep: 2, gamma: 1 });
    expect([buffer.capacity, buffer.rows]).toEqual([8, 4]);
    for (let t = 0; t < 6; t++) buffer.add(rows(2, t, [t, 100 * t]));
    expect([buffer.size, buffer.full]).toEqual([8, true]);
    const batch = buffer.sample(500, new Rng(2));
    const times = new Set<number>();
    for (let b = 0; b < batch.size; b++) {
      const stream = batch.observations[b * 2]!;
      const t = batch.observations[b * 2 + 1]!;
      times.add(t);
      const scale = stream === 0 ? 1 : 100;
      // Rows 2..5 remain; the newest (t = 5) has no successor in the buffer.
      const want = t === 5 ? scale * 5 : scale * (t + t + 1);
      expect(batch.rewards[b]).toBe(want);
      expect(batch.actions[b]).toBe(10 * t + stream);
    }
    expect([...times].sort()).toEqual([2, 3, 4, 5]);
  });

  it('takes next observations from the final observations of finished copies (addStep), and cuts episodes at a reset', () => {
    const buffer = new ReplayBuffer({ capacity: 8, observationShape: [1], actionDim: 1, numEnvs: 2, nStep: 2, gamma: 1 });
    const result: VectorStepResult = {
      observations: Float32Array.of(1, 50),
      rewards: Float64Array.of(1, 1),
      terminated: Uint8Array.of(0, 0),
      truncated: Uint8Array.of(0, 1),
      finalObservations: Float32Array.of(0, 9),
      finalInfos: [undefined, {}],
      infos: [{}, {}],
    };
    buffer.addStep(Float32Array.of(0, 0), Float32Array.of(0, 0), result);
    expect(Array.from(buffer.nextObservations.subarray(0, 2))).toEqual([1, 9]);
    buffer.cutEpisodes();
    expect(Array.from(buffer.timeouts.subarray(0, 2))).toEqual([1, 1]);
  });

  it('samples the same transitions for the same seed, into one reused batch', () => {
    const make = () => {
      const b = new ReplayBuffer({ capacity: 64, observationShape: [2], actionDim: 1, nStep: 3 });
      for (let t = 0; t < 40; t++) b.add(rows(1, t, [t], [t % 7 === 6 ? 1 : 0]));
      return b;
    };
    const a = make();
    const first = a.sample(32, new Rng('s'));
    const firstIndices = Array.from(first.indices);
    expect(a.sample(32, new Rng('s'))).toBe(first);
    expect(Array.from(first.indices)).toEqual(firstIndices);
    expect(Array.from(make().sample(32, new Rng('s')).rewards)).toEqual(Array.from(first.rewards));
    expect(Array.from(make().sample(32, new Rng('t')).indices)).not.toEqual(firstIndices);
  });

  it('resumes exactly from a checkpointed state (JSON with typed arrays)', () => {
    const options = { capacity: 16, observationShape: [2], actionDim: 1, numEnvs: 2, nStep: 2, gamma: 0.9 } as const;
    const a = new ReplayBuffer(options);
    for (let t = 0; t < 11; t++) a.add(rows(2, t, [t, -t], [t === 4 ? 1 : 0]));
    const state = parseWithTypedArrays(stringifyWithTypedArrays(a.getState())) as ReplayBufferState;
    const b = ReplayBuffer.fromState(state);
    for (const buf of [a, b]) buf.add(rows(2, 11, [11, -11]));
    const sa = a.sample(64, new Rng(5));
    const snapshot = { i: Array.from(sa.indices), r: Array.from(sa.rewards), o: Array.from(sa.nextObservations) };
    const sb = b.sample(64, new Rng(5));
    expect({ i: Array.from(sb.indices), r: Array.from(sb.rewards), o: Array.from(sb.nextObservations) }).toEqual(snapshot);
    expect(() => new ReplayBuffer({ ...options, capacity: 32 }).setState(state)).toThrow(/state has capacity 16, this buffer 32/);
  });

  it('wraps an offline dataset without copying, and turns its transitions back into a dataset with contiguous episodes', () => {
    const ds = randomDataset(7, 6);
    const shared = ReplayBuffer.fromDataset(ds, { nStep: 1 });
    expect(shared.observations).toBe(ds.observations);
    expect(shared.size).toBe(ds.size);
    const batch = shared.sample(50, new Rng(1));
    for (let b = 0; b < batch.size; b++) expect(batch.rewards[b]).toBe(ds.rewards[batch.indices[b]!]);
    const bigger = ReplayBuffer.fromDataset(ds, { capacity: ds.size + 10 });
    expect(bigger.observations).not.toBe(ds.observations);
    expect(Array.from(bigger.toDataset().rewards)).toEqual(Array.from(ds.rewards));

    // Two streams: each stream's rows come out together, ending in a cut where the stream stops mid-episode.
    const buffer = new ReplayBuffer({ capacity: 20, observationShape: [2], actionDim: 1, numEnvs: 2 });
    for (let t = 0; t < 5; t++) buffer.add(rows(2, t, [t, 10 + t], [t === 2 ? 1 : 0, 0]));
    const out = buffer.toDataset({ recipe: 'medium-replay' });
    expect(Array.from(out.rewards)).toEqual([0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    expect(Array.from(out.terminals)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.timeouts)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(splitEpisodes(out).lengths)).toEqual([3, 2, 5]);
    expect(out.metadata.recipe).toBe('medium-replay');
  });

  it('rejects rows of the wrong size and bad options with messages naming them', () => {
    const buffer = new ReplayBuffer({ capacity: 8, observationShape: [2], actionDim: 1, numEnvs: 2 });
    expect(() => buffer.add(rows(1, 0, [0]))).toThrow(/observations has 2 entries, expected numEnvs 2 × 2 = 4/);
    expect(() => buffer.sample(4, new Rng(0))).toThrow(/the buffer is empty/);
    expect(() => new ReplayBuffer({ capacity: 1, observationShape: [2], actionDim: 1, numEnvs: 2 })).toThrow(/capacity must be an integer ≥ numEnvs \(2\)/);
    expect(() => new ReplayBuffer({ capacity: 8, observationShape: [2], actionDim: 2, discrete: true })).toThrow(/discrete actions needs actionDim 1/);
  });
});
