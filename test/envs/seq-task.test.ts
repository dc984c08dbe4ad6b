import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { checkEnv, make } from '../../src/envs/index.js';
import type { Env } from '../../src/envs/env.js';
import { SeqTaskKernel, type SeqTaskName } from '../../src/envs/tasks/seq-task.js';
import { SyncVectorEnv } from '../../src/envs/vector/sync-vector-env.js';
import type { VectorEnv } from '../../src/envs/vector/vector-env.js';
import { VectorRecordEpisodeStatistics } from '../../src/envs/wrappers/record-episode-statistics.js';
import { evaluatePolicy } from '../../src/loop/evaluate.js';

/** Decodes the prompt digits and the position from a SeqTask observation. */
function decode(obs: ArrayLike<number>, k: SeqTaskKernel): { prompt: number[]; position: number } {
  const prompt: number[] = [];
  for (let i = 0; i < k.promptLength; i++) for (let d = 0; d < k.base; d++) if (obs[i * k.base + d] === 1) prompt.push(d);
  let position = -1;
  const at = (k.promptLength + k.answerLength) * k.base;
  for (let t = 0; t < k.answerLength; t++) if (obs[at + t] === 1) position = t;
  return { prompt, position };
}

/** The right answer, computed independently of the kernel. */
function answer(task: SeqTaskName, prompt: number[], base: number): number[] {
  if (task === 'reverse') return [...prompt].reverse();
  if (task === 'sort') return [...prompt].sort((a, b) => a - b);
  const n = prompt.length / 2;
  const value = (digits: number[]) => digits.reduce((v, d) => v * BigInt(base) + BigInt(d), 0n);
  let sum = value(prompt.slice(0, n)) + value(prompt.slice(n));
  const out: number[] = [];
  for (let i = 0; i <= n; i++) {
    out.unshift(Number(sum % BigInt(base)));
    sum /= BigInt(base);
  }
  return out;
}

describe('rxrl/SeqTask-v0', () => {
  it('passes checkEnv for every task', async () => {
    for (const task of ['reverse', 'sort', 'add']) expect((await checkEnv(make('rxrl/SeqTask-v0', { task, length: 4, base: 7 }))).ok).toBe(true);
  });

  it('rewards exactly the right answer (reverse, sort, add) and reports is_success', () => {
    for (const task of ['reverse', 'sort', 'add'] as const) {
      const kernel = new SeqTaskKernel({ task, length: 4, base: 7 });
      const env = make('rxrl/SeqTask-v0', { task, length: 4, base: 7 }) as Env<Float32Array, number>;
      for (let episode = 0; episode < 20; episode++) {
        const { observation } = env.reset({ seed: `${task}-${episode}` }) as { observation: Float32Array };
        const { prompt } = decode(observation, kernel);
        expect(prompt).toHaveLength(kernel.promptLength);
        const right = answer(task, prompt, 7);
        // Every other episode gets its last digit wrong.
        const wrong = episode % 2 === 1;
        let total = 0;
        for (let t = 0; t < right.length; t++) {
          const last = t === right.length - 1;
          const digit = wrong && last ? ((right[t] as number) + 1) % 7 : (right[t] as number);
          const r = env.step(digit) as { observation: Float32Array; reward: number; terminated: boolean; info: Record<string, unknown> };
          expect(decode(r.observation, kernel).position).toBe(last ? -1 : t + 1);
          expect(r.terminated).toBe(last);
          total += r.reward;
          if (last) expect(r.info['is_success']).toBe(!wrong);
        }
        expect(total).toBe(wrong ? 0 : 1);
      }
    }
  });

  it('gives the fraction of right digits with reward "partial"', () => {
    const env = make('rxrl/SeqTask-v0', { length: 5, reward: 'partial' }) as Env<Float32Array, number>;
    const kernel = new SeqTaskKernel({ length: 5 });
    const { observation } = env.reset({ seed: 3 }) as { observation: Float32Array };
    const right = answer('reverse', decode(observation, kernel).prompt, 10);
    let total = 0;
    // Digits 0 and 3 wrong: 3 of 5 right.
    right.forEach((d, t) => (total += (env.step(t === 0 || t === 3 ? (d + 1) % 10 : d) as { reward: number }).reward));
    expect(total).toBeCloseTo(3 / 5, 12);
  });

  it('with prompt "first" shows the prompt on the first step only, the rest of the observation unchanged', () => {
    const kernel = new SeqTaskKernel({ length: 4, base: 3 });
    const shown = make('rxrl/SeqTask-v0', { length: 4, base: 3 }) as Env<Float32Array, number>;
    const hidden = make('rxrl/SeqTask-v0', { length: 4, base: 3, prompt: 'first' }) as Env<Float32Array, number>;
    const a = (shown.reset({ seed: 9 }) as { observation: Float32Array }).observation;
    const b = (hidden.reset({ seed: 9 }) as { observation: Float32Array }).observation;
    expect(Array.from(b)).toEqual(Array.from(a));
    const promptSize = kernel.promptLength * 3;
    for (const digit of [2, 0, 1]) {
      const x = (shown.step(digit) as { observation: Float32Array }).observation;
      const y = (hidden.step(digit) as { observation: Float32Array }).observation;
      expect(Array.from(y.subarray(0, promptSize)).every((v) => v === 0)).toBe(true);
      expect(Array.from(x.subarray(0, promptSize)).some((v) => v === 1)).toBe(true);
      expect(Array.from(y.subarray(promptSize))).toEqual(Array.from(x.subarray(promptSize)));
    }
    expect(() => make('rxrl/SeqTask-v0', { prompt: 'never' })).toThrow(/prompt must be "always" or "first"/);
  });

  it('rejects bad keyword arguments with the accepted values', () => {
    expect(() => make('rxrl/SeqTask-v0', { task: 'multiply' })).toThrow(/task must be one of reverse, sort, add/);
    expect(() => make('rxrl/SeqTask-v0', { base: 1 })).toThrow(ConfigError);
    expect(() => make('rxrl/SeqTask-v0', { length: 2.5 })).toThrow(/length must be an integer/);
  });

  it('replays one instance to copies reset with the same seed (per-copy seeds), natively and in a SyncVectorEnv', async () => {
    const seeds = ['a', 'a', 'a', 'b', 'b', 'b'];
    const native = make('rxrl/SeqTask-v0', { numEnvs: 6 });
    const D = native.observationSize;
    const obs = Float32Array.from((native.reset({ seeds }) as { observations: Float32Array }).observations);
    const row = (i: number) => Array.from(obs.subarray(i * D, (i + 1) * D));
    expect(row(1)).toEqual(row(0));
    expect(row(2)).toEqual(row(0));
    expect(row(4)).toEqual(row(3));
    expect(row(3)).not.toEqual(row(0));
    // A copy reset with seed s starts as a single env reset with s.
    const single = make('rxrl/SeqTask-v0') as Env<Float32Array, number>;
    expect(Array.from((single.reset({ seed: 'b' }) as { observation: Float32Array }).observation)).toEqual(row(3));
    const sync = new SyncVectorEnv(seeds.map(() => make('rxrl/SeqTask-v0')));
    expect(Array.from((await sync.reset({ seeds })).observations)).toEqual(Array.from(obs));
    expect(() => native.reset({ seeds: ['a'] })).toThrow(/1 seeds for 6 copies/);
    expect(() => native.reset({ seed: 1, seeds })).toThrow(/either seed or seeds/);
  });

  it('evaluation reports the success rate', async () => {
    const kernel = new SeqTaskKernel({ length: 3, base: 4 });
    const env: VectorEnv = new VectorRecordEpisodeStatistics(make('rxrl/SeqTask-v0', { numEnvs: 1, length: 3, base: 4 }));
    const actions = new Int32Array(1);
    const oracle = {
      act(o: Float32Array) {
        const { prompt, position } = decode(o, kernel);
        actions[0] = prompt[kernel.promptLength - 1 - position] as number;
        return { actions };
      },
    };
    const perfect = await evaluatePolicy(oracle, env, 12, { seed: 'e', deterministic: true });
    expect(perfect.successRate).toBe(1);
    expect(perfect.mean).toBe(1);
    // Always emitting 0 succeeds exactly on the prompts of zeros: the rate equals the mean return.
    const zeros = { act: () => ({ actions: new Int32Array(1) }) };
    const r = await evaluatePolicy(zeros, env, 40, { seed: 'e', deterministic: true });
    expect(r.successRate).toBe(r.mean);
    expect(r.successRate).toBeLessThan(0.5);
  });
});
