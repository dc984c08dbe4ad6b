import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chainJoints, findEffector, KinematicBatch } from '../../src/ik/index.js';
import { loadMjcfFile } from '../../src/physics/index.js';
import { runCliInProcess } from '../helpers/cli.js';

const HUMANOID = fileURLToPath(new URL('../../../shared/fixtures/mujoco/humanoid.xml', import.meta.url));

async function ikJson(...args: string[]): Promise<{ out: { angles: Record<string, number>; positionError: number; iterations: number; ms: number; success: boolean }; code: number }> {
  const r = await runCliInProcess('ik', '--model', HUMANOID, '--json', ...args);
  return { out: JSON.parse(r.out.split('\n')[0] as string), code: r.code };
}

describe('rxrl ik', () => {
  it('solves torso:right_hand on humanoid.xml: the printed angles put the hand on the target', async () => {
    const { out, code } = await ikJson('--chain', 'torso:right_hand', '--target', '0.2,-0.4,1.3');
    expect(code).toBe(0);
    expect(out.success).toBe(true);
    expect(Object.keys(out.angles)).toEqual(['right_shoulder1', 'right_shoulder2', 'right_elbow']);
    expect(out.positionError).toBeLessThanOrEqual(0.001);
    // Independent check: FK of the printed angles.
    const model = loadMjcfFile(HUMANOID);
    const hand = findEffector(model, 'right_hand');
    const kb = new KinematicBatch(model, 1, { joints: chainJoints(model, model.bodyNames.indexOf('torso'), hand.body) });
    kb.setVariables(Object.values(out.angles));
    const p = new Float64Array(3);
    kb.position(hand, 0, p);
    expect(Math.hypot((p[0] as number) - 0.2, (p[1] as number) + 0.4, (p[2] as number) - 1.3)).toBeLessThanOrEqual(0.001);
  });

  it('an unreachable target is a reported failure (exit 2), not a hang; bad names and targets are errors naming the fix', async () => {
    const far = await ikJson('--chain', 'torso:right_hand', '--target', '5,0,1', '--solver', 'ccd', '--max-iterations', '100');
    expect(far.code).toBe(2);
    expect(far.out.success).toBe(false);
    expect(far.out.iterations).toBe(100);
    const unknown = await runCliInProcess('ik', '--model', HUMANOID, '--chain', 'torso:right_hnd', '--target', '0,0,1');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no body, geom or site named "right_hnd"; did you mean "right_hand"/);
    const nan = await runCliInProcess('ik', '--model', HUMANOID, '--chain', 'torso:right_hand', '--target', '1,NaN,1');
    expect(nan.code).not.toBe(0);
    expect(nan.err).toMatch(/expected three finite numbers x,y,z/);
    const chain = await runCliInProcess('ik', '--model', HUMANOID, '--chain', 'right_hand', '--target', '0,0,1');
    expect(chain.err).toMatch(/--chain must be ROOT:TIP/);
  });
});
