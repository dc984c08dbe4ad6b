/**
 * Train PPO from a script with the API (run: `npx tsx scripts/train-ppo.ts [steps]`).
 * In your own project, import from 'rxrl' instead of '../src/index.js'.
 */
import { train, writeRunFolder } from '../src/index.js';

const steps = Number(process.argv[2] ?? 100_000);
const run = train({ config: { env: 'CartPole-v1', seed: 1, totalSteps: steps } });

// Every subscriber sees the same run: one writes the run folder, one logs progress.
writeRunFolder('runs/example-cartpole', run.events$);
const returns: number[] = [];
run.events$.subscribe({
  next: (event) => {
    if (event.type === 'episode') returns.push(event.return);
    if (event.type === 'update' && event.iteration % 50 === 0) {
      const recent = returns.slice(-10);
      console.log(`step ${event.step}: mean return ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(1)}, approx KL ${event.metrics.approxKl.toExponential(2)}`);
    }
    if (event.type === 'done') console.log('final evaluation:', event.summary.finalEval?.mean);
  },
  error: (err: Error) => console.error('training failed:', err.message),
});
await run.finished;
