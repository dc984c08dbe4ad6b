/**
 * Shared fixtures of the VJP tests: model loading, random states and the explicit stage
 * sequence the composed VJP differentiates.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../../src/core/rng.js';
import {
  actuatorForces,
  choleskyFactor,
  choleskySolve,
  comKinematics,
  crba,
  JointType,
  kinematics,
  loadMjcfFile,
  passiveForces,
  rneBias,
  type PhysicsData,
  type PhysicsModel,
} from '../../src/physics/index.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');

/** The contact-free forward dynamics as the explicit sequence of stages the VJPs mirror. */
export function smoothForward(model: PhysicsModel, data: PhysicsData): void {
  const n = data.batch;
  kinematics(model, n, data);
  comKinematics(model, n, data);
  crba(model, n, data);
  rneBias(model, n, data);
  passiveForces(model, n, data);
  actuatorForces(model, n, data);
  choleskyFactor(model, n, data);
  choleskySolve(model, n, data);
}

/**
 * Random states: qpos0 ± 0.4 (hinges, slides), a free joint's position ± 0.5 and an
 * unnormalised random quaternion of norm 0.6–1.4; q̇ ~ 2·N(0, 1); ctrl uniform in ±0.95.
 */
export function randomState(model: PhysicsModel, data: PhysicsData, rng: Rng): void {
  for (let w = 0; w < data.batch; w++) {
    const qpos = Float64Array.from(model.qpos0, (x) => x + rng.uniformRange(-0.4, 0.4));
    for (let j = 0; j < model.njnt; j++) {
      if (model.jntType[j] !== JointType.Free) continue;
      const a = (model.jntQposAdr[j] as number) + 3;
      const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
      const s = rng.uniformRange(0.6, 1.4) / Math.hypot(...q);
      for (let k = 0; k < 4; k++) qpos[a + k] = (q[k] as number) * s;
    }
    data.setQpos(w, qpos);
    data.setQvel(w, Array.from({ length: model.nv }, () => 2 * rng.normal()));
    data.setCtrl(w, Array.from({ length: model.nu }, () => rng.uniformRange(-0.95, 0.95)));
  }
}

export function loadModel(name: string): PhysicsModel {
  return loadMjcfFile(path.join(FIXTURES, `${name}.xml`));
}

