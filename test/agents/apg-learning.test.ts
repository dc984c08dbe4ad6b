import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { ApgAgent } from '../../src/agents/apg/apg-agent.js';
import type { ApgConfig } from '../../src/agents/apg/apg-config.js';
import '../../src/envs/index.js';
import { make } from '../../src/envs/registry.js';
import type { VectorEnv } from '../../src/envs/vector/vector-env.js';
import { VectorRecordEpisodeStatistics } from '../../src/envs/wrappers/record-episode-statistics.js';
import { evaluatePolicy } from '../../src/loop/evaluate.js';

/** Deterministic return over 200-step half-cheetah episodes of the registered env (not the training worlds). */
async function evalReturn(agent: ApgAgent): Promise<number> {
  const env: VectorEnv = new VectorRecordEpisodeStatistics(make('rxrl/HalfCheetah-v0', { numEnvs: 1, maxEpisodeSteps: 200 }));
  try {
    return (await evaluatePolicy(agent, env, 2, { seed: 'smoke-eval', deterministic: true })).mean;
  } finally {
    await env.close();
  }
}

describe('APG learns', () => {
  it('half-cheetah runs forward after a few thousand steps (evaluated on the registered env)', async () => {
    const config = resolveConfig({ algo: 'apg', env: 'rxrl/HalfCheetah-v0', seed: 0, numEnvs: 8, horizon: 16, maxEpisodeSteps: 200, policy: { hidden: [64, 64] } }) as ApgConfig;
    const agent = new ApgAgent(config);
    const before = await evalReturn(agent);
    const iterations = 40;
    for (let i = 0; i < iterations; i++) agent.iterate(i / iterations);
    const after = await evalReturn(agent);
    // The initial policy barely moves (|return| of a few units over 200 steps); a learned one
    // runs forward at ≥ 0.5 m/s (return ≥ 100 over 200 steps of 0.05 s, control cost included).
    expect(Math.abs(before)).toBeLessThan(30);
    expect(after).toBeGreaterThan(100);
  });
});
