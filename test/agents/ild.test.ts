import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { chamferDistance } from '../../src/agents/ild/chamfer.js';
import { bundledExpertPath, readExpertTrajectory } from '../../src/agents/ild/expert-trajectory.js';
import { IldAgent } from '../../src/agents/ild/ild-agent.js';
import type { IldConfig, IldConfigInput } from '../../src/agents/ild/ild-config.js';
import { Rng } from '../../src/core/rng.js';
import { LocomotionBatch } from '../../src/envs/locomotion/locomotion-env.js';
import { locomotionTask } from '../../src/envs/locomotion/tasks.js';

/** Brute force: the full distance matrix, then row and column minima. */
function chamferBrute(x: number[][], y: number[][], w: number[]): number {
  const d = x.map((xi) => y.map((yj) => xi.reduce((s, v, f) => s + (w[f] as number) * (v - (yj[f] as number)) ** 2, 0)));
  const rowMin = d.map((row) => Math.min(...row));
  const colMin = y.map((_, j) => Math.min(...d.map((row) => row[j] as number)));
  return rowMin.reduce((a, b) => a + b, 0) / x.length + colMin.reduce((a, b) => a + b, 0) / y.length;
}

describe('Chamfer distance', () => {
  const rng = new Rng('chamfer');
  const n = 7;
  const m = 5;
  const d = 3;
  const x = Float64Array.from({ length: n * d }, () => rng.normal());
  const y = Float64Array.from({ length: m * d }, () => rng.normal());
  const w = Float64Array.from({ length: d }, () => rng.uniformRange(0.5, 2));
  const rows = (a: Float64Array, k: number) => Array.from({ length: a.length / k }, (_, i) => Array.from(a.subarray(i * k, (i + 1) * k)));
  const nearest = new Int32Array(Math.max(n, m));

  it('equals the brute-force value, both directions', () => {
    const t = chamferDistance(x, 0, n, y, m, d, w, nearest);
    expect(t.toExpert + t.fromExpert).toBeCloseTo(chamferBrute(rows(x, d), rows(y, d), Array.from(w)), 13);
    // Symmetric in its arguments (the halves swap).
    const s = chamferDistance(y, 0, m, x, n, d, w, nearest);
    expect(s.toExpert).toBeCloseTo(t.fromExpert, 13);
    expect(s.fromExpert).toBeCloseTo(t.toExpert, 13);
    expect(chamferDistance(x, 0, n, x, n, d, w, nearest)).toEqual({ toExpert: 0, fromExpert: 0 });
  });

  it('has the gradient of central finite differences in every coordinate', () => {
    const grad = new Float64Array(n * d);
    chamferDistance(x, 0, n, y, m, d, w, nearest, grad, 1);
    const eps = 1e-6;
    for (let i = 0; i < n * d; i++) {
      const at = (s: number) => {
        const xs = x.slice();
        xs[i] = (xs[i] as number) + s * eps;
        return chamferBrute(rows(xs, d), rows(y, d), Array.from(w));
      };
      expect(grad[i]).toBeCloseTo((at(1) - at(-1)) / (2 * eps), 6);
    }
  });
});

describe('expert trajectory', () => {
  it('the bundled hopper expert is a full, high-return episode that replays in the env', () => {
    const file = bundledExpertPath('rxrl/Hopper-v0');
    expect(file).not.toBeNull();
    const t = readExpertTrajectory(file as string);
    expect(t).toMatchObject({ env: 'rxrl/Hopper-v0', nq: 6, nv: 6, nu: 3, length: 1000 });
    expect(t.return).toBeGreaterThan(3000);
    // Replaying the recorded actions from the recorded start reproduces the first states closely
    // (the file keeps 9 significant digits; the hopper is chaotic, so only a short prefix is compared).
    const batch = new LocomotionBatch(locomotionTask('rxrl/Hopper-v0'), 1);
    batch.setWorldState(0, t.states.subarray(0, 12));
    const r = new Float64Array(1);
    const term = new Uint8Array(1);
    for (let k = 0; k < 20; k++) {
      batch.step(t.actions.subarray(k * 3, k * 3 + 3), r, term);
      expect(r[0]).toBeCloseTo(t.rewards[k] as number, 4);
      const s = batch.getWorldState(0);
      for (let j = 0; j < 12; j++) expect(s[j]).toBeCloseTo(t.states[(k + 1) * 12 + j] as number, 4);
    }
  });
});

const TINY: IldConfigInput = { algo: 'ild', env: 'rxrl/Hopper-v0', seed: 2, numEnvs: 2, horizon: 6, truncation: 6, cotangentClip: null, policy: { hidden: [8] } };
const config = (over: Partial<IldConfigInput> = {}): IldConfig => resolveConfig({ ...TINY, ...over }) as IldConfig;

/** ⟨∇L, v⟩ and the central difference of the same imitation loss along unit directions v. */
function directional(agent: IldAgent, directions: number, eps: number): { analytic: number; fd: number }[] {
  const state = agent.getState();
  agent.policy.zeroGrad();
  agent.imitationLoss(true);
  const grad = Float64Array.from([...agent.policy.meanGrad, ...agent.policy.logStdGrad]);
  const P = agent.policy.net.paramCount;
  const lossAt = (v: Float64Array, s: number) => {
    agent.setState(state);
    const p = agent.policy.net.params;
    for (let i = 0; i < P; i++) p[i] = (p[i] as number) + s * eps * (v[i] as number);
    for (let u = 0; u < agent.policy.actionSize; u++) agent.policy.logStd[u] = (agent.policy.logStd[u] as number) + s * eps * (v[P + u] as number);
    return agent.imitationLoss(false);
  };
  const rng = new Rng('ild-directions');
  const out: { analytic: number; fd: number }[] = [];
  for (let k = 0; k < directions; k++) {
    const v = Float64Array.from(grad, () => rng.normal());
    const norm = Math.hypot(...v);
    let analytic = 0;
    for (let i = 0; i < v.length; i++) {
      v[i] = (v[i] as number) / norm;
      analytic += (grad[i] as number) * (v[i] as number);
    }
    out.push({ analytic, fd: (lossAt(v, 1) - lossAt(v, -1)) / (2 * eps) });
  }
  agent.setState(state);
  return out;
}

describe('ILD', () => {
  it('without truncation or clipping, the gradient through the rollout is that of the Chamfer loss (finite differences)', () => {
    const agent = new IldAgent(config());
    agent.iterate(0);
    for (const { analytic, fd } of directional(agent, 3, 1e-6)) expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(1e-5);
  });

  it('truncating every 2 steps changes the gradient (the cuts are applied)', () => {
    const agent = new IldAgent(config({ truncation: 2 }));
    agent.iterate(0);
    const errors = directional(agent, 3, 1e-6).map(({ analytic, fd }) => Math.abs(analytic - fd) / Math.abs(fd));
    expect(Math.max(...errors)).toBeGreaterThan(1e-3);
  });

  it('same seed, same numbers', () => {
    const run = () => {
      const agent = new IldAgent(config({ truncation: 3, cotangentClip: 1 }));
      return [0, 1, 2].map((i) => agent.iterate(i / 3).metrics.policyLoss);
    };
    expect(run()).toEqual(run());
  });

  it('learns: the Chamfer distance to the expert falls within a few dozen iterations', () => {
    const agent = new IldAgent(resolveConfig({ algo: 'ild', env: 'rxrl/Hopper-v0', seed: 0, numEnvs: 8, horizon: 48, policy: { hidden: [32, 32] } }) as IldConfig);
    const losses: number[] = [];
    const n = 40;
    for (let i = 0; i < n; i++) losses.push(agent.iterate(i / n).metrics.policyLoss);
    const first = (losses[0] as number + (losses[1] as number)) / 2;
    const last = ((losses.at(-1) as number) + (losses.at(-2) as number)) / 2;
    expect(last).toBeLessThan(0.5 * first);
  });

  it('refuses an expert that does not fit', () => {
    expect(() => new IldAgent(config({ env: 'rxrl/Walker2d-v0' }))).toThrow(/no expert trajectory bundled/);
    const hopper = readExpertTrajectory(bundledExpertPath('rxrl/Hopper-v0') as string);
    expect(() => new IldAgent(config({ env: 'rxrl/HalfCheetah-v0' }), hopper)).toThrow(/does not fit/);
    expect(() => new IldAgent(config({ horizon: 1000 }), hopper)).toThrow(/at least 1001 states/);
  });
});
