import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { stopOnNoImprovement, stopOnRewardThreshold } from '../../src/loop/early-stopping.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { train } from '../../src/loop/train.js';

function fakeRun() {
  const events$ = new Subject<TrainEvent>();
  let stops = 0;
  return { run: { events$, stop: () => void stops++ }, stops: () => stops };
}
const episode = (ret: number): TrainEvent => ({ type: 'episode', step: 0, return: ret, length: 1, envIndex: 0 });
const evaluation = (mean: number): TrainEvent => ({ type: 'eval', step: 0, result: { mean, std: 0, episodes: 1, returns: [mean] } });

describe('early stopping', () => {
  it('reward threshold: stops when the mean of the last window reaches it, not before', () => {
    const { run, stops } = fakeRun();
    stopOnRewardThreshold(run, 10, 3);
    [12, 12].forEach((r) => run.events$.next(episode(r)));
    expect(stops()).toBe(0); // only 2 episodes
    run.events$.next(episode(5)); // mean 29/3 < 10
    expect(stops()).toBe(0);
    run.events$.next(episode(8)); // mean (12 + 5 + 8)/3 < 10
    run.events$.next(episode(20)); // mean 11
    expect(stops()).toBe(1);
  });

  it('no improvement: stops after `patience` evaluations without a new best', () => {
    const { run, stops } = fakeRun();
    stopOnNoImprovement(run, 2, 0.5);
    [1, 3, 3.4, 3.2].forEach((m) => run.events$.next(evaluation(m)));
    expect(stops()).toBe(1);
  });

  it('stops a real run early', async () => {
    const run = train({ config: { env: 'CartPole-v1', seed: 0, totalSteps: 100_000, evalEpisodes: 0 } });
    stopOnRewardThreshold(run, 100);
    const types: string[] = [];
    let lastStep = 0;
    run.events$.subscribe({ next: (e) => (types.push(e.type), (lastStep = e.step)), error: () => {} });
    await run.finished;
    expect(types).not.toContain('done');
    expect(lastStep).toBeLessThan(100_000);
  });
});
