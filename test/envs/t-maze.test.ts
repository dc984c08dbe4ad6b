import { describe, expect, it } from 'vitest';
import { checkEnv, make } from '../../src/envs/index.js';
import type { Env } from '../../src/envs/env.js';

type Step = { observation: Float32Array; reward: number; terminated: boolean; truncated: boolean; info: Record<string, unknown> };
const [NORTH, EAST, SOUTH, WEST] = [0, 1, 2, 3];

describe('rxrl/TMaze-v0', () => {
  it('passes checkEnv', async () => {
    expect((await checkEnv(make('rxrl/TMaze-v0', { length: 4 }))).ok).toBe(true);
  });

  it('shows the cue on the first step only, and rewards the cued turn at the junction', () => {
    const env = make('rxrl/TMaze-v0', { length: 3 }) as Env<Float32Array, number>;
    const cues = { up: 0, down: 0 };
    for (let episode = 0; episode < 40; episode++) {
      const first = (env.reset({ seed: episode }) as { observation: Float32Array }).observation;
      expect(first[0]! + first[1]!).toBe(1);
      const up = first[0] === 1;
      cues[up ? 'up' : 'down']++;
      // West at the start and north/south in the corridor change nothing; the cue is gone after step one.
      for (const a of [WEST, NORTH, SOUTH]) {
        const r = env.step(a) as Step;
        expect(Array.from(r.observation)).toEqual([0, 0, 1, 0]);
        expect(r.terminated).toBe(false);
      }
      for (let i = 0; i < 3; i++) (env.step(EAST) as Step);
      expect(Array.from((env.step(EAST) as Step).observation)).toEqual([0, 0, 0, 1]);
      const wrong = episode % 2 === 1;
      const turn = up !== wrong ? NORTH : SOUTH;
      const end = env.step(turn) as Step;
      expect(end.terminated).toBe(true);
      expect(end.reward).toBe(wrong ? 0 : 1);
      expect(end.info['is_success']).toBe(!wrong);
    }
    // Both cues occur.
    expect(cues.up).toBeGreaterThan(5);
    expect(cues.down).toBeGreaterThan(5);
  });

  it('rejects a bad length', () => {
    expect(() => make('rxrl/TMaze-v0', { length: 0 })).toThrow(/length must be an integer in \[1, 200\]/);
  });
});
