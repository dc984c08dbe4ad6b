/**
 * The forward dynamics against MuJoCo 3 itself: for 20 random states of each Gymnasium model
 * (contacts, limits and equality constraints disabled in the oracle), body poses, the mass
 * matrix, bias, passive and actuator forces and the accelerations must agree with the values
 * MuJoCo computed (../shared/fixtures/mujoco/*.oracle.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forward, loadMjcfFile, PhysicsData, type PhysicsModel } from '../../src/physics/index.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');

interface OracleCase {
  qpos: number[];
  qvel: number[];
  ctrl: number[];
  xpos: number[][];
  xquat: number[][];
  M: number[][];
  qfrc_bias: number[];
  qfrc_passive: number[];
  qfrc_actuator: number[];
  qacc: number[];
}

interface Oracle {
  nq: number;
  nv: number;
  nu: number;
  timestep: number;
  bodies: string[];
  cases: OracleCase[];
}

/**
 * Tolerances (relative). Poses, M and bias: 1e-8, the issue's acceptance bound (both engines
 * are exact up to round-off, so agreement is ~1e-12 in practice). Passive and actuator forces
 * are a product or two of the inputs: 1e-12. Accelerations pass through a solve with M's
 * condition number: 1e-6.
 *
 * Floor: an entry is compared relative to max(|MuJoCo's value|, 1e-6 · max(1, largest |value|
 * of that quantity in the case)). Entries below that floor are round-off residue in both
 * engines (MuJoCo's M has entries like 1e-17 where the exact value is 0), so for them the test
 * checks an absolute error of ≤ tolerance × floor instead of a meaningless relative one.
 */
const TOL = { xpos: 1e-8, xquat: 1e-8, M: 1e-8, qfrc_bias: 1e-8, qfrc_passive: 1e-12, qfrc_actuator: 1e-12, qacc: 1e-6 } as const;
const FLOOR = 1e-6;

type Quantity = keyof typeof TOL;

/** Largest relative error of got vs want under the floor rule above. */
function maxRelError(got: readonly number[], want: readonly number[]): number {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    const g = got[i] as number;
    const e = Math.abs(g - w) / Math.max(Math.abs(w), FLOOR * scale);
    worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
  }
  return worst;
}

function loadOracle(name: string): { model: PhysicsModel; oracle: Oracle } {
  const model = loadMjcfFile(path.join(FIXTURES, `${name}.xml`));
  const oracle = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.oracle.json`), 'utf8')) as Oracle;
  return { model, oracle };
}

/** Runs forward dynamics on `cases` as one batch. */
function runBatch(model: PhysicsModel, cases: readonly OracleCase[]): PhysicsData {
  const data = new PhysicsData(model, cases.length);
  cases.forEach((c, w) => {
    data.setQpos(w, c.qpos);
    data.setQvel(w, c.qvel);
    data.setCtrl(w, c.ctrl);
  });
  forward(model, data);
  return data;
}

/** World w's values of every checked quantity, flattened like the oracle's. */
function extract(model: PhysicsModel, data: PhysicsData, w: number): Record<Quantity, number[]> {
  const g = (buf: Float64Array, n: number): number[] => Array.from(data.gather(buf, n, w));
  const xquat = g(data.xquat, 4 * model.nbody);
  return {
    xpos: g(data.xpos, 3 * model.nbody),
    xquat,
    M: g(data.qM, model.nv * model.nv),
    qfrc_bias: g(data.qfrcBias, model.nv),
    qfrc_passive: g(data.qfrcPassive, model.nv),
    qfrc_actuator: g(data.qfrcActuator, model.nv),
    qacc: g(data.qacc, model.nv),
  };
}

/** q and −q are the same rotation: flip ours to the oracle's hemisphere body by body. */
function alignQuats(ours: number[], theirs: readonly number[][]): number[] {
  const out = [...ours];
  theirs.forEach((q, b) => {
    const dot = q.reduce((s, x, k) => s + x * (ours[4 * b + k] as number), 0);
    if (dot < 0) for (let k = 0; k < 4; k++) out[4 * b + k] = -(out[4 * b + k] as number);
  });
  return out;
}

const MODELS = ['hopper', 'walker2d', 'half_cheetah', 'ant', 'humanoid', 'reacher'] as const;

describe.each(MODELS)('%s against the MuJoCo oracle', (name) => {
  const { model, oracle } = loadOracle(name);

  it('has MuJoCo\'s sizes, body order and timestep', () => {
    expect([model.nq, model.nv, model.nu]).toEqual([oracle.nq, oracle.nv, oracle.nu]);
    expect(model.bodyNames.slice(1)).toEqual(oracle.bodies.slice(1));
    expect(model.timestep).toBe(oracle.timestep);
    expect(oracle.cases).toHaveLength(20);
  });

  it('matches poses, M, bias, passive and actuator forces and qacc in all 20 cases (batched, B = 20)', () => {
    const data = runBatch(model, oracle.cases);
    const worst: Record<string, number> = {};
    oracle.cases.forEach((c, w) => {
      const ours = extract(model, data, w);
      const want: Record<Quantity, number[]> = {
        xpos: c.xpos.flat(),
        xquat: c.xquat.flat(),
        M: c.M.flat(),
        qfrc_bias: c.qfrc_bias,
        qfrc_passive: c.qfrc_passive,
        qfrc_actuator: c.qfrc_actuator,
        qacc: c.qacc,
      };
      ours.xquat = alignQuats(ours.xquat, c.xquat);
      for (const q of Object.keys(TOL) as Quantity[]) {
        const e = maxRelError(ours[q], want[q]);
        worst[q] = Math.max(worst[q] ?? 0, e);
      }
    });
    for (const q of Object.keys(TOL) as Quantity[]) {
      expect(worst[q], `${name} ${q}: max relative error ${worst[q]}`).toBeLessThanOrEqual(TOL[q]);
    }
  });

  it('gives bit-identical results one world at a time (B = 1) and in one batch (B = 20)', () => {
    const batch = runBatch(model, oracle.cases);
    oracle.cases.forEach((c, w) => {
      const single = runBatch(model, [c]);
      expect(extract(model, single, 0)).toEqual(extract(model, batch, w));
    });
  });
});
