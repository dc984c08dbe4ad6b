/**
 * PPO and APG on `rxrl/Reach-v0` (`npm run bench:reach`): the planar 3-link arm and the 7-DOF
 * arm, several seeds each, both algorithms with their Reach settings
 * (`src/agents/hyperparams/ppo.json`, `src/agents/hyperparams/apg.json`), checkpoints every 200k
 * (PPO) and 50k (APG) env steps. Every checkpoint is evaluated for its **success rate**: 100
 * episodes of the deterministic policy from seeded resets, success = the episode terminated (the
 * effector came within 5 cm of the target) before the 100-step limit. Reports the success curves
 * and the first env step at which a run's success reached 90%.
 * Runs go to bench-results/reach/ (a run with a summary.json is reused), the report to
 * OUT/reach.md and OUT/reach.json (default docs/benchmarks/ik).
 *
 *   --arms planar3,panda7   --algos ppo,apg   --seeds K (default 3)
 *   --steps N | ARM=N,…      PPO's env steps for every arm or per arm (default: the zoo's, 2M)
 *   --apg-steps N | ARM=N,…  APG's env steps likewise (default: the zoo's, 800k)
 *   --out DIR
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../src/bench/statistics.js';
import { isPromiseLike } from '../src/core/maybe-promise.js';
import type { VectorResetResult, VectorStepResult } from '../src/envs/vector/vector-env.js';
import { loadRunPolicy } from '../src/loop/evaluate-run.js';

const { values } = parseArgs({
  options: { arms: { type: 'string', default: 'planar3,panda7' }, algos: { type: 'string', default: 'ppo,apg' }, seeds: { type: 'string', default: '3' }, steps: { type: 'string' }, 'apg-steps': { type: 'string' }, out: { type: 'string', default: 'docs/benchmarks/ik' } },
});
const WORK = 'bench-results/reach';
const EPISODES = 100;

/** Success rate of a checkpoint's deterministic policy over `EPISODES` episodes. */
async function successRate(runDir: string, file: string): Promise<number> {
  const { env, agent } = await loadRunPolicy(runDir, 1, file);
  try {
    const reset = env.reset({ seed: 'reach-eval' });
    const first: VectorResetResult = isPromiseLike(reset) ? await reset : reset;
    const obs = Float32Array.from(first.observations);
    let episodes = 0;
    let successes = 0;
    while (episodes < EPISODES) {
      const step = env.step(agent.act(obs, 1, true).actions);
      const r: VectorStepResult = isPromiseLike(step) ? await step : step;
      obs.set(r.observations);
      if (r.terminated[0] === 1 || r.truncated[0] === 1) {
        episodes++;
        if (r.terminated[0] === 1) successes++;
      }
    }
    return successes / EPISODES;
  } finally {
    await env.close();
  }
}

/** An arm's budget from a `--steps`-style spec (one number, or ARM=N pairs); undefined: the zoo's. */
function budgetFor(spec: string | undefined, arm: string): string | undefined {
  if (spec === undefined) return undefined;
  if (!spec.includes('=')) return spec;
  return spec
    .split(',')
    .map((p) => p.split('='))
    .find(([a]) => a === arm)?.[1];
}

interface RunResult {
  readonly algo: string;
  readonly arm: string;
  readonly seed: number;
  readonly curve: { step: number; success: number }[];
  readonly firstStepAt90: number | null;
  readonly wallSeconds: number;
}

mkdirSync(WORK, { recursive: true });
const results: RunResult[] = [];
for (const algo of values.algos.split(',')) {
  for (const arm of values.arms.split(',')) {
    for (let seed = 0; seed < Number(values.seeds); seed++) {
      const dir = path.join(WORK, `${algo}-${arm}-s${seed}`);
      const t0 = performance.now();
      if (!existsSync(path.join(dir, 'summary.json'))) {
        const steps = budgetFor(algo === 'apg' ? values['apg-steps'] : values.steps, arm);
        const budget = steps === undefined ? [] : ['--steps', steps];
        if (algo === 'apg') {
          writeFileSync(path.join(WORK, 'apg-checkpoints.json'), JSON.stringify({ checkpointEvery: 50_000 }));
          budget.push('--config', path.join(WORK, 'apg-checkpoints.json'));
        }
        execFileSync(process.execPath, ['bin/rxrl.js', 'train', '--algo', algo, '--env', 'rxrl/Reach-v0', '--env-kwargs', JSON.stringify({ arm }), '--seed', String(seed), '--out', dir, '--quiet', ...budget], { stdio: ['ignore', 'ignore', 'inherit'] });
      }
      const wallSeconds = (performance.now() - t0) / 1000;
      const files = readdirSync(path.join(dir, 'checkpoints')).filter((f) => f.startsWith('step-')).sort();
      const curve: RunResult['curve'] = [];
      for (const f of files) curve.push({ step: Number(f.slice(5, -5)), success: await successRate(dir, f) });
      const hit = curve.find((c) => c.success >= 0.9);
      results.push({ algo, arm, seed, curve, firstStepAt90: hit?.step ?? null, wallSeconds });
      console.error(`${algo} ${arm} seed ${seed}: success ${curve.map((c) => `${c.step / 1000}k ${(100 * c.success).toFixed(0)}%`).join(', ')}`);
    }
  }
}
mkdirSync(values.out, { recursive: true });
writeFileSync(path.join(values.out, 'reach.json'), `${JSON.stringify({ episodes: EPISODES, results }, null, 2)}\n`);
const kSteps = (step: number): string => `${Math.round(step / 1000)}k`;
/** One row per (algo, arm): how many seeds reached 90%, and the median first step among all seeds (a miss counts as never). */
const summaryRows = [...new Set(results.map((r) => `${r.algo}/${r.arm}`))].map((key) => {
  const runs = results.filter((r) => `${r.algo}/${r.arm}` === key);
  const hits = runs.map((r) => r.firstStepAt90 ?? Number.POSITIVE_INFINITY);
  const mid = median(hits);
  const budget = Math.max(...runs.map((r) => r.curve.at(-1)?.step ?? 0));
  const finals = runs.map((r) => `${(100 * (r.curve.at(-1)?.success ?? 0)).toFixed(0)}%`).join(', ');
  const [algo, arm] = key.split('/');
  return `| ${algo} | ${arm} | ${kSteps(budget)} | ${hits.filter(Number.isFinite).length}/${runs.length} | ${Number.isFinite(mid) ? kSteps(mid) : 'not reached'} | ${runs.map((r) => (r.firstStepAt90 === null ? '—' : kSteps(r.firstStepAt90))).join(', ')} | ${finals} |`;
});
const lines = [
  '# PPO and APG on rxrl/Reach-v0',
  '',
  `\`npm run bench:reach\` (bench/reach.ts): PPO and APG with their Reach settings (\`src/agents/hyperparams/ppo.json\`, \`src/agents/hyperparams/apg.json\`); each checkpoint's deterministic policy evaluated on ${EPISODES} episodes (success: within 5 cm of the target before the 100-step limit). "First ≥ 90%" is the first checkpoint at or above 90% success, so it is exact to the checkpoint spacing (PPO 200k, APG 50k env steps).`,
  '',
  '| algo | arm | budget (env steps) | seeds reaching 90% | median first ≥ 90% | first ≥ 90% per seed | final success per seed |',
  '|---|---|---:|---:|---:|---|---|',
  ...summaryRows,
  '',
  '## Success at every checkpoint',
  '',
  '| algo | arm | seed | success at each checkpoint (env steps) | first checkpoint ≥ 90% | final success |',
  '|---|---|---:|---|---:|---:|',
  ...results.map((r) => `| ${r.algo} | ${r.arm} | ${r.seed} | ${r.curve.map((c) => `${kSteps(c.step)}: ${(100 * c.success).toFixed(0)}%`).join(', ')} | ${r.firstStepAt90 === null ? 'not reached' : kSteps(r.firstStepAt90)} | ${(100 * (r.curve.at(-1)?.success ?? 0)).toFixed(0)}% |`),
  '',
];
writeFileSync(path.join(values.out, 'reach.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
