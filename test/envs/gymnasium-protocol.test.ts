/** The bridge's TypeScript-only parts, which need no Python: framing, infos, seeds, options. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { ActionEncoder, gymnasiumSeed, unbatchInfo } from '../../src/envs/gymnasium/convert.js';
import { DEFAULT_SPIN_MICROS, resolveOptions } from '../../src/envs/gymnasium/options.js';
import { encodeFrame, FrameReader, ReusableFrame, type Frame } from '../../src/envs/gymnasium/protocol.js';
import { EMPTY_INFO } from '../../src/envs/vector/vector-env.js';

describe('Gymnasium bridge wire format', () => {
  const frames = [encodeFrame({ op: 'reset', seed: 3 }), encodeFrame(null, [Float32Array.of(1.5, -2), Uint8Array.of(7)]), encodeFrame({ i: { x: [1, 2] } }, [new Float64Array(300).fill(0.25)])];
  const bytes = Buffer.concat(frames);

  function read(chunks: Buffer[]): Frame[] {
    const reader = new FrameReader();
    const out: Frame[] = [];
    for (const c of chunks) reader.push(c, (f) => out.push({ header: f.header, payload: Buffer.from(f.payload) }));
    return out;
  }

  it('reads frames whole, several per chunk, and split at every byte boundary', () => {
    const whole = read([bytes]);
    expect(whole.map((f) => f.header)).toEqual([{ op: 'reset', seed: 3 }, null, { i: { x: [1, 2] } }]);
    expect([whole[1]?.payload.readFloatLE(0), whole[1]?.payload.readFloatLE(4), whole[1]?.payload[8]]).toEqual([1.5, -2, 7]);
    expect(whole[2]?.payload.length).toBe(2400);
    for (const cut of [1, 5, 8, 9, 20, bytes.length - 1]) {
      expect(read([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
    }
    expect(read(Array.from(bytes, (b) => Buffer.of(b)))).toEqual(whole);
  });

  it('rejects a stream that is not frames', () => {
    expect(() => new FrameReader().push(Buffer.from('Traceback (most recent call last):\n  File'), () => {})).toThrow(/malformed frame/);
  });

  it('aligns a reusable frame payload for typed-array views', () => {
    const f = new ReusableFrame({ op: 'x' }, 12);
    expect((f.payload.byteOffset - f.buffer.byteOffset) % 8).toBe(0);
    f.float32()[2] = 3;
    const [frame] = read([f.buffer]);
    expect(frame?.header).toEqual({ op: 'x' });
    expect(new ReusableFrame(null, 4).buffer.readUInt32LE(4)).toBe(0);
  });
});

describe('Gymnasium bridge conversions', () => {
  it('unbatches Gymnasium vector infos by their masks, nested dicts included', () => {
    const batched = { t: [1, 2, 3], _t: [true, false, true], nested: { a: [0, 5, 0], _a: [false, true, false] }, _nested: [false, true, false], final_info: {}, _final_info: [false, false, false] };
    expect(unbatchInfo(batched, 0, new Set(['final_info', '_final_info']))).toEqual({ t: 1 });
    expect(unbatchInfo(batched, 1, new Set(['final_info', '_final_info']))).toEqual({ nested: { a: 5 } });
    expect(unbatchInfo({}, 0)).toBe(EMPTY_INFO);
  });

  it('passes integer seeds through and hashes the others deterministically', () => {
    expect(gymnasiumSeed(42)).toBe(42);
    expect(gymnasiumSeed('0/eval/3')).toBe(gymnasiumSeed('0/eval/3'));
    expect(gymnasiumSeed('0/eval/3')).not.toBe(gymnasiumSeed('0/eval/4'));
    expect(Number.isInteger(gymnasiumSeed(-1)) && gymnasiumSeed(-1) >= 0).toBe(true);
  });

  it('checks, clips and encodes batched actions', () => {
    const box = new ActionEncoder('gymnasium:X', new Box(-1, 1, [2]), true);
    const out = new Float32Array(4);
    box.encode(Float32Array.of(0.5, 3, -7, 0), 0, 2, out);
    expect(Array.from(out)).toEqual([0.5, 1, -1, 0]);
    expect(() => box.encode(Float32Array.of(0, Number.NaN), 0, 1, out)).toThrow(/copy 0, entry 1, is NaN/);
    const discrete = new ActionEncoder('gymnasium:X', new Discrete(3, 1), true);
    expect(() => discrete.checkBatch(new Int32Array(3), 2)).toThrow(/expected 2×1 = 2 action entries, got 3/);
    expect(() => discrete.encode(Int32Array.of(1, 0), 0, 2, new Int32Array(2))).toThrow(/copy 1 is 0, outside \[1, 3\]/);
  });

  it('rejects unknown options, pointing to kwargs', () => {
    expect(() => resolveOptions('make("gymnasium:X")', { gravity: 9.8 }, 2)).toThrow(/unknown option "gravity".*kwargs: \{ gravity: … \}/);
    expect(() => resolveOptions('make("gymnasium:X")', { timeoutMs: 0 }, 2)).toThrow(/timeoutMs must be a positive integer/);
    expect(resolveOptions('x', { python: '/usr/bin/python3' }, 1).python).toEqual({ command: '/usr/bin/python3', source: 'option' });
  });

  it('polls by default only where Node and the servers fit the cores; spinMicros overrides', () => {
    const cores = availableParallelism();
    for (const processes of [1, 2, 4]) {
      expect(resolveOptions('x', { processes }, 8).spinMicros).toBe(processes + 1 <= cores ? DEFAULT_SPIN_MICROS : 0);
    }
    expect(resolveOptions('x', { processes: 4, spinMicros: 50 }, 8).spinMicros).toBe(50);
    expect(resolveOptions('x', { spinMicros: 0 }, null).spinMicros).toBe(0);
    expect(() => resolveOptions('make("gymnasium:X")', { spinMicros: -1 }, 2)).toThrow(/spinMicros must be a number of µs ≥ 0, got -1/);
    expect(() => resolveOptions('make("gymnasium:X")', { spinMicros: Number.NaN }, 2)).toThrow(/spinMicros must be/);
  });

  it('gymnasium:ID uses the zoo hyperparameters of ID', () => {
    expect(resolveConfig({ algo: 'ppo', env: 'gymnasium:CartPole-v1' })).toMatchObject({ numEnvs: 8, nSteps: 32, totalSteps: 100000 });
  });
});
