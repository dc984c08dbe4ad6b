import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../src/loop/events.js';
import { train } from '../../src/loop/train.js';

/**
 * A short version of the learning benchmark (`npm run bench:ppo`): PPO with the zoo
 * hyperparameters must clearly beat a random policy on CartPole within 16k steps. A random
 * policy averages ~22; the full benchmark asks for ≥ 475 at 100k steps.
 */
describe('PPO learns CartPole (smoke)', () => {
  it('reaches a deterministic eval mean above 150 within 16k steps', async () => {
    const run = train({ config: { env: 'CartPole-v1', seed: 1, totalSteps: 16_384, evalEpisodes: 5 } });
    let done: Extract<TrainEvent, { type: 'done' }> | undefined;
    run.events$.subscribe((e) => {
      if (e.type === 'done') done = e;
    });
    await run.finished;
    const mean = done?.summary.finalEval?.mean ?? Number.NaN;
    console.log(`CartPole-v1 PPO smoke: eval mean ${mean} after ${done?.summary.totalSteps} steps in ${done?.summary.wallSeconds.toFixed(1)} s`);
    expect(mean).toBeGreaterThan(150);
  });
});
