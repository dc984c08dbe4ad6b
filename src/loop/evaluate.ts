import { Rng } from '../core/rng.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import type { VectorEnv, VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import type { PolicyActor } from './agent.js';
import type { EvalResult } from './events.js';

/** Mean and population standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Runs `episodes` complete episodes on a one-copy vector env (wrapped in
 * `VectorRecordEpisodeStatistics`, so returns are the env's raw rewards) and reports their
 * returns. One copy run episode after episode avoids the bias of counting the first episodes
 * to finish across several copies (the short ones). A sampled evaluation (`deterministic` false)
 * draws its actions from a stream seeded by `seed`, not the agent's. Recurrent policies act with
 * their evaluation memory (`evaluationActor`), reset at every episode start.
 */
export async function evaluatePolicy(policy: PolicyActor, env: VectorEnv, episodes: number, options: { seed: string; deterministic: boolean }): Promise<EvalResult> {
  if (env.numEnvs !== 1) throw new RangeError(`evaluatePolicy needs a one-copy vector env, got ${env.numEnvs} copies`);
  // A recurrent policy evaluates with a memory of its own, leaving the training episodes' intact.
  const agent = policy.evaluationActor?.() ?? policy;
  const reset = env.reset({ seed: options.seed });
  const first: VectorResetResult = isPromiseLike(reset) ? await reset : reset;
  const obs = Float32Array.from(first.observations);
  // A sampled evaluation draws from a stream of its own, seeded like the episodes.
  const sampler = options.deterministic ? undefined : new Rng(`${options.seed}/actions`);
  agent.resetMemory?.(0);
  const returns: number[] = [];
  // Envs that report `is_success` in their final info (SB3's and Gymnasium-Robotics' key) get a success rate.
  let successes = 0;
  let reported = 0;
  while (returns.length < episodes) {
    const act = agent.act(obs, 1, options.deterministic, sampler);
    const step = env.step(act.actions);
    const r: VectorStepResult = isPromiseLike(step) ? await step : step;
    obs.set(r.observations);
    const episode = r.finalInfos[0]?.['episode'] as { r: number } | undefined;
    if (episode === undefined) continue;
    agent.resetMemory?.(0);
    returns.push(episode.r);
    const success = r.finalInfos[0]?.['is_success'];
    if (typeof success === 'boolean') {
      reported++;
      if (success) successes++;
    }
  }
  return { ...meanStd(returns), episodes, returns, ...(reported > 0 ? { successRate: successes / reported } : {}) };
}
