import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Box } from '../../src/core/spaces.js';
import { loadRawObservationPolicy } from '../../src/loop/evaluate-run.js';
import { TempDirs, runToEnd } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-raw-policy-');
afterAll(() => dirs.removeAll());

describe('loadRawObservationPolicy', () => {
  it("reports the env's bounded action space although the policy acts through the unbounded clip wrapper", async () => {
    const run = dirs.make();
    const { error } = await runToEnd({ config: { algo: 'ppo', env: 'Pendulum-v1', totalSteps: 64, numEnvs: 1, nSteps: 64, batchSize: 64, nEpochs: 1, normalizeObservation: true, seed: 3 }, checkpointDir: path.join(run, 'checkpoints') });
    expect(error).toBeUndefined();
    const policy = await loadRawObservationPolicy(run);
    try {
      // Off-policy evaluation encodes the target's actions in this space: unbounded, a Gaussian's
      // draws beyond Pendulum's ±2 would be queried where no dataset row (clipped by the env) lies.
      expect(policy.actionSpace).toBeInstanceOf(Box);
      const box = policy.actionSpace as Box;
      expect(Array.from(box.low)).toEqual([-2]);
      expect(Array.from(box.high)).toEqual([2]);
    } finally {
      await policy.close();
    }
  });
});
