/** TD3's math: the two noises, the actor's loss, and one agent step's critic and actor gradients against central differences. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { BoxScaling, stateActionRows } from '../../src/agents/off-policy-agent.js';
import { Td3Agent } from '../../src/agents/td3/td3-agent.js';
import type { Td3Config } from '../../src/agents/td3/td3-config.js';
import { addExplorationNoise, deterministicActorLoss, smoothTargetActions } from '../../src/algorithms/td3.js';
import { Rng } from '../../src/core/rng.js';
import { Box } from '../../src/core/spaces.js';
import type { TransitionBatch } from '../../src/data/transitions.js';
import { centralDifference } from '../helpers/finite-differences.js';

describe('TD3 noises and loss', () => {
  it('exploration noise is N(0, σ²) on the action, clipped into [−1, 1]', () => {
    const n = 20_000;
    const a = new Float64Array(n);
    addExplorationNoise(a, n, 0.1, new Rng('explore'));
    const mean = a.reduce((s, x) => s + x, 0) / n;
    const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(4 * (0.1 / Math.sqrt(n)));
    expect(std).toBeGreaterThan(0.097);
    expect(std).toBeLessThan(0.103);
    const edge = new Float64Array(n).fill(0.8);
    addExplorationNoise(edge, n, 0.1, new Rng('edge'));
    expect(Math.max(...edge)).toBe(1);
    // P(0.8 + ε ≥ 1) = P(ε ≥ 0.2) = P(Z ≥ 2) ≈ 0.0228 land on the bound.
    const atBound = edge.filter((x) => x === 1).length / n;
    expect(atBound).toBeGreaterThan(0.018);
    expect(atBound).toBeLessThan(0.028);
  });

  it('target smoothing adds noise clipped to ±c, and the action stays in [−1, 1]', () => {
    const n = 20_000;
    const t = new Float64Array(n);
    smoothTargetActions(t, n, 0.2, 0.5, new Rng('smooth'));
    expect(Math.max(...t)).toBe(0.5);
    expect(Math.min(...t)).toBe(-0.5);
    // P(|ε| > 0.5) with σ 0.2 is P(|Z| > 2.5) ≈ 0.0124: those land on ±0.5.
    const clipped = t.filter((x) => Math.abs(x) === 0.5).length / n;
    expect(clipped).toBeGreaterThan(0.009);
    expect(clipped).toBeLessThan(0.016);
    const high = new Float64Array(n).fill(0.9);
    smoothTargetActions(high, n, 0.2, 0.5, new Rng('smooth-high'));
    expect(Math.max(...high)).toBe(1);
    expect(Math.min(...high)).toBe(0.4);
  });

  it('the actor loss is −mean Q_1 of its own actions: the second critic gets no gradient, and the gradient is exact', () => {
    const q = new Float64Array([1, 5, -2, 3, -4, 7]); // heads × B = 2 × 3
    const grad = new Float64Array(6);
    expect(deterministicActorLoss(q, 2, 3, grad)).toBeCloseTo(-(1 + 5 - 2) / 3, 14);
    expect(Array.from(grad)).toEqual([-1 / 3, -1 / 3, -1 / 3, 0, 0, 0]);
    const scratch = new Float64Array(6);
    for (let k = 0; k < 6; k++) expect(grad[k]).toBeCloseTo(centralDifference(q, k, () => deterministicActorLoss(q, 2, 3, scratch)), 8);
  });
});

describe('one TD3 gradient step', () => {
  const O = 3;
  const B = 6;
  const space = new Box(-2, 2, [1]);
  const configOf = (over: Record<string, unknown>) => resolveConfig({ algo: 'td3', env: 'Pendulum-v1', policy: { hidden: [5, 4] }, critic: { hidden: [6, 5] }, ...over }) as Td3Config;
  const batchOf = (): TransitionBatch => ({
    size: B,
    observations: Float32Array.from({ length: B * O }, (_, i) => Math.sin(0.7 * i + 0.2)),
    actions: Float32Array.from({ length: B }, (_, i) => 2.4 * Math.cos(1.1 * i)), // two rows outside [−2, 2]: clipped back to ±1
    rewards: Float64Array.from({ length: B }, (_, i) => -1 + 0.3 * i),
    nextObservations: Float32Array.from({ length: B * O }, (_, i) => Math.cos(0.5 * i)),
    terminals: Uint8Array.from({ length: B }, (_, i) => (i === 2 ? 1 : 0)),
    discounts: new Float64Array(B).fill(0.98),
    indices: new Int32Array(B),
    weights: new Float32Array(B).fill(1),
  });

  it('fits the critics with Σ_k MSE towards r + γ(1 − d)·min_k Q̄_k(s′, μ̄(s′)) and moves the actor up Q_1, both with exact gradients', () => {
    // No smoothing noise, so that the targets can be recomputed here; the actor steps every time.
    const config = configOf({ targetPolicyNoise: 0, policyDelay: 1 });
    const agent = new Td3Agent(config, O, space, new Rng('td3-step'));
    // A first step moves the networks away from their target copies, so that the targets must come from the targets.
    agent.update(batchOf());
    expect(Array.from(agent.actor.params)).not.toEqual(Array.from(agent.actorTarget.params));
    expect(Array.from(agent.critic.params)).not.toEqual(Array.from(agent.critic.target));
    const before = agent.getState();
    const batch = batchOf();
    const m = agent.update(batch);
    const criticGrads = Float64Array.from(agent.critic.pass(0).grads);
    const actorGrads = Float64Array.from(agent.actor.grads);
    const criticAfter = agent.critic.params.slice();

    const probe = new Td3Agent(config, O, space, new Rng('another'));
    probe.setState(before);
    const scaling = new BoxScaling(space);
    const rows = new Float64Array(B * (O + 1));
    const nextT = probe.actorTarget.forwardInference(batch.nextObservations, B).slice(0, B);
    const nextMin = new Float64Array(B);
    probe.critic.targetMin(stateActionRows(batch.nextObservations, nextT, B, O, 1, null, rows), B, nextMin);
    const y = Array.from({ length: B }, (_, b) => (batch.rewards[b] as number) + 0.98 * (1 - (batch.terminals[b] as number)) * (nextMin[b] as number));
    const criticInput = stateActionRows(batch.observations, batch.actions, B, O, 1, scaling, new Float64Array(B * (O + 1)));
    expect(Math.max(...Array.from({ length: B }, (_, b) => Math.abs(criticInput[b * (O + 1) + O] as number)))).toBe(1);
    const criticLoss = () => {
      const q = probe.critic.pass(0).inference(criticInput, B);
      let l = 0;
      for (let k = 0; k < 2; k++) for (let b = 0; b < B; b++) l += ((q[k * B + b] as number) - (y[b] as number)) ** 2 / B;
      return l;
    };
    expect(m.criticLoss).toBeCloseTo(criticLoss(), 10);
    let checked = 0;
    for (let k = 0; k < probe.critic.params.length; k++) {
      const fd = centralDifference(probe.critic.params, k, criticLoss);
      expect(criticGrads[k], `critic parameter ${k}`).toBeCloseTo(fd, 6);
      if (Math.abs(fd) > 1e-4) checked++;
    }
    expect(checked).toBeGreaterThan(30);

    // The actor's loss is taken through the critics after their step, at the actor's parameters before its own.
    probe.critic.params.set(criticAfter);
    const actorRows = new Float64Array(B * (O + 1));
    const actorLoss = () => {
      const t = probe.actor.forwardInference(batch.observations, B);
      const q = probe.critic.pass(0).inference(stateActionRows(batch.observations, t, B, O, 1, null, actorRows), B);
      let l = 0;
      for (let b = 0; b < B; b++) l -= (q[b] as number) / B;
      return l;
    };
    expect(m.actorLoss).toBeCloseTo(actorLoss(), 10);
    checked = 0;
    for (let k = 0; k < probe.actor.params.length; k++) {
      const fd = centralDifference(probe.actor.params, k, actorLoss);
      expect(actorGrads[k], `actor parameter ${k}`).toBeCloseTo(fd, 6);
      if (Math.abs(fd) > 1e-4) checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('delays the actor and both targets to every policyDelay-th step', () => {
    const agent = new Td3Agent(configOf({ policyDelay: 2 }), O, space, new Rng('td3-delay'));
    const actor0 = agent.actor.params.slice();
    const critic0 = agent.critic.params.slice();
    const targets0 = [agent.actorTarget.params.slice(), agent.critic.target.slice()];
    expect(Array.from(targets0[0] as Float64Array)).toEqual(Array.from(actor0));
    const first = agent.update(batchOf());
    expect(first.actorLoss).toBeNull();
    expect(Array.from(agent.critic.params)).not.toEqual(Array.from(critic0));
    expect(Array.from(agent.actor.params)).toEqual(Array.from(actor0));
    expect(Array.from(agent.actorTarget.params)).toEqual(Array.from(targets0[0] as Float64Array));
    expect(Array.from(agent.critic.target)).toEqual(Array.from(targets0[1] as Float64Array));
    const second = agent.update(batchOf());
    expect(Number.isFinite(second.actorLoss)).toBe(true);
    expect(Array.from(agent.actor.params)).not.toEqual(Array.from(actor0));
    // Polyak with τ 0.005: the targets move a little towards the online networks.
    const moved = agent.actorTarget.params.map((v, i) => v - (targets0[0] as Float64Array)[i]!);
    const expected = agent.actor.params.map((v, i) => 0.005 * (v - (targets0[0] as Float64Array)[i]!));
    for (let i = 0; i < moved.length; i++) expect(moved[i]).toBeCloseTo(expected[i] as number, 14);
    expect(Array.from(agent.critic.target)).not.toEqual(Array.from(targets0[1] as Float64Array));
  });
});
