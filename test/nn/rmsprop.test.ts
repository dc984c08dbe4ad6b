import { describe, expect, it } from 'vitest';
import { RmsProp } from '../../src/nn/fast/rmsprop.js';

describe('RmsProp (torch.optim.RMSprop semantics)', () => {
  it('two hand-computed steps, eps outside the square root', () => {
    const opt = new RmsProp(2, { lr: 0.1, alpha: 0.9, eps: 0.5 });
    const p = Float64Array.of(1, -2);
    opt.step(p, Float64Array.of(2, 0));
    // s = 0.1·4 = 0.4; p0 = 1 − 0.1·2/(√0.4 + 0.5); a zero gradient moves nothing.
    expect(p[0]).toBeCloseTo(1 - 0.2 / (Math.sqrt(0.4) + 0.5), 15);
    expect(p[1]).toBe(-2);
    const p0 = p[0] as number;
    opt.step(p, Float64Array.of(-1, 3), 0.2);
    // s = 0.9·0.4 + 0.1·1 = 0.46 and 0.1·9 = 0.9; the learning rate passed to step wins.
    expect(p[0]).toBeCloseTo(p0 + 0.2 / (Math.sqrt(0.46) + 0.5), 15);
    expect(p[1]).toBeCloseTo(-2 - (0.2 * 3) / (Math.sqrt(0.9) + 0.5), 15);
    expect(opt.t).toBe(2);
  });

  it("SB3 A2C's defaults: alpha 0.99, the first step ≈ 10·lr·sign(g)", () => {
    const opt = new RmsProp(1, { lr: 7e-4, eps: 1e-5 });
    expect(opt.alpha).toBe(0.99);
    const p = Float64Array.of(0);
    opt.step(p, Float64Array.of(3));
    expect(p[0]).toBeCloseTo(-7e-4 * 3 / (Math.sqrt(0.01 * 9) + 1e-5), 15);
    expect(p[0]).toBeCloseTo(-7e-3, 6);
  });

  it('state export/import continues bit-exactly', () => {
    const grads = [Float64Array.of(0.3, -1.2, 2), Float64Array.of(-0.7, 0.1, 0.4), Float64Array.of(1.5, -0.2, -0.9)];
    const a = new RmsProp(3, { lr: 0.01, eps: 1e-5 });
    const pa = Float64Array.of(0.1, 0.2, 0.3);
    a.step(pa, grads[0] as Float64Array);
    const b = new RmsProp(3, { lr: 0.01, eps: 1e-5 });
    b.setState(a.getState());
    const pb = pa.slice();
    for (const g of grads.slice(1)) {
      a.step(pa, g);
      b.step(pb, g);
    }
    expect(Buffer.from(pb.buffer).equals(Buffer.from(pa.buffer))).toBe(true);
    expect(b.t).toBe(3);
    expect(() => b.setState({ squareAvg: new Float64Array(2), t: 0 })).toThrow(RangeError);
  });
});
