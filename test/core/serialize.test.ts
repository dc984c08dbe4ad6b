import { describe, expect, it } from 'vitest';
import { parseWithTypedArrays, stringifyWithTypedArrays } from '../../src/core/serialize.js';

describe('typed-array JSON', () => {
  it('round-trips every typed array bit for bit, nested in plain data', () => {
    const value = {
      a: Float64Array.of(Math.PI, -0, Number.MIN_VALUE, Number.NaN, Infinity, 1 / 3),
      b: [Float32Array.of(0.1, -2.5), Int32Array.of(-7, 2 ** 31 - 1), Uint8Array.of(0, 255)],
      c: { n: 3, s: 'x', d: Uint32Array.of(2 ** 32 - 1) },
    };
    const back = parseWithTypedArrays(stringifyWithTypedArrays(value)) as typeof value;
    expect(back.a).toBeInstanceOf(Float64Array);
    expect(Buffer.from(back.a.buffer).equals(Buffer.from(value.a.buffer))).toBe(true);
    expect(Object.is(back.a[1], -0)).toBe(true);
    expect(back.b[0]).toEqual(value.b[0]);
    expect(back.b[1]).toEqual(value.b[1]);
    expect(back.c).toEqual(value.c);
  });

  it('encodes only the viewed bytes of a subarray', () => {
    const big = Float64Array.of(1, 2, 3, 4);
    const back = parseWithTypedArrays(stringifyWithTypedArrays(big.subarray(1, 3))) as Float64Array;
    expect([...back]).toEqual([2, 3]);
  });
});
