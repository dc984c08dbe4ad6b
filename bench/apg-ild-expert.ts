/**
 * Records an expert trajectory for ILD from a trained run folder: one deterministic episode of
 * the run's latest policy on its env, as physical states, actions and raw rewards
 * (`rxrl-expert-trajectory` JSON, see `src/agents/ild/expert-trajectory.ts`).
 *
 *   npx tsx bench/apg-ild-expert.ts --run DIR [--out FILE] [--seed N] [--episodes K] [--max-steps N]
 *
 * With `--episodes K` it records K episodes (seeds N … N+K−1) and keeps the one with the
 * highest return. The bundled `src/envs/locomotion/assets/experts/hopper-ppo.json` was made with
 *   npx tsx bench/apg-ild-expert.ts --run /work/bench-results/hopper-ppo/runs/ppo-rxrl/Hopper-v0-s0 \
 *     --out src/envs/locomotion/assets/experts/hopper-ppo.json --episodes 5
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { recordExpertTrajectory, writeExpertTrajectory, type ExpertTrajectory } from '../src/agents/ild/expert-trajectory.js';
import { LocomotionVectorEnv } from '../src/envs/locomotion/locomotion-env.js';
import { loadRunPolicy } from '../src/loop/evaluate-run.js';
import { findWrapper } from '../src/loop/training-env.js';

const { values } = parseArgs({
  options: { run: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string', default: '1000' }, episodes: { type: 'string', default: '1' }, 'max-steps': { type: 'string', default: '1000' } },
});
if (values.run === undefined) throw new Error('pass --run DIR (a run folder written by rxrl train)');
const runDir = values.run;
const { config, env, agent } = await loadRunPolicy(runDir, 1);
try {
  const core = findWrapper(env, LocomotionVectorEnv)?.core;
  if (core === undefined) throw new Error(`${config.env} is not an rxrl locomotion env`);
  const { nq, nv, nu } = core.model;
  let best: ExpertTrajectory | undefined;
  for (let k = 0; k < Number(values.episodes); k++) {
    const seed = String(Number(values.seed) + k);
    const t = await recordExpertTrajectory(agent, env, () => core.getWorldState(0), () => (core.rewardForward[0] as number) + (core.rewardSurvive[0] as number) + (core.rewardCtrl[0] as number), {
      envId: config.env,
      source: `${config.algo} policy of run ${path.basename(runDir)} (latest checkpoint), deterministic, env seed ${seed}`,
      seed,
      maxSteps: Number(values['max-steps']),
      deterministic: true,
      nq,
      nv,
      nu,
    });
    console.error(`episode seed ${seed}: ${t.length} steps, return ${t.return.toFixed(1)}`);
    if (best === undefined || t.return > best.return) best = t;
  }
  if (best !== undefined && values.out !== undefined) {
    writeExpertTrajectory(values.out, best);
    console.error(`wrote ${values.out}: ${best.length} steps, return ${best.return.toFixed(1)}`);
  }
} finally {
  await env.close();
}
