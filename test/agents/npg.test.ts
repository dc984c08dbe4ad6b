import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs, latestCheckpoint, runToEnd, summaryOf } from '../helpers/run.js';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { createAgent, resolveConfig } from '../../src/agents/algorithms.js';
import { actorCriticLayout } from '../../src/agents/engines/engine.js';
import type { NormalizedPgAgentState } from '../../src/agents/npg-agent-base.js';
import type { HarpgConfigInput, NpgIgtConfigInput } from '../../src/agents/npg-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Discrete } from '../../src/core/spaces.js';
import { RolloutBuffer } from '../../src/data/rollout-buffer.js';
import type { Checkpoint } from '../../src/loop/checkpoint.js';
import type { RunSummary, TrainEvent } from '../../src/loop/events.js';

const temp = new TempDirs('rxrl-npg-');
afterAll(() => temp.removeAll());
const tempDir = (): string => temp.make();


const stateOf = (cp: Checkpoint) => cp.agent as NormalizedPgAgentState & { segmentRng?: unknown };
const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
function withoutWallTimes(summary: RunSummary): Omit<RunSummary, 'wallSeconds' | 'stepsPerSecond'> {
  const { wallSeconds: _w, stepsPerSecond: _s, ...rest } = summary;
  return rest;
}
const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('N-PG-IGT and HARPG configuration', () => {
  it('resolve the paper-code schedules and the per-env rollouts (one env, the horizon)', () => {
    expect(resolveConfig({ algo: 'npg-igt', env: 'CartPole-v1' })).toMatchObject({ algo: 'npg-igt', numEnvs: 1, nSteps: 500, gamma: 0.99, gaeLambda: 1, stepSize: 0.25, stepSizePower: 1, eta: 1, etaPower: 0.8 });
    expect(resolveConfig({ algo: 'harpg', env: 'CartPole-v1' })).toMatchObject({ algo: 'harpg', numEnvs: 1, nSteps: 500, gaeLambda: 1, stepSize: 0.15, stepSizePower: 1, eta: 1, etaPower: 1 });
    expect(resolveConfig({ algo: 'harpg', env: 'Pendulum-v1' })).toMatchObject({ nSteps: 200, numEnvs: 1 });
    expect(() => resolveConfig({ algo: 'npg-igt', env: 'CartPole-v1', learningRate: 1e-3 })).toThrow(/Unrecognized key.*learningRate/);
    expect(() => resolveConfig({ algo: 'harpg', env: 'CartPole-v1', gaeLambda: 0.95 })).toThrow(ConfigError);
    expect(() => resolveConfig({ algo: 'harpg', env: 'CartPole-v1', eta: 1.5 })).toThrow(/eta/);
  });
});

describe.each(['npg-igt', 'harpg'] as const)('%s on the shared loop', (algo) => {
  const SMALL: NpgIgtConfigInput | HarpgConfigInput = { algo, env: 'CartPole-v1', seed: 3, totalSteps: 4000, evalEpisodes: 2 };

  it('the network holds θ_t outside rollouts (evaluation and checkpoints), the sampling point during them; the critic never moves', () => {
    const config = resolveConfig({ algo, env: 'CartPole-v1', nSteps: 64 });
    const agent = createAgent(config, 4, new Discrete(2), new Rng(1).split('agent'));
    const initial = agent.net.params.slice();
    const rng = new Rng(2);
    const buffer = new RolloutBuffer({ numSteps: 64, numEnvs: 1, observationSize: 4, actionSize: 1, discrete: true });
    const obs = new Float32Array(4);
    for (let iteration = 0; iteration < 3; iteration++) {
      agent.startRollout();
      const sampling = (agent.getState() as NormalizedPgAgentState).samplingPoint;
      expect(bytes(agent.net.params).equals(bytes(sampling))).toBe(true);
      buffer.clear();
      for (let t = 0; t < 64; t++) {
        for (let j = 0; j < 4; j++) obs[j] = 0.1 * rng.normal();
        const act = agent.act(obs, 1, false);
        expect(act.values[0]).toBe(0);
        buffer.addStep(obs, act.actions, act.logProbs, act.values, Float64Array.of(1));
        buffer.setNextValues(t, Float64Array.of(0), Float64Array.of(t % 20 === 19 ? 1 : 0));
      }
      buffer.computeAdvantages(0.99, 1);
      const metrics = agent.train(buffer, 0);
      expect(metrics.details?.['trajectories']).toBe(4);
      const state = agent.getState() as NormalizedPgAgentState;
      // After train(): the network is θ_{t+1}, which the checkpoint stores as the network.
      expect(bytes(agent.net.params).equals(bytes(state.network.params))).toBe(true);
      // The step from θ_t has length exactly γ_t (= the reported learning rate).
      const step = Math.hypot(...Array.from(state.network.params, (x, k) => x - (state.previous[k] as number)));
      expect(step).toBeCloseTo(metrics.learningRate, 12);
      if (iteration > 0) expect(bytes(state.samplingPoint).equals(bytes(state.network.params))).toBe(false);
    }
    // Deterministic acting uses θ_t: the same actions as a bare network holding θ_t.
    const bare = new ActorCritic({ observationSize: 4, actionSpace: new Discrete(2), hidden: [64, 64], activation: 'tanh', logStdInit: 0, adamEps: 1e-5, useSde: false, sdeSampleFreq: -1 }, new Rng(0));
    bare.params.set((agent.getState() as NormalizedPgAgentState).network.params);
    bare.engine.setParams(bare.params);
    const probe = Float32Array.from({ length: 32 * 4 }, () => rng.normal());
    expect(Array.from(agent.act(probe, 32, true).actions)).toEqual(Array.from(bare.act(probe, 32, true).actions));
    // Only the policy moved.
    const layout = actorCriticLayout({ observationSize: 4, hidden: [64, 64], activation: 'tanh', policyOutputSize: 2 });
    const valueStart = (layout.valueBody[0] as { offset: number }).offset;
    expect(bytes(agent.net.params.subarray(valueStart, layout.size)).equals(bytes(initial.subarray(valueStart, layout.size)))).toBe(true);
    expect(agent.net.params.subarray(0, valueStart).some((x, k) => x !== initial[k])).toBe(true);
  });

  it('same seed twice gives the same summary (wall times aside) and bit-identical parameters', async () => {
    const [a, b] = [tempDir(), tempDir()];
    const runA = await runToEnd({ config: SMALL, checkpointDir: path.join(a, 'checkpoints') });
    const runB = await runToEnd({ config: SMALL, checkpointDir: path.join(b, 'checkpoints') });
    expect(runA.error).toBeUndefined();
    expect(withoutWallTimes(summaryOf(runA.events))).toEqual(withoutWallTimes(summaryOf(runB.events)));
    const [sa, sb] = [stateOf(latestCheckpoint(a)), stateOf(latestCheckpoint(b))];
    expect(sa.iteration).toBe(8);
    expect(bytes(sa.network.params).equals(bytes(sb.network.params))).toBe(true);
    expect(bytes(sa.momentum).equals(bytes(sb.momentum))).toBe(true);
    // A different seed gives different parameters (the check above can fail).
    const c = tempDir();
    await runToEnd({ config: { ...SMALL, seed: 4 }, checkpointDir: path.join(c, 'checkpoints') });
    expect(bytes(stateOf(latestCheckpoint(c)).network.params).equals(bytes(sa.network.params))).toBe(false);
  });

  it('a run stopped halfway and resumed ends bit-identical (parameters, momentum, sampling point, q stream)', async () => {
    const whole = tempDir();
    const split = tempDir();
    const wholeRun = await runToEnd({ config: SMALL, checkpointDir: path.join(whole, 'checkpoints') });
    const first = await runToEnd({ config: SMALL, checkpointDir: path.join(split, 'checkpoints') }, 2000);
    expect(first.events.some((e) => e.type === 'done')).toBe(false);
    const stoppedAt = (first.events.filter((e) => e.type === 'checkpoint').at(-1) as TrainEvent).step;
    expect(stoppedAt).toBeGreaterThanOrEqual(2000);
    expect(stoppedAt).toBeLessThan(4000);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, step: stoppedAt });
    expect(summaryOf(resumed.events).algo).toBe(algo);
    const [a, b] = [stateOf(latestCheckpoint(whole)), stateOf(latestCheckpoint(split))];
    expect(b.iteration).toBe(a.iteration);
    expect(bytes(a.network.params).equals(bytes(b.network.params))).toBe(true);
    expect(bytes(a.previous).equals(bytes(b.previous))).toBe(true);
    expect(bytes(a.momentum).equals(bytes(b.momentum))).toBe(true);
    expect(bytes(a.samplingPoint).equals(bytes(b.samplingPoint))).toBe(true);
    expect(b.segmentRng).toEqual(a.segmentRng);
    expect(summaryOf(resumed.events).finalEval).toEqual(summaryOf(wholeRun.events).finalEval);
  });

  it('learns CartPole within 50k steps (random ≈ 22)', async () => {
    // Measured (seeds 0–4, 50k steps, ~0.4 s / ~1 s): first 20 episodes 20–25, last 20 120–350, final evals 280–500.
    const { events, error } = await runToEnd({ config: { algo, env: 'CartPole-v1', seed: 0, totalSteps: 50_000, evalEpisodes: 5 } });
    expect(error).toBeUndefined();
    const returns = events.filter((e): e is Extract<TrainEvent, { type: 'episode' }> => e.type === 'episode').map((e) => e.return);
    const first = meanOf(returns.slice(0, 20));
    const last = meanOf(returns.slice(-20));
    expect(first).toBeLessThan(60);
    expect(last).toBeGreaterThan(100);
    expect(last).toBeGreaterThan(3 * first);
    expect(summaryOf(events).finalEval?.mean).toBeGreaterThan(100);
  });
});
