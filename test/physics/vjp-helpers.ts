/**
 * Shared fixtures of the VJP tests: model loading, random states (also near the ground and the
 * joint limits), the explicit stage sequence the composed VJP differentiates, a substep that
 * leaves its input state in place, and a finite-difference check of the scalar contact/limit
 * parameters.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../../src/core/rng.js';
import {
  actuatorForces,
  buildModel,
  checkDirectional,
  choleskyFactor,
  choleskySolve,
  comKinematics,
  contactForces,
  crba,
  JointType,
  kinematics,
  loadMjcfFile,
  mjcfToSpec,
  passiveForces,
  rneBias,
  scalarParam,
  substep,
  withScalarParams,
  type PhysicsData,
  type PhysicsGrad,
  type ModelParamName,
  type PhysicsModel,
  type ScalarParamName,
} from '../../src/physics/index.js';
import type { DirectionalCheck, NormalSource, VjpCheckSpec } from '../../src/physics/backward/index.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');

/** Directions of the VJP checks: aligned by default, random with `VJP_DIRECTIONS=random`. */
export const DIRECTIONS = process.env.VJP_DIRECTIONS === 'random' ? 'random' : 'aligned';

/** One stage under a VJP check: what it reads and writes, how to run it and its VJP. */
export interface StageUnderTest {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly symmetricInputs?: readonly string[];
  readonly params: readonly ModelParamName[];
  readonly outputs: readonly string[];
  run(model: PhysicsModel, data: PhysicsData): void;
  vjp(model: PhysicsModel, data: PhysicsData, grad: PhysicsGrad): void;
}

/** The `checkVjp` spec of `stage` at the current state of `data`. */
export function stageCheckSpec(model: PhysicsModel, data: PhysicsData, grad: PhysicsGrad, stage: StageUnderTest, rng: Rng): VjpCheckSpec {
  return {
    model,
    data,
    grad,
    inputs: stage.inputs,
    ...(stage.symmetricInputs ? { symmetricInputs: stage.symmetricInputs } : {}),
    params: stage.params,
    outputs: stage.outputs,
    run: () => stage.run(model, data),
    vjp: () => stage.vjp(model, data, grad),
    rng,
    directions: DIRECTIONS,
  };
}

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

/** A fixture model; with `timestep`, that substep instead of the XML's (the locomotion envs use 2 ms). */
export function loadModel(name: string, timestep?: number): PhysicsModel {
  const file = path.join(FIXTURES, `${name}.xml`);
  if (timestep === undefined) return loadMjcfFile(file);
  return buildModel({ ...mjcfToSpec(readFileSync(file, 'utf8'), { fileName: file }), timestep });
}

/** qpos address of the coordinate that lifts the whole robot: a free joint's z, or a root slide along z. */
export function heightAddress(model: PhysicsModel): number {
  for (let j = 0; j < model.njnt; j++) {
    if ((model.jntBody[j] as number) !== (model.jntBody[0] as number)) break;
    const a = model.jntQposAdr[j] as number;
    if (model.jntType[j] === JointType.Free) return a + 2;
    if (model.jntType[j] === JointType.Slide && Math.abs((model.jntAxis[3 * j + 2] as number) - 1) < 1e-12) return a;
  }
  throw new Error(`model "${model.name}" has no vertical root coordinate`);
}

/**
 * Random states in contact and at the joint limits: joints at qpos0 ± 0.3 (a free joint at a
 * random tilt), and each limited joint, with probability ½, within −2…+3 smoothing lengths of
 * one end of its range; the robot is then lowered or lifted so that its lowest contact sphere
 * is at φ ∈ [−2s, 2s] (s the contact smoothing). q̇ ~ σ·N(0, 1) with σ = 0.3 in world 0 (slow,
 * resting contact) and 1 elsewhere; ctrl uniform in ±0.95. Leaves `data` with the state set
 * (intermediates stale).
 */
export function contactState(model: PhysicsModel, data: PhysicsData, rng: Rng): void {
  const B = data.batch;
  const sl = model.limit.smoothing;
  for (let w = 0; w < B; w++) {
    const q = Float64Array.from(model.qpos0, (x) => x + rng.uniformRange(-0.3, 0.3));
    for (let j = 0; j < model.njnt; j++) {
      const a = model.jntQposAdr[j] as number;
      if (model.jntType[j] === JointType.Free) {
        const quat = [1, 0.2 * rng.normal(), 0.2 * rng.normal(), 0.2 * rng.normal()];
        const n = Math.hypot(...quat);
        for (let k = 0; k < 4; k++) q[a + 3 + k] = (quat[k] as number) / n;
      } else if (model.jntLimited[j] === 1 && rng.uniform() < 0.5) {
        const lo = model.jntRange[2 * j] as number;
        const hi = model.jntRange[2 * j + 1] as number;
        const off = sl * rng.uniformRange(-2, 3);
        q[a] = rng.uniform() < 0.5 ? lo + off : hi - off;
      }
    }
    data.setQpos(w, q);
    const sigma = w === 0 ? 0.3 : 1;
    data.setQvel(w, Array.from({ length: model.nv }, () => sigma * rng.normal()));
    data.setCtrl(w, Array.from({ length: model.nu }, () => rng.uniformRange(-0.95, 0.95)));
  }
  // Lowest sphere to φ ∈ [−2s, 2s] (the height coordinate moves every sphere rigidly).
  kinematics(model, B, data);
  comKinematics(model, B, data);
  rneBias(model, B, data);
  contactForces(model, B, data);
  const z = heightAddress(model);
  const s = model.contact.smoothing;
  for (let w = 0; w < B; w++) {
    let low = Infinity;
    for (let c = 0; c < model.ncon; c++) low = Math.min(low, data.conDist[c * B + w] as number);
    data.qpos[z * B + w] = (data.qpos[z * B + w] as number) + s * rng.uniformRange(-2, 2) - low;
  }
}

/** One substep that keeps its input state: `qpos`/`qvel` stay, the new state is in `qposNext`/`qvelNext` (a stage `run` for checkVjp). */
export function substepInPlace(model: PhysicsModel, data: PhysicsData): void {
  const q = Float64Array.from(data.qpos);
  const v = Float64Array.from(data.qvel);
  substep(model, data);
  data.qpos.set(q);
  data.qvel.set(v);
}

/** What {@link checkScalarParams} differentiates. */
export interface ScalarParamCheckSpec {
  readonly model: PhysicsModel;
  readonly data: PhysicsData;
  readonly grad: PhysicsGrad;
  readonly names: readonly ScalarParamName[];
  /** Output buffers (PhysicsData fields) the random functional reads. */
  readonly outputs: readonly string[];
  /** The stage's forward with the given model. */
  run(model: PhysicsModel): void;
  /** The VJP under test (with the base model). */
  vjp(): void;
  readonly rng: NormalSource;
  readonly relEps?: number;
}

/**
 * The scalar contact/limit parameters (which checkVjp cannot perturb: they live in the model's
 * frozen `contact`/`limit` objects) against central differences: a random functional of the
 * outputs, one random direction over the parameters with signs aligned to the VJP's gradient
 * (summed over worlds), each parameter moved relative to its own value (`relEps`, default 1e-6).
 */
export function checkScalarParams(spec: ScalarParamCheckSpec): DirectionalCheck {
  const { model, data, grad, names, rng } = spec;
  const relEps = spec.relEps ?? 1e-6;
  const bufs = spec.outputs.map((o) => (data as unknown as Record<string, Float64Array>)[o] as Float64Array);
  spec.run(model);
  const seeds = bufs.map((b) => Float64Array.from(b, () => rng.normal()));
  grad.zero();
  spec.outputs.forEach((o, i) => ((grad as unknown as Record<string, Float64Array>)[`${o}Bar`] as Float64Array).set(seeds[i] as Float64Array));
  spec.vjp();
  const base = names.map((n) => scalarParam(model, n));
  const sums = names.map((n) => grad.params.sumOverWorlds(n)[0] as number);
  const dir = names.map((_, i) => {
    const r = rng.normal();
    const g = sums[i] as number;
    return g !== 0 ? Math.sign(g) * Math.abs(r) : r;
  });
  const norm = Math.hypot(...dir);
  const v = dir.map((d, i) => (d / norm) * (Math.abs(base[i] as number) || 1));
  const analytic = v.reduce((acc, vi, i) => acc + vi * (sums[i] as number), 0);
  const outAt = (t: number): Float64Array[] => {
    const values: Partial<Record<ScalarParamName, number>> = {};
    names.forEach((n, i) => (values[n] = (base[i] as number) + t * (v[i] as number)));
    spec.run(withScalarParams(model, values));
    return bufs.map((b) => Float64Array.from(b));
  };
  const diff = (t: number): number => {
    const p = outAt(t);
    const m = outAt(-t);
    let s = 0;
    seeds.forEach((sd, i) => sd.forEach((x, k) => (s += x * (((p[i] as Float64Array)[k] as number) - ((m[i] as Float64Array)[k] as number)))));
    return s;
  };
  const res = checkDirectional(diff, analytic, relEps);
  spec.run(model);
  return res;
}

