/** The run-folder commands on a gradient agent's run: eval loads it, export writes its squashed Gaussian. */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApgConfigInput } from '../../src/agents/apg/apg-config.js';
import { evaluateRun, loadRunPolicy } from '../../src/loop/evaluate-run.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { loadExported } from '../helpers/exported-model.js';
import { runToEnd, TempDirs } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-gradient-run-');
afterAll(() => dirs.removeAll());
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SMALL: ApgConfigInput = { algo: 'apg', env: 'rxrl/HalfCheetah-v0', seed: 2, numEnvs: 2, horizon: 8, totalSteps: 64, maxEpisodeSteps: 40, evalEvery: 64, evalEpisodes: 1, policy: { hidden: [8] }, critic: { hidden: [8] } };

describe('an APG run folder', () => {
  const dir = dirs.make();
  beforeAll(async () => {
    const { error } = await runToEnd({ config: SMALL, checkpointDir: path.join(dir, 'checkpoints') });
    if (error !== undefined) throw error;
  });

  it('evaluates with the trained policy', async () => {
    const loaded = await loadRunPolicy(dir);
    try {
      const reset = await loaded.env.reset({ seed: 0 });
      const a = loaded.agent.act(Float32Array.from(reset.observations), 1, true).actions as Float32Array;
      expect(a).toHaveLength(6);
      expect(Array.from(a).every((x) => Number.isFinite(x) && Math.abs(x) <= 1)).toBe(true);
    } finally {
      await loaded.env.close();
    }
    const a = await evaluateRun(dir, { episodes: 1, deterministic: true, seed: 3 });
    const b = await evaluateRun(dir, { episodes: 1, deterministic: true, seed: 3 });
    expect(a.returns).toHaveLength(1);
    expect(a.returns).toEqual(b.returns);
  });

  it('exports: the mean on the exported observation statistics, squashed into the exported bounds, is the action the run evaluates with', async () => {
    const modelDir = path.join(dir, 'export');
    await exportRunPolicy(dir, modelDir);
    const model = await loadExported(modelDir);
    type Normalizer = { mean: number[]; var: number[]; epsilon: number; clip: number | null };
    const meta = model.getUserDefinedMetadata() as { distribution: string; logStd: number[]; actionBounds: { low: number[]; high: number[] }; observationNormalizer: Normalizer };
    expect(meta.distribution).toBe('squashed-gaussian');
    expect(meta.logStd).toHaveLength(6);
    const norm = meta.observationNormalizer;
    expect(norm.clip).toBeNull();
    // 64 steps of training moved the statistics away from their initial (0, 1).
    expect(norm.mean.some((m) => m !== 0)).toBe(true);

    const loaded = await loadRunPolicy(dir);
    try {
      const O = loaded.env.observationSize;
      const reset = await loaded.env.reset({ seed: 5 });
      const obs = Float32Array.from(reset.observations);
      const expected = Array.from(loaded.agent.act(obs, 1, true).actions);
      const x = Float32Array.from(obs, (o, j) => (o - (norm.mean[j] as number)) / Math.sqrt((norm.var[j] as number) + norm.epsilon));
      const u = tf.tidy(() => (model.predict(tf.tensor2d(x, [1, O])) as tf.Tensor).dataSync());
      const { low, high } = meta.actionBounds;
      const got = Array.from(u, (v, k) => ((low[k] as number) + (high[k] as number)) / 2 + (((high[k] as number) - (low[k] as number)) / 2) * Math.tanh(v));
      expect(got).toHaveLength(6);
      got.forEach((v, k) => expect(Math.abs(v - (expected[k] as number))).toBeLessThan(1e-5));
    } finally {
      await loaded.env.close();
    }
    model.dispose();
  });
});
