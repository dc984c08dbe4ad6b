import { describe, expect, it } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { createAgent, resolveConfig } from '../../src/agents/algorithms.js';
import { HarpgCorrection, type RolloutSamples } from '../../src/agents/harpg-correction.js';
import { PolicyCurvature } from '../../src/agents/policy-curvature.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { categorical, diagGaussian } from '../../src/nn/distributions.js';

/** Per-sample log π(a_b|s_b) at `params`, with the network's own forward pass. */
function logProbs(net: ActorCritic, params: Float64Array, obs: Float32Array, actions: ArrayLike<number>, B: number): Float64Array {
  const saved = net.params.slice();
  net.params.set(params);
  net.engine.setParams(net.params);
  const out = net.forwardTrain(obs, B);
  const K = net.policyOutputSize;
  const lp = new Float64Array(B);
  if (net.discrete) {
    const all = new Float64Array(B * K);
    categorical.logSoftmax(out.policy, B, K, all);
    for (let b = 0; b < B; b++) lp[b] = all[b * K + (actions[b] as number)] as number;
  } else {
    for (let b = 0; b < B; b++) lp[b] = diagGaussian.logProbRow(actions, out.policy, out.logStd, b * K, K);
  }
  net.params.set(saved);
  net.engine.setParams(net.params);
  return lp;
}

const axpy = (x: Float64Array, s: number, u: Float64Array) => Float64Array.from(x, (v, k) => v + s * (u[k] as number));

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; scale: number } {
  let error = 0;
  let scale = 0;
  for (let k = 0; k < expected.length; k++) {
    error = Math.max(error, Math.abs((actual[k] as number) - (expected[k] as number)));
    scale = Math.max(scale, Math.abs(expected[k] as number));
  }
  return { error: error / scale, scale };
}

/** The agent's own network (64-64, the resolved HARPG config) for CartPole-v1 or Pendulum-v1, perturbed off its initialisation, with a batch. */
function agentNetwork(kind: 'discrete' | 'gaussian') {
  const env = kind === 'discrete' ? 'CartPole-v1' : 'Pendulum-v1';
  const obsSize = kind === 'discrete' ? 4 : 3;
  const actionSpace = kind === 'discrete' ? new Discrete(2) : new Box(-2, 2, [1]);
  const net = createAgent(resolveConfig({ algo: 'harpg', env }), obsSize, actionSpace, new Rng(7).split('agent')).net;
  const rng = new Rng(8);
  for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.05 * rng.normal();
  net.engine.setParams(net.params);
  const B = 12;
  const obs = Float32Array.from({ length: B * obsSize }, () => rng.normal());
  const actions = kind === 'discrete' ? Int32Array.from({ length: B }, () => rng.int(2)) : Float32Array.from({ length: B }, () => 1.5 * rng.normal());
  return { net, obs, actions, B, rng };
}

describe.each(['discrete', 'gaussian'] as const)('HARPG products on the agent’s own network (%s)', (kind) => {
  it('∇²Φ·u matches a central difference of logProbGradient (the spec’s finite-difference check)', () => {
    const { net, obs, actions, B, rng } = agentNetwork(kind);
    const P = net.params.length;
    const curv = PolicyCurvature.of(net);
    const weights = Float64Array.from({ length: B }, () => 5 * rng.uniform());
    const u = Float64Array.from({ length: P }, () => rng.normal());
    curv.prepare(net.params, obs, B);
    const hu = new Float64Array(P);
    curv.logProbHessianVectorProduct(weights, actions, u, hu);
    const gradAt = (s: number) => {
      const g = new Float64Array(P);
      const c = PolicyCurvature.of(net);
      c.prepare(axpy(net.params, s, u), obs, B);
      c.logProbGradient(weights, actions, g);
      return g;
    };
    const h = 1e-5;
    const up = gradAt(h);
    const down = gradAt(-h);
    const fd = Float64Array.from(up, (x, k) => (x - (down[k] as number)) / (2 * h));
    const { error, scale } = relativeError(hu, fd);
    expect(scale).toBeGreaterThan(0.1);
    expect(error).toBeLessThan(1e-6);
  });

  it('the per-sample ⟨∇log π, u⟩ matches a central difference of log π', () => {
    const { net, obs, actions, B, rng } = agentNetwork(kind);
    const u = Float64Array.from({ length: net.params.length }, () => rng.normal());
    const curvature = PolicyCurvature.of(net);
    curvature.prepare(net.params, obs, B);
    const delta = new Float64Array(B);
    curvature.logProbDirectionalDerivatives(actions, u, delta);
    const h = 1e-5;
    const up = logProbs(net, axpy(net.params, h, u), obs, actions, B);
    const down = logProbs(net, axpy(net.params, -h, u), obs, actions, B);
    const fd = Float64Array.from(up, (x, b) => (x - (down[b] as number)) / (2 * h));
    const { error, scale } = relativeError(delta, fd);
    expect(scale).toBeGreaterThan(0.01);
    expect(error).toBeLessThan(1e-6);
  });

  it('B·u = ∇²Φ·u + Σ_k ⟨∇log p(τ_k), u⟩·g(τ_k), the score factor per trajectory by finite differences', () => {
    const { net, obs, actions, B, rng } = agentNetwork(kind);
    const P = net.params.length;
    // Three trajectories in a 12-step rollout: steps 0–3, 4–8, and 9–11 (still running).
    const episodeEnds = Float64Array.from({ length: B }, (_, t) => (t === 3 || t === 8 ? 1 : 0));
    const returns = Float64Array.from({ length: B }, () => 10 * rng.uniform());
    const samples: RolloutSamples = { numSteps: B, numEnvs: 1, observations: obs, actions, returns, episodeEnds };
    const u = Float64Array.from({ length: P }, () => rng.normal());
    const curv = PolicyCurvature.of(net);
    const scale = 1 / 3;
    const v = new Float64Array(P);
    new HarpgCorrection(curv, B).compute(net.params, samples, scale, u, v);
    // Expected: scale·∇²Φ·u + scale·Σ_k [d/dε Σ_{t∈τ_k} log π]·g(τ_k), each factor a finite difference.
    const expected = new Float64Array(P);
    curv.prepare(net.params, obs, B);
    curv.logProbHessianVectorProduct(Float64Array.from(returns, (r) => scale * r), actions, u, expected);
    const h = 1e-5;
    const up = logProbs(net, axpy(net.params, h, u), obs, actions, B);
    const down = logProbs(net, axpy(net.params, -h, u), obs, actions, B);
    for (const [from, to] of [
      [0, 4],
      [4, 9],
      [9, 12],
    ] as const) {
      let score = 0;
      for (let t = from; t < to; t++) score += ((up[t] as number) - (down[t] as number)) / (2 * h);
      const g = new Float64Array(P);
      curv.logProbGradient(
        Float64Array.from(returns, (r, t) => (t >= from && t < to ? scale * r : 0)),
        actions,
        g,
      );
      for (let k = 0; k < P; k++) expected[k] = (expected[k] as number) + score * (g[k] as number);
    }
    const { error, scale: size } = relativeError(v, expected);
    expect(size).toBeGreaterThan(0.01);
    expect(error).toBeLessThan(1e-6);
  });
});

describe('HARPG’s B·u is the derivative of the gradient estimator’s expectation (exact enumeration)', () => {
  // A two-step MDP with 3 actions: s_0 = x0; a_0 leads to s_1 = x1[a_0]; reward r[step][state][action];
  // the episode ends after step 1. Every trajectory (9) is enumerated, so E_θ[·] is exact.
  const K = 3;
  const OBS = 3;
  const rng = new Rng(21);
  const x0 = Float32Array.from({ length: OBS }, () => rng.normal());
  const x1 = Array.from({ length: K }, () => Float32Array.from({ length: OBS }, () => rng.normal()));
  const r0 = Array.from({ length: K }, () => rng.uniform());
  const r1 = Array.from({ length: K }, () => Array.from({ length: K }, () => rng.uniform()));
  const discount = 0.9;
  const net = new ActorCritic({ observationSize: OBS, actionSpace: new Discrete(K), hidden: [8, 8], activation: 'tanh', logStdInit: 0, adamEps: 1e-5, useSde: false, sdeSampleFreq: -1 }, new Rng(22));
  for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.4 * rng.normal();
  net.engine.setParams(net.params);
  const P = net.params.length;
  const trajectories = Array.from({ length: K * K }, (_, i) => {
    const a0 = Math.floor(i / K);
    const a1 = i % K;
    const obs = new Float32Array(2 * OBS);
    obs.set(x0, 0);
    obs.set(x1[a0] as Float32Array, OBS);
    const rr1 = (r1[a0] as number[])[a1] as number;
    return { obs, actions: Int32Array.of(a0, a1), returns: Float64Array.of((r0[a0] as number) + discount * rr1, rr1) };
  });

  /** p(τ|θ) = π(a_0|x0)·π(a_1|x1[a_0]). */
  const probability = (params: Float64Array, tau: (typeof trajectories)[number]) => {
    const lp = logProbs(net, params, tau.obs, tau.actions, 2);
    return Math.exp((lp[0] as number) + (lp[1] as number));
  };
  /** E_θ[g(τ, θ)] = Σ_τ p(τ|θ)·∇Φ(τ, θ). */
  const expectedGradient = (params: Float64Array) => {
    const total = new Float64Array(P);
    const g = new Float64Array(P);
    const curv = PolicyCurvature.of(net);
    for (const tau of trajectories) {
      curv.prepare(params, tau.obs, 2);
      curv.logProbGradient(tau.returns, tau.actions, g);
      const p = probability(params, tau);
      for (let k = 0; k < P; k++) total[k] = (total[k] as number) + p * (g[k] as number);
    }
    return total;
  };

  it('E[B(τ, θ)·u] over a rollout of two trajectories = d/dε E[g(τ, θ + εu)] (central difference); without the score term it is not', () => {
    const u = Float64Array.from({ length: P }, () => rng.normal());
    const h = 1e-4;
    const up = expectedGradient(axpy(net.params, h, u));
    const down = expectedGradient(axpy(net.params, -h, u));
    const fd = Float64Array.from(up, (x, k) => (x - (down[k] as number)) / (2 * h));
    // Rollouts of two trajectories back to back (81 pairs), K = 2, as the agent sees them.
    const curv = PolicyCurvature.of(net);
    const correction = new HarpgCorrection(curv, 4);
    const expectation = new Float64Array(P);
    const hessianOnly = new Float64Array(P);
    const v = new Float64Array(P);
    const hv = new Float64Array(P);
    for (const a of trajectories) {
      for (const b of trajectories) {
        const obs = new Float32Array(4 * OBS);
        obs.set(a.obs, 0);
        obs.set(b.obs, 2 * OBS);
        const actions = Int32Array.of(a.actions[0]!, a.actions[1]!, b.actions[0]!, b.actions[1]!);
        const returns = Float64Array.of(a.returns[0]!, a.returns[1]!, b.returns[0]!, b.returns[1]!);
        correction.compute(net.params, { numSteps: 4, numEnvs: 1, observations: obs, actions, returns, episodeEnds: Float64Array.of(0, 1, 0, 1) }, 0.5, u, v);
        curv.prepare(net.params, obs, 4);
        curv.logProbHessianVectorProduct(Float64Array.from(returns, (r) => 0.5 * r), actions, u, hv);
        const p = probability(net.params, a) * probability(net.params, b);
        for (let k = 0; k < P; k++) {
          expectation[k] = (expectation[k] as number) + p * (v[k] as number);
          hessianOnly[k] = (hessianOnly[k] as number) + p * (hv[k] as number);
        }
      }
    }
    const { error, scale } = relativeError(expectation, fd);
    expect(scale).toBeGreaterThan(0.01);
    expect(error).toBeLessThan(1e-6);
    expect(relativeError(hessianOnly, fd).error).toBeGreaterThan(0.05);
  });
});

describe('HARPG configuration', () => {
  it('refuses gSDE policies', () => {
    expect(() => resolveConfig({ algo: 'harpg', env: 'Pendulum-v1', useSde: true })).toThrow(ConfigError);
    expect(() => resolveConfig({ algo: 'npg-igt', env: 'Pendulum-v1', useSde: true })).toThrow(/gSDE/);
  });
});
