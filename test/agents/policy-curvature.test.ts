import { describe, expect, it } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { actorCriticLayout } from '../../src/agents/engines/engine.js';
import { PolicyCurvature } from '../../src/agents/policy-curvature.js';
import { accumulateHeadGrad, prepareHead } from '../../src/algorithms/policy-head.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { categorical, diagGaussian } from '../../src/nn/distributions.js';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

describe('PolicyCurvature on a linear-Gaussian policy (mean W·x + b, fixed σ per dimension)', () => {
  it('F·v equals the explicit Fisher: E[x̃x̃ᵀ]/σ_j² per output j on the mean weights, 2·I on the log-std', () => {
    const In = 3;
    const D = 2;
    const B = 9;
    const logStdOffset = In * D + D;
    const P = logStdOffset + D;
    const curv = new PolicyCurvature({ layers: [{ inSize: In, outSize: D, offset: 0, activation: 'identity' }], distribution: 'gaussian', outputSize: D, logStd: { kind: 'state-independent', offset: logStdOffset }, paramCount: P });
    const rng = new Rng(3);
    const params = Float64Array.from({ length: P }, () => rng.normal());
    params[logStdOffset] = -0.4;
    params[logStdOffset + 1] = 0.3;
    const x = Float64Array.from({ length: B * In }, () => rng.normal());
    curv.prepare(params, x, B);
    // Explicit Fisher: the mean weight (i, j) is W[i·D + j], bias j is b[In·D + j]; x̃ = [x, 1].
    const F = Array.from({ length: P }, () => new Float64Array(P));
    const xt = (b: number, i: number) => (i === In ? 1 : (x[b * In + i] as number));
    const index = (i: number, j: number) => (i === In ? In * D + j : i * D + j);
    for (let j = 0; j < D; j++) {
      const invVar = Math.exp(-2 * (params[logStdOffset + j] as number));
      for (let i = 0; i <= In; i++)
        for (let i2 = 0; i2 <= In; i2++) {
          let e = 0;
          for (let b = 0; b < B; b++) e += xt(b, i) * xt(b, i2);
          (F[index(i, j)] as Float64Array)[index(i2, j)] = (e / B) * invVar;
        }
      (F[logStdOffset + j] as Float64Array)[logStdOffset + j] = 2;
    }
    for (let trial = 0; trial < 3; trial++) {
      const v = Float64Array.from({ length: P }, () => rng.normal());
      const fv = new Float64Array(P);
      curv.fisherVectorProduct(v, fv);
      for (let r = 0; r < P; r++) expect(fv[r]).toBeCloseTo(dot(F[r] as Float64Array, v), 12);
    }
  });
});

/** An actor-critic with perturbed weights, a batch of observations and actions. */
function setup(kind: 'discrete' | 'gaussian' | 'gsde') {
  const OBS = 3;
  const B = 8;
  const actionSpace = kind === 'discrete' ? new Discrete(3) : new Box(-1, 1, [2]);
  const net = new ActorCritic({ observationSize: OBS, actionSpace, hidden: [8, 8], activation: 'tanh', logStdInit: -0.5, adamEps: 1e-5, useSde: kind === 'gsde', sdeSampleFreq: -1 }, new Rng(1));
  const rng = new Rng(2);
  for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.3 * rng.normal();
  const obs = Float32Array.from({ length: B * OBS }, () => rng.normal());
  const D = net.actionSize;
  const actions = kind === 'discrete' ? Int32Array.from({ length: B }, () => rng.int(3)) : Float32Array.from({ length: B * D }, () => rng.normal());
  return { net, obs, actions, B, rng };
}

/**
 * Mean KL(π_old ‖ π_θ) over the batch, with the network's own forward pass. With gSDE the
 * variance is taken with the features of θ_old (`fixedLatent`): the curvature holds them fixed,
 * as SB3 does (`learn_features` off).
 */
function meanKl(net: ActorCritic, obs: Float32Array, B: number, old: { policy: Float64Array; logStd: Float64Array }, fixedLatent: Float64Array | null): number {
  const out = net.forwardTrain(obs, B);
  const K = net.policyOutputSize;
  if (fixedLatent !== null) {
    const L = fixedLatent.length / B;
    const logStdParam = net.params.subarray(net.params.length - L * K);
    for (let b = 0; b < B; b++)
      for (let j = 0; j < K; j++) {
        let v = 1e-6;
        for (let k = 0; k < L; k++) v += (fixedLatent[b * L + k] as number) ** 2 * Math.exp(2 * (logStdParam[k * K + j] as number));
        out.logStd[b * K + j] = 0.5 * Math.log(v);
      }
  }
  let kl = 0;
  if (net.discrete) {
    const lp = new Float64Array(B * K);
    const lq = new Float64Array(B * K);
    categorical.logSoftmax(old.policy, B, K, lp);
    categorical.logSoftmax(out.policy, B, K, lq);
    for (let b = 0; b < B; b++) kl += categorical.klRow(lp, lq, b * K, K);
  } else {
    for (let b = 0; b < B; b++) kl += diagGaussian.klRow(old.policy, old.logStd, out.policy, out.logStd, b * K, K);
  }
  return kl / B;
}

describe.each(['discrete', 'gaussian', 'gsde'] as const)('PolicyCurvature of an ActorCritic (%s)', (kind) => {
  it('vᵀ·F·v is the second derivative of the mean KL(old ‖ θ + εv) at ε = 0, F is symmetric, the critic entries stay 0', () => {
    const { net, obs, B, rng } = setup(kind);
    const curv = PolicyCurvature.of(net);
    const theta = net.params.slice();
    const atOld = net.forwardTrain(obs, B);
    const old = { policy: atOld.policy.slice(), logStd: atOld.logStd.slice() };
    const fixedLatent = kind === 'gsde' ? Float64Array.from(net.engine.forwardTrain(obs, B).latent) : null;
    curv.prepare(theta, obs, B);
    const P = net.params.length;
    const v = Float64Array.from({ length: P }, () => rng.normal());
    const u = Float64Array.from({ length: P }, () => rng.normal());
    const fv = new Float64Array(P);
    const fu = new Float64Array(P);
    curv.fisherVectorProduct(v, fv);
    curv.fisherVectorProduct(u, fu);
    expect(dot(u, fv)).toBeCloseTo(dot(v, fu), 10);
    const h = 1e-3;
    const klAt = (s: number) => {
      for (let k = 0; k < P; k++) net.params[k] = (theta[k] as number) + s * (v[k] as number);
      return meanKl(net, obs, B, old, fixedLatent);
    };
    const second = (klAt(h) + klAt(-h) - 2 * klAt(0)) / (h * h);
    net.params.set(theta);
    expect(Math.abs(dot(v, fv) - second)).toBeLessThan(1e-4 * Math.abs(second));
    // The critic's parameters do not move the policy: their Fisher rows are 0.
    const layout = actorCriticLayout({ observationSize: 3, hidden: [8, 8], activation: 'tanh', policyOutputSize: net.policyOutputSize });
    const valueStart = (layout.valueBody[0] as { offset: number }).offset;
    for (let k = valueStart; k < layout.size; k++) expect(fv[k]).toBe(0);
  });

  it('logProbGradient matches the engine backward of Σ w·log π', () => {
    const { net, obs, actions, B, rng } = setup(kind);
    const weights = Float64Array.from({ length: B }, () => rng.normal());
    const curv = PolicyCurvature.of(net);
    curv.prepare(net.params, obs, B);
    const g = new Float64Array(net.params.length);
    curv.logProbGradient(weights, actions, g);
    const out = net.forwardTrain(obs, B);
    const K = net.policyOutputSize;
    const grads = { policy: new Float64Array(B * K), logStd: new Float64Array(B * net.actionSize), logp: new Float64Array(B * K) };
    const head = net.policyHead(out, actions, grads);
    prepareHead(head, B);
    for (let b = 0; b < B; b++) accumulateHeadGrad(head, b, weights[b] as number, 0);
    net.backwardTrain(B, grads.policy, grads.logStd, new Float64Array(B));
    for (let k = 0; k < g.length; k++) expect(g[k]).toBeCloseTo(net.grads[k] as number, 10);
  });

  it('logProbHessianVectorProduct matches a central difference of logProbGradient (gSDE: refused)', () => {
    const { net, obs, actions, B, rng } = setup(kind);
    const weights = Float64Array.from({ length: B }, () => rng.normal());
    const P = net.params.length;
    const u = Float64Array.from({ length: P }, () => rng.normal());
    const curv = PolicyCurvature.of(net);
    curv.prepare(net.params, obs, B);
    const hu = new Float64Array(P);
    if (kind === 'gsde') {
      expect(() => curv.logProbHessianVectorProduct(weights, actions, u, hu)).toThrow(/not available for gSDE/);
      return;
    }
    curv.logProbHessianVectorProduct(weights, actions, u, hu);
    const gradAt = (s: number) => {
      const p = Float64Array.from(net.params, (x, k) => x + s * (u[k] as number));
      const c = PolicyCurvature.of(net);
      c.prepare(p, obs, B);
      const g = new Float64Array(P);
      c.logProbGradient(weights, actions, g);
      return g;
    };
    const h = 1e-5;
    const up = gradAt(h);
    const down = gradAt(-h);
    let maxErr = 0;
    let scale = 0;
    for (let k = 0; k < P; k++) {
      const fd = ((up[k] as number) - (down[k] as number)) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs((hu[k] as number) - fd));
      scale = Math.max(scale, Math.abs(fd));
    }
    expect(scale).toBeGreaterThan(0.1);
    expect(maxErr / scale).toBeLessThan(1e-6);
  });
});
