/** DQN's math: the ε schedule, the greedy targets, the Huber loss, and one agent step's gradient against central differences. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { DqnAgent } from '../../src/agents/dqn/dqn-agent.js';
import type { DqnConfig } from '../../src/agents/dqn/dqn-config.js';
import { argmax, greedyTargets, huberTdLoss, linearSchedule } from '../../src/algorithms/dqn.js';
import { Rng } from '../../src/core/rng.js';
import { Discrete } from '../../src/core/spaces.js';
import type { TransitionBatch } from '../../src/data/transitions.js';
import { centralDifference } from '../helpers/finite-differences.js';

describe('DQN pieces', () => {
  it('ε falls linearly over the first fraction of the budget, then stays (SB3\'s LinearSchedule)', () => {
    expect(linearSchedule(1, 0.05, 0.1, 0)).toBe(1);
    expect(linearSchedule(1, 0.05, 0.1, 0.05)).toBeCloseTo(0.525, 14);
    expect(linearSchedule(1, 0.05, 0.1, 0.1)).toBeCloseTo(0.05, 14);
    expect(linearSchedule(1, 0.05, 0.1, 0.3)).toBe(0.05);
    expect(linearSchedule(1, 0.05, 0.1, 1)).toBe(0.05);
  });

  it('targets bootstrap from the target network\'s best next action, not past a terminal', () => {
    const nextQ = [1, 3, 2, /**/ -1, -4, -2, /**/ 5, 0, 0];
    const out = new Float64Array(3);
    greedyTargets([0.5, 1, 2], [0.9, 0.9, 0], nextQ, 3, 3, out);
    expect(Array.from(out)).toEqual([0.5 + 0.9 * 3, 1 + 0.9 * -1, 2]);
    expect(argmax([2, 7, 7, 1], 0, 4)).toBe(1);
    expect(argmax([9, 2, 7, 8], 1, 3)).toBe(2);
  });

  it('the Huber loss is quadratic inside ±1 and linear beyond, only the taken action gets a gradient, and it is exact', () => {
    const q = new Float64Array([0.2, 1.5, /**/ -3, 0.4, /**/ 2, 2]); // B 3 × 2 actions
    const taken = [1, 0, 1];
    const y = [1.0, 0.5, 1.7]; // errors 0.5, −3.5, 0.3
    const grad = new Float64Array(6);
    const loss = huberTdLoss(q, taken, y, 3, 2, grad);
    expect(loss).toBeCloseTo((0.5 * 0.25 + (3.5 - 0.5) + 0.5 * 0.09) / 3, 14);
    [0, 0.5 / 3, -1 / 3, 0, 0, 0.3 / 3].forEach((g, k) => expect(grad[k]).toBeCloseTo(g, 14));
    const scratch = new Float64Array(6);
    for (let k = 0; k < 6; k++) expect(grad[k]).toBeCloseTo(centralDifference(q, k, () => huberTdLoss(q, taken, y, 3, 2, scratch)), 8);
  });
});

describe('the DQN agent', () => {
  const O = 4;
  const B = 8;
  const K = 3;
  const space = new Discrete(K);
  const configOf = (over: Record<string, unknown>) => resolveConfig({ algo: 'dqn', env: 'CartPole-v1', policy: { hidden: [6, 5] }, ...over }) as DqnConfig;
  const batchOf = (): TransitionBatch => ({
    size: B,
    observations: Float32Array.from({ length: B * O }, (_, i) => Math.sin(0.7 * i + 0.2)),
    actions: Int32Array.from({ length: B }, (_, i) => i % K),
    rewards: Float64Array.from({ length: B }, (_, i) => (i % 2 === 0 ? 1 : -2.5)),
    nextObservations: Float32Array.from({ length: B * O }, (_, i) => Math.cos(0.5 * i)),
    terminals: Uint8Array.from({ length: B }, (_, i) => (i === 3 ? 1 : 0)),
    discounts: new Float64Array(B).fill(0.99),
    indices: new Int32Array(B),
    weights: new Float32Array(B).fill(1),
  });

  it('one gradient step descends the Huber loss of Q(s, a) against r + γ(1 − d)·max Q̄(s′, ·), with the exact gradient', () => {
    const config = configOf({ maxGradNorm: 1e9 });
    const agent = new DqnAgent(config, O, space, new Rng('dqn-step'));
    // A first step moves the network away from its target copy, so that the targets must come from the target.
    agent.update(batchOf());
    expect(Array.from(agent.q.params)).not.toEqual(Array.from(agent.target.params));
    const before = agent.getState();
    const batch = batchOf();
    const m = agent.update(batch);
    const grads = Float64Array.from(agent.q.grads);
    const probe = new DqnAgent(config, O, space, new Rng('other'));
    probe.setState(before);
    const nextQ = probe.target.forwardInference(batch.nextObservations, B);
    const y = Array.from({ length: B }, (_, b) => (batch.rewards[b] as number) + (b === 3 ? 0 : 0.99 * Math.max(nextQ[b * K] as number, nextQ[b * K + 1] as number, nextQ[b * K + 2] as number)));
    const loss = () => {
      const q = probe.q.forwardInference(batch.observations, B);
      let l = 0;
      for (let b = 0; b < B; b++) {
        const x = (q[b * K + (batch.actions[b] as number)] as number) - (y[b] as number);
        l += (Math.abs(x) < 1 ? 0.5 * x * x : Math.abs(x) - 0.5) / B;
      }
      return l;
    };
    expect(m.criticLoss).toBeCloseTo(loss(), 12);
    let checked = 0;
    for (let k = 0; k < probe.q.params.length; k++) {
      const fd = centralDifference(probe.q.params, k, loss);
      expect(grads[k], `parameter ${k}`).toBeCloseTo(fd, 6);
      if (Math.abs(fd) > 1e-4) checked++;
    }
    expect(checked).toBeGreaterThan(20);
    // The step used the gradient (Adam's first step moves each parameter against its sign).
    for (let k = 0; k < grads.length; k++) if (Math.abs(grads[k] as number) > 1e-6) expect(Math.sign((agent.q.params[k] as number) - (before.q[k] as number))).toBe(-Math.sign(grads[k] as number));
  });

  it('clips the gradient to maxGradNorm, copies the target every targetUpdateInterval env steps, and follows the ε schedule', () => {
    const agent = new DqnAgent(configOf({ maxGradNorm: 1e-3, targetUpdateInterval: 3, explorationFraction: 0.5, explorationFinalEps: 0.1 }), O, space, new Rng('dqn-sched'));
    const m = agent.update(batchOf());
    const norm = Math.sqrt(agent.q.grads.reduce((s, g) => s + g * g, 0));
    expect(m.details['gradNorm']).toBeGreaterThan(1e-3);
    expect(norm).toBeCloseTo(1e-3, 8);
    const updated = agent.q.params.slice();
    const initial = agent.target.params.slice();
    expect(Array.from(updated)).not.toEqual(Array.from(initial));
    expect(agent.explorationRate).toBe(0);
    agent.afterEnvStep(1, 100);
    agent.afterEnvStep(2, 100);
    expect(Array.from(agent.target.params)).toEqual(Array.from(initial));
    agent.afterEnvStep(3, 100);
    expect(Array.from(agent.target.params)).toEqual(Array.from(updated));
    expect(agent.explorationRate).toBeCloseTo(1 - (0.9 * 0.03) / 0.5, 14);
    agent.afterEnvStep(80, 100);
    expect(agent.explorationRate).toBe(0.1);
  });

  it('acts greedily, or with probability ε uniformly at random for the whole batch', () => {
    const agent = new DqnAgent(configOf({}), O, space, new Rng('dqn-act'));
    const obs = Float32Array.from({ length: 5 * O }, (_, i) => Math.sin(i));
    const q = agent.q.forwardInference(obs, 5);
    const greedy = Array.from({ length: 5 }, (_, b) => argmax(q, b * K, K));
    expect(Array.from(agent.act(obs, 5, true).actions)).toEqual(greedy);
    expect(Array.from(agent.act(obs, 5, false).actions)).toEqual(greedy); // ε is 0 before the first env step
    agent.explorationRate = 1;
    const counts = [0, 0, 0];
    for (let t = 0; t < 3000; t++) for (const a of agent.act(obs, 5, false).actions) counts[a]! += 1;
    for (const c of counts) expect(c / 15_000).toBeCloseTo(1 / 3, 1);
    agent.explorationRate = 0.5;
    let explored = 0;
    for (let t = 0; t < 2000; t++) if (Array.from(agent.act(obs, 5, false).actions).some((a, b) => a !== greedy[b])) explored++;
    // Exploring draws 5 uniform actions, equal to the greedy ones with probability 3⁻⁵: ε·(1 − 3⁻⁵) ≈ 0.498 of the calls differ.
    expect(explored / 2000).toBeGreaterThan(0.45);
    expect(explored / 2000).toBeLessThan(0.55);
  });
});
