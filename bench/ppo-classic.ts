/**
 * Learning benchmark on classic control (PPO by default, `--algo` for the others) with the
 * per-env hyperparameters (SB3-zoo values where they exist): one run per seed, one after
 * another (so wall-clock times are not disturbed by each other), printing each run's
 * deterministic final evaluation, the step at which the training mean first reached the
 * env's threshold, and wall-clock; then medians and ranges. Run with `npm run bench:ppo`.
 *
 *   --env ID        CartPole-v1 (default) or Pendulum-v1, …
 *   --seeds N       seeds 0 … N−1 (default 10)
 *   --steps N       total steps (default: the zoo value)
 *   --target=X      eval mean that counts as solved (default: CartPole 475, Pendulum −200;
 *                   write negative values with `=`, e.g. --target=-250)
 *   --curve         also print the training curve (step, mean of the last 10 episode returns)
 *   --algo A        ppo (default), or any of `ALGORITHMS` (trpo, mdpo, a2c, reinforce, npg-igt, harpg)
 *   --network N     fast (default) or tfjs;  --backend B  auto, tensorflow, wasm, cpu (with tfjs)
 */
import { parseArgs } from 'node:util';
import type { RunSummary } from '../src/loop/events.js';
import type { OnPolicyAlgorithmName } from '../src/agents/algorithms.js';
import { train } from '../src/loop/train.js';
import { summarize } from './stats.js';

const TARGETS: Record<string, number> = { 'CartPole-v1': 475, 'Pendulum-v1': -200 };

const { values } = parseArgs({
  options: { env: { type: 'string', default: 'CartPole-v1' }, seeds: { type: 'string', default: '10' }, steps: { type: 'string' }, target: { type: 'string' }, curve: { type: 'boolean', default: false }, algo: { type: 'string', default: 'ppo' }, network: { type: 'string', default: 'fast' }, backend: { type: 'string', default: 'auto' } },
});
const env = values.env;
const seeds = Number(values.seeds);
const target = values.target !== undefined ? Number(values.target) : TARGETS[env];
if (target === undefined) throw new Error(`no default target for ${env}; pass --target`);

async function runSeed(seed: number): Promise<{ summary: RunSummary; curve: [number, number][] }> {
  const run = train({ config: { algo: values.algo as OnPolicyAlgorithmName, env, seed, evalEpisodes: 10, network: values.network as 'fast' | 'tfjs', backend: values.backend as 'auto', ...(values.steps !== undefined ? { totalSteps: Number(values.steps) } : {}) } });
  let summary: RunSummary | undefined;
  let failure: Error | undefined;
  const recent: number[] = [];
  const curve: [number, number][] = [];
  run.events$.subscribe({
    next: (e) => {
      if (e.type === 'episode') {
        recent.push(e.return);
        if (recent.length > 10) recent.shift();
      } else if (e.type === 'update' && recent.length > 0) {
        curve.push([e.step, recent.reduce((a, b) => a + b, 0) / recent.length]);
      } else if (e.type === 'done') {
        summary = e.summary;
      }
    },
    error: (err: Error) => (failure = err),
  });
  await run.finished;
  if (failure !== undefined) throw failure;
  if (summary === undefined) throw new Error(`seed ${seed} did not finish`);
  return { summary, curve };
}

console.log(`${values.algo.toUpperCase()} on ${env}, per-env hyperparameters, ${seeds} seeds, target eval mean ≥ ${target}; networks: ${values.network} (${values.backend}); node ${process.version}`);
console.log('seed  eval mean ± std     first step at threshold  wall s   steps/s  backend');
const results: RunSummary[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const { summary, curve } = await runSeed(seed);
  results.push(summary);
  const ev = summary.finalEval;
  console.log(
    `${String(seed).padStart(4)}  ${(ev?.mean ?? Number.NaN).toFixed(1).padStart(8)} ± ${(ev?.std ?? Number.NaN).toFixed(1).padEnd(7)}  ${String(summary.firstStepAtThreshold ?? '-').padStart(23)}  ${summary.wallSeconds.toFixed(1).padStart(6)}  ${summary.stepsPerSecond.toFixed(0).padStart(8)}  ${summary.backend}`,
  );
  if (values.curve) console.log(`      curve: ${curve.filter((_, k) => k % Math.max(1, Math.floor(curve.length / 20)) === 0).map(([s, r]) => `${s}:${r.toFixed(0)}`).join(' ')}`);
}
const solved = results.filter((r) => (r.finalEval?.mean ?? -Infinity) >= target).length;
const wall = summarize(results.map((r) => r.wallSeconds));
const firsts = results.map((r) => r.firstStepAtThreshold).filter((x): x is number => x !== null);
console.log(`solved (eval mean ≥ ${target}): ${solved} of ${seeds}`);
console.log(`wall-clock: median ${wall.median.toFixed(1)} s [${wall.min.toFixed(1)}–${wall.max.toFixed(1)}]`);
if (firsts.length > 0) {
  const f = summarize(firsts);
  console.log(`first step at the env's reward threshold (training mean of 10): median ${f.median} [${f.min}–${f.max}] in ${firsts.length} of ${seeds} runs`);
}
