import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { parseWithTypedArrays, stringifyWithTypedArrays } from '../../src/core/serialize.js';
import { PrioritizedReplayBuffer, SumTree, type ReplayBufferState } from '../../src/data/index.js';

function fill(buffer: PrioritizedReplayBuffer, count: number): void {
  for (let t = 0; t < count; t++) {
    buffer.add({ observations: Float32Array.of(t), actions: Float32Array.of(0), rewards: Float64Array.of(t), nextObservations: Float32Array.of(t + 1), terminated: Uint8Array.of(0), truncated: Uint8Array.of(0) });
  }
}

describe('SumTree', () => {
  it('keeps sums and minima under updates and finds the leaf where a prefix sum crosses a mass', () => {
    const rng = new Rng(3);
    const tree = new SumTree(13);
    const leaves = new Float64Array(13);
    for (let k = 0; k < 200; k++) {
      const i = rng.int(13);
      leaves[i] = rng.int(4) === 0 ? 0 : rng.uniform() * 5;
      tree.set(i, leaves[i]!);
      const total = leaves.reduce((a, b) => a + b, 0);
      expect(tree.total()).toBeCloseTo(total, 12);
      const positive = Array.from(leaves).filter((v) => v > 0);
      expect(tree.min()).toBe(positive.length > 0 ? Math.min(...positive) : Infinity);
      if (total > 0) {
        const mass = rng.uniform() * total;
        let acc = 0;
        let want = 0;
        while (acc + leaves[want]! <= mass) acc += leaves[want++]!;
        expect(tree.find(mass)).toBe(want);
      }
    }
  });
});

describe('PrioritizedReplayBuffer', () => {
  it('samples in proportion to (|δ| + ε)^α with importance weights (p_i / p_min)^−β', () => {
    const buffer = new PrioritizedReplayBuffer({ capacity: 8, observationShape: [1], actionDim: 1, alpha: 1, beta: 0.5 });
    fill(buffer, 4);
    buffer.updatePriorities([0, 1, 2, 3], [1, 2, 3, 4]);
    const counts = [0, 0, 0, 0];
    const rng = new Rng(9);
    for (let k = 0; k < 200; k++) {
      const batch = buffer.sample(50, rng);
      for (let b = 0; b < batch.size; b++) {
        const slot = batch.indices[b]!;
        counts[slot]!++;
        if (k > 0) continue;
        const p = [1, 2, 3, 4][slot]! + 1e-6;
        expect(batch.weights[b]).toBeCloseTo((p / (1 + 1e-6)) ** -0.5, 5);
        expect(batch.observations[b]).toBe(slot);
      }
    }
    // Stratified sampling of 10 000 draws: frequencies within 2% of p/Σp = 0.1, 0.2, 0.3, 0.4.
    counts.forEach((c, i) => expect(Math.abs(c / 10_000 - (i + 1) / 10)).toBeLessThan(0.02));
  });

  it('gives new transitions the largest priority seen, and validates updates', () => {
    const buffer = new PrioritizedReplayBuffer({ capacity: 8, observationShape: [1], actionDim: 1, alpha: 0.5 });
    fill(buffer, 2);
    expect(buffer.priority(0)).toBe(1);
    buffer.updatePriorities([1], [8.999999]);
    fill(buffer, 1);
    expect(buffer.priority(2)).toBeCloseTo(3, 9);
    expect(() => buffer.updatePriorities([5], [1])).toThrow(/index 5 \(entry 0\) is not a filled slot of this buffer \(size 3\)/);
    expect(() => buffer.updatePriorities([0], [NaN])).toThrow(/TD error NaN for slot 0/);
  });

  it('resumes its priorities exactly from a checkpoint', () => {
    const options = { capacity: 16, observationShape: [1], actionDim: 1, alpha: 0.7, beta: 0.3 } as const;
    const a = new PrioritizedReplayBuffer(options);
    fill(a, 20);
    a.updatePriorities([0, 3, 7], [5, 0.1, 2]);
    const state = parseWithTypedArrays(stringifyWithTypedArrays(a.getState())) as ReplayBufferState;
    const b = PrioritizedReplayBuffer.fromState(state);
    expect(b.beta).toBe(0.3);
    const sa = Array.from(a.sample(64, new Rng(1)).indices);
    expect(Array.from(b.sample(64, new Rng(1)).indices)).toEqual(sa);
    expect(Array.from(a.sample(8, new Rng(2)).weights)).toEqual(Array.from(b.sample(8, new Rng(2)).weights));
  });
});
