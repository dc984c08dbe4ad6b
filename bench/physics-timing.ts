/** Shared pieces of the physics benchmarks: random batched states and per-world timing. */
import type { Rng } from '../src/core/rng.js';
import { JointType, type PhysicsData, type PhysicsModel } from '../src/physics/index.js';

/** Every world of `data` at qpos0 ± 0.2 (free-joint quaternions renormalised), q̇ ~ N(0, 1), ctrl uniform in ±1. */
export function randomState(model: PhysicsModel, data: PhysicsData, rng: Rng): void {
  const B = data.batch;
  for (let w = 0; w < B; w++) {
    const qpos = Float64Array.from(model.qpos0);
    for (let i = 0; i < model.nq; i++) qpos[i] = (qpos[i] as number) + rng.uniformRange(-0.2, 0.2);
    for (let j = 0; j < model.njnt; j++) {
      if (model.jntType[j] !== JointType.Free) continue;
      const a = (model.jntQposAdr[j] as number) + 3;
      const n = Math.hypot(...qpos.subarray(a, a + 4));
      for (let k = 0; k < 4; k++) qpos[a + k] = (qpos[a + k] as number) / n;
    }
    data.setQpos(w, qpos);
    data.setQvel(w, Array.from({ length: model.nv }, () => rng.normal()));
    data.setCtrl(w, Array.from({ length: model.nu }, () => rng.uniformRange(-1, 1)));
  }
}

/** Microseconds per world of `fn` (which processes all B worlds), measured for about `seconds`. */
export function timePerWorld(fn: () => void, B: number, seconds: number): number {
  // Calls per timing check, so the clock is read rarely even at B = 1.
  const chunk = Math.max(1, Math.floor(4096 / B));
  for (let i = 0; i < chunk * 4; i++) fn(); // warm-up
  let calls = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < chunk; i++) fn();
    calls += chunk;
  }
  return ((performance.now() - start) * 1000) / (calls * B);
}
