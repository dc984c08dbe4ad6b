/**
 * Physics sanity on the locomotion models (PHYSICS.md §7.6): a standing hopper rests on the
 * ground with less than 2 mm of penetration, and random actions never produce NaN or runaway
 * velocities.
 *
 * The NaN check runs B worlds × T actions of uniform random controls held for one action's frame
 * skip, without resets (fallen bodies keep flailing on the ground, the hardest case for
 * contact). By default it runs a reduced budget so the suite stays fast; set
 * `RXRL_PHYSICS_LONG=1` to run the acceptance budget of 10⁶ env steps per task
 * (1000 worlds × 1000 actions; minutes per task).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { LOCOMOTION_TASKS, locomotionModel, locomotionTask } from '../../src/envs/locomotion/index.js';
import { PhysicsData, step } from '../../src/physics/index.js';

const LONG = process.env['RXRL_PHYSICS_LONG'] === '1';

describe('a standing hopper', () => {
  it('settles on the ground with its joints held by a PD controller, penetrating less than 2 mm', () => {
    const model = locomotionModel(locomotionTask('rxrl/Hopper-v0'));
    const data = new PhysicsData(model, 1);
    let maxPenetration = 0;
    let minTorso = Infinity;
    for (let t = 0; t < 1500; t++) {
      // Hold thigh, leg and foot at 0 (the XML pose, feet flat): ctrl = −5·q − 0.5·q̇ (gear 200).
      for (let u = 0; u < 3; u++) data.ctrl[u] = Math.max(-1, Math.min(1, -5 * (data.qpos[3 + u] as number) - 0.5 * (data.qvel[3 + u] as number)));
      step(model, data, 1);
      if (t < 500) continue; // landing from the 4 cm drop of the XML pose
      for (let c = 0; c < model.ncon; c++) maxPenetration = Math.max(maxPenetration, -(data.conDist[c] as number));
      minTorso = Math.min(minTorso, data.qpos[1] as number);
    }
    expect(minTorso).toBeGreaterThan(1.2); // still standing (the torso starts at 1.25)
    expect(maxPenetration).toBeGreaterThan(0); // it does rest on the ground...
    expect(maxPenetration).toBeLessThan(2e-3); // ...within 2 mm (measured 0.5 mm)
    expect(Math.abs(data.qvel[0] as number)).toBeLessThan(1e-3); // and at rest
  });
});

describe('random actions', () => {
  // Reduced budget: (worlds, actions) per task; the acceptance budget is 1000 × 1000.
  const budget: Record<string, readonly [number, number]> = {
    'rxrl/Hopper-v0': [128, 1000],
    'rxrl/Walker2d-v0': [64, 1000],
    'rxrl/HalfCheetah-v0': [32, 500],
    'rxrl/Ant-v0': [16, 500],
  };
  for (const task of LOCOMOTION_TASKS) {
    const [B, T] = LONG ? [1000, 1000] : (budget[task.id] as readonly [number, number]);
    it(`never give NaN or runaway velocities: ${task.id}, ${B} worlds × ${T} actions × ${task.frameSkip} substeps, no resets`, () => {
      const model = locomotionModel(task);
      const data = new PhysicsData(model, B);
      const rng = new Rng(`nan/${task.id}`);
      let worstVel = 0;
      let bad = 0;
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < data.ctrl.length; i++) data.ctrl[i] = rng.uniformRange(-1, 1);
        step(model, data, task.frameSkip);
        for (let i = 0; i < data.qvel.length; i++) {
          const v = Math.abs(data.qvel[i] as number);
          if (!(v < 1e3)) bad++;
          else if (v > worstVel) worstVel = v;
        }
        for (let i = 0; i < data.qpos.length; i++) if (!Number.isFinite(data.qpos[i] as number)) bad++;
      }
      expect(bad).toBe(0);
      // The largest joint speed random torques reach is ~30–120 rad/s; a blow-up goes far beyond.
      expect(worstVel).toBeLessThan(300);
    }, LONG ? 1_800_000 : 120_000); // the long budget takes minutes per task (ant ≈ 5 min here)
  }
});
