import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { ApgAgent } from '../../src/agents/apg/apg-agent.js';
import type { ApgConfig, ApgConfigInput } from '../../src/agents/apg/apg-config.js';
import { tdLambdaTargets } from '../../src/agents/apg/td-lambda.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { parseWithTypedArrays, stringifyWithTypedArrays } from '../../src/core/serialize.js';

/** A tiny APG: 2 worlds, windows of 4 steps, one hidden layer of 8 in both networks. */
const TINY: ApgConfigInput = { algo: 'apg', env: 'rxrl/Hopper-v0', seed: 3, numEnvs: 2, horizon: 4, maxEpisodeSteps: 3, policy: { hidden: [8] }, critic: { hidden: [8] } };
const config = (over: Partial<ApgConfigInput> = {}): ApgConfig => resolveConfig({ ...TINY, ...over }) as ApgConfig;

/** All actor parameters as one vector: mean network, then log σ. */
function actorParams(agent: ApgAgent): Float64Array {
  return Float64Array.from([...agent.policy.net.params, ...agent.policy.logStd]);
}

/**
 * Directional check of the actor-loss gradient: ⟨∇L, v⟩ against the central difference of the
 * same window's loss along v, re-running the window each time from the same saved state (worlds,
 * normaliser, noise and reset streams), for unit directions v over all actor parameters.
 */
function checkWindowGradient(agent: ApgAgent, directions: number, eps: number): number[] {
  const state = agent.getState();
  const worlds = agent.getEnvSnapshot();
  agent.policy.zeroGrad();
  agent.actorWindow(true);
  const grad = Float64Array.from([...agent.policy.meanGrad, ...agent.policy.logStdGrad]);
  const P = agent.policy.net.paramCount;
  const lossAt = (v: Float64Array, s: number): number => {
    agent.setState(state);
    agent.setEnvSnapshot(worlds);
    const p = agent.policy.net.params;
    for (let i = 0; i < P; i++) p[i] = (p[i] as number) + s * eps * (v[i] as number);
    for (let u = 0; u < agent.policy.actionSize; u++) agent.policy.logStd[u] = (agent.policy.logStd[u] as number) + s * eps * (v[P + u] as number);
    return agent.actorWindow(false);
  };
  const rng = new Rng('directions');
  const errors: number[] = [];
  for (let k = 0; k < directions; k++) {
    const v = Float64Array.from(grad, () => rng.normal());
    const norm = Math.hypot(...v);
    for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
    let analytic = 0;
    for (let i = 0; i < v.length; i++) analytic += (grad[i] as number) * (v[i] as number);
    const fd = (lossAt(v, 1) - lossAt(v, -1)) / (2 * eps);
    errors.push(Math.abs(analytic - fd) / Math.max(Math.abs(fd), 1e-10));
  }
  agent.setState(state);
  agent.setEnvSnapshot(worlds);
  return errors;
}

describe('APG (SHAC) actor gradient', () => {
  it('matches finite differences on a hopper window with a time-limit reset, a termination and terminal values', () => {
    const agent = new ApgAgent(config());
    agent.iterate(0); // normaliser, critic and policy away from their initial values
    agent.iterate(0.1);
    const { data } = agent.worlds;
    const B = 2;
    // World 0 starts a fresh episode: its time limit of 3 cuts it inside the window (bootstrapped), then it goes on.
    agent.worlds.stepCounts[0] = 0;
    agent.worlds.stepCounts[1] = 0;
    // World 1 is about to tilt past the hopper's healthy angle 0.2: terminated (not bootstrapped), then reset.
    data.qpos[2 * B + 1] = 0.195;
    data.qvel[2 * B + 1] = 3;
    const before = agent.getEnvSnapshot();
    agent.actorWindow(false);
    // World 0: 3 steps, time limit, reset, 1 step. World 1: terminated at once, then 3 steps to its time limit.
    expect(agent.pendingEpisodes.map((e) => [e.envIndex, e.length, e.stepOffset])).toEqual([
      [1, 1, 2],
      [0, 3, 6],
      [1, 3, 8],
    ]);
    expect(agent.worlds.stepCounts[0]).toBe(1);
    agent.setEnvSnapshot(before);
    const errors = checkWindowGradient(agent, 3, 1e-6);
    for (const e of errors) expect(e).toBeLessThan(1e-5);
  });

  it('matches finite differences on half-cheetah (no termination; the window end bootstraps every world)', () => {
    const agent = new ApgAgent(config({ env: 'rxrl/HalfCheetah-v0', maxEpisodeSteps: null }));
    agent.iterate(0);
    const errors = checkWindowGradient(agent, 2, 1e-6);
    for (const e of errors) expect(e).toBeLessThan(1e-5);
  });

  it('matches finite differences on rxrl/Reach-v0 (kinematic arm, through FK and its Jacobian; resets inside the window)', () => {
    for (const arm of ['planar3', 'panda7']) {
      const agent = new ApgAgent(config({ env: 'rxrl/Reach-v0', maxEpisodeSteps: 3, envKwargs: { arm } }));
      expect(agent.worlds.diff.nu).toBe(arm === 'planar3' ? 3 : 7);
      agent.iterate(0);
      agent.iterate(0.1);
      const errors = checkWindowGradient(agent, 3, 1e-6);
      for (const e of errors) expect(e, arm).toBeLessThan(1e-5);
    }
  });

  it('the check can fail: dropping the terminal values from the gradient breaks it', () => {
    const agent = new ApgAgent(config({ env: 'rxrl/HalfCheetah-v0', maxEpisodeSteps: null }));
    agent.iterate(0);
    const critic = agent.critic;
    const original = critic.targetInputGrad.bind(critic);
    // Sabotage: the critic's input gradient is zeroed, as if the terminal value were a constant.
    critic.targetInputGrad = (obs, n, coef) => original(obs, n, coef).fill(0);
    const errors = checkWindowGradient(agent, 2, 1e-6);
    expect(Math.max(...errors)).toBeGreaterThan(1e-3);
  });
});

describe('SHAC TD(λ) targets', () => {
  it('equal the λ-return truncated at episode and window ends, computed the long way', () => {
    const T = 5;
    const B = 3;
    const gamma = 0.9;
    const lambda = 0.8;
    const rng = new Rng('tdl');
    const rewards = Float64Array.from({ length: T * B }, () => rng.normal());
    const next = Float64Array.from({ length: T * B }, () => rng.normal());
    // World 0 never ends before the window's end; world 1 ends after step 1; world 2 after steps 0 and 3.
    const dones = new Float64Array(T * B);
    for (let w = 0; w < B; w++) dones[(T - 1) * B + w] = 1;
    dones[1 * B + 1] = 1;
    dones[0 * B + 2] = 1;
    dones[3 * B + 2] = 1;
    const out = new Float64Array(T * B);
    tdLambdaTargets(rewards, next, dones, T, B, gamma, lambda, out, new Float64Array(3 * B));
    for (let w = 0; w < B; w++) {
      for (let t = 0; t < T; t++) {
        // n-step returns G^(n) up to the segment's end e (the first done at or after t), λ-weighted;
        // the last one carries the remaining weight λ^(e−t).
        let e = t;
        while ((dones[e * B + w] as number) === 0) e++;
        const gn = (n: number): number => {
          let g = 0;
          for (let k = 0; k < n; k++) g += gamma ** k * (rewards[(t + k) * B + w] as number);
          return g + gamma ** n * (next[(t + n - 1) * B + w] as number);
        };
        let expected = 0;
        const steps = e - t + 1;
        for (let n = 1; n < steps; n++) expected += (1 - lambda) * lambda ** (n - 1) * gn(n);
        expected += lambda ** (steps - 1) * gn(steps);
        expect(out[t * B + w]).toBeCloseTo(expected, 12);
      }
    }
  });
});

describe('APG determinism and state', () => {
  it('same seed, same numbers; another seed, other numbers', () => {
    const run = (seed: number) => {
      const agent = new ApgAgent(config({ seed, maxEpisodeSteps: 6 }));
      const losses = [0, 1, 2].map((i) => agent.iterate(i / 3).metrics.policyLoss);
      return { losses, params: actorParams(agent) };
    };
    const a = run(5);
    const b = run(5);
    expect(a.losses).toEqual(b.losses);
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
    expect(run(6).losses).not.toEqual(a.losses);
  });

  it('a state saved mid-run (through checkpoint JSON) continues bit-identically', () => {
    const c = config({ maxEpisodeSteps: 6 });
    const whole = new ApgAgent(c);
    for (let i = 0; i < 4; i++) whole.iterate(i / 4);
    const first = new ApgAgent(c);
    for (let i = 0; i < 2; i++) first.iterate(i / 4);
    const saved = parseWithTypedArrays(stringifyWithTypedArrays({ agent: first.getState(), env: first.getEnvSnapshot() })) as { agent: unknown; env: unknown };
    const second = new ApgAgent(c);
    second.setState(saved.agent);
    second.setEnvSnapshot(saved.env);
    for (let i = 2; i < 4; i++) second.iterate(i / 4);
    expect(Buffer.from(actorParams(second).buffer).equals(Buffer.from(actorParams(whole).buffer))).toBe(true);
    expect(Buffer.from(second.critic.net.params.buffer).equals(Buffer.from(whole.critic.net.params.buffer))).toBe(true);
  });

  it('refuses envs it cannot differentiate and keys it cannot honour', () => {
    expect(() => new ApgAgent(resolveConfig({ algo: 'apg', env: 'Pendulum-v1' }) as ApgConfig)).toThrow(/locomotion envs/);
    expect(() => resolveConfig({ algo: 'apg', env: 'rxrl/HalfCheetah-v0', normalizeObservation: true })).toThrow(ConfigError);
    expect(() => resolveConfig({ algo: 'apg', env: 'rxrl/HalfCheetah-v0', nSteps: 10 })).toThrow(/Unrecognized key/);
    // SHAC's defaults (an env without a table entry), then the tuned half-cheetah entry and SHAC's hopper one.
    expect(resolveConfig({ algo: 'apg', env: 'rxrl/Walker2d-v0' })).toMatchObject({ numEnvs: 64, horizon: 32, actorLearningRate: 2e-3, criticLearningRate: 2e-3, betas: [0.7, 0.95], criticIterations: 16, criticMinibatches: 4, targetCriticAlpha: 0.2, maxGradNorm: 1, gamma: 0.99, tdLambda: 0.95 });
    expect(resolveConfig({ algo: 'apg', env: 'rxrl/HalfCheetah-v0' })).toMatchObject({ numEnvs: 8, horizon: 32, actorLearningRate: 1e-3, criticLearningRate: 2e-3 });
    expect(resolveConfig({ algo: 'apg', env: 'rxrl/Hopper-v0' })).toMatchObject({ numEnvs: 256, criticLearningRate: 2e-4 });
  });
});
