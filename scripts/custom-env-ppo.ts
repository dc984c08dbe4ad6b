/**
 * Train PPO on your own environment, defined right here (run: `npx tsx scripts/custom-env-ppo.ts [steps]`).
 * The env is registered, checked with checkEnv, and trained like a built-in one.
 * In your own project, import from 'rxrl' instead of '../src/index.js'.
 */
import { Box, Discrete, Rng, checkEnv, make, register, train, type Env, type EnvSpec, type ResetOptions, type ResetResult, type StepResult } from '../src/index.js';

/** Walk along a line to a goal at +5: each step pays the progress made toward it, reaching it pays 1. */
class GoalWalk implements Env<Float32Array, number> {
  readonly observationSpace = new Box(-10, 10, [2]);
  readonly actionSpace = new Discrete(2);
  spec: EnvSpec | undefined;
  private position = 0;
  private rng = new Rng(0);

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    this.position = this.rng.uniformRange(-3, 3);
    return { observation: this.observe(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    const before = Math.abs(5 - this.position);
    this.position = Math.max(-10, Math.min(10, this.position + (action === 1 ? 0.5 : -0.5)));
    const terminated = this.position >= 5;
    const progress = before - Math.abs(5 - this.position);
    return { observation: this.observe(), reward: progress + (terminated ? 1 : 0), terminated, truncated: false, info: {} };
  }

  close(): void {}

  private observe(): Float32Array {
    return Float32Array.of(this.position, 5 - this.position);
  }
}

register({ id: 'example/GoalWalk-v0', entryPoint: () => new GoalWalk(), maxEpisodeSteps: 100, rewardThreshold: 3 });
const report = await checkEnv(make('example/GoalWalk-v0'));
console.log(report.ok ? 'checkEnv: ok' : report.problems);

const steps = Number(process.argv[2] ?? 20_000);
const run = train({ config: { env: 'example/GoalWalk-v0', seed: 0, totalSteps: steps, numEnvs: 4, nSteps: 128, batchSize: 64, evalEpisodes: 5 } });
run.events$.subscribe({
  next: (event) => {
    if (event.type === 'done') console.log(`evaluation after ${event.summary.totalSteps} steps: ${event.summary.finalEval?.mean} (threshold reached at step ${event.summary.firstStepAtThreshold})`);
  },
  error: (err: Error) => console.error('training failed:', err.message),
});
await run.finished;
