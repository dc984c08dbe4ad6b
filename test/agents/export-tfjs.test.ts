import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActorCriticState } from '../../src/agents/actor-critic.js';
import { FastEngine } from '../../src/agents/engines/fast-engine.js';
import { loadRunPolicy } from '../../src/loop/evaluate-run.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { writeRandomPendulumDataset } from '../helpers/datasets.js';
import { loadExported } from '../helpers/exported-model.js';
import { latestCheckpoint, runToEnd } from '../helpers/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function trainSmall(env: string, extra: Record<string, unknown>): Promise<string> {
  const runDir = path.join(dir, env);
  const { error } = await runToEnd({ config: { env, seed: 1, totalSteps: 1024, numEnvs: 4, nSteps: 128, batchSize: 128, nEpochs: 2, evalEpisodes: 1, ...extra }, checkpointDir: path.join(runDir, 'checkpoints') });
  if (error !== undefined) throw error;
  return runDir;
}

describe('exporting a policy for TensorFlow.js', () => {
  for (const [env, extra, distribution] of [
    ['CartPole-v1', {}, 'categorical'],
    ['Pendulum-v1', { useSde: false, normalizeObservation: true }, 'gaussian'],
  ] as const) {
    it(`${env}: the exported model computes the trained policy's outputs, with its metadata`, async () => {
      const runDir = await trainSmall(env, extra);
      const modelDir = path.join(dir, `${env}-model`);
      await exportRunPolicy(runDir, modelDir);
      const model = await loadExported(modelDir);
      const meta = model.getUserDefinedMetadata() as { distribution: string; logStd: number[] | null; observationNormalizer: unknown };
      expect(meta.distribution).toBe(distribution);
      if (distribution === 'gaussian') {
        expect(meta.logStd).toHaveLength(1);
        expect(meta.observationNormalizer).not.toBeNull();
      }

      const cp = latestCheckpoint(runDir);
      const params = (cp.agent as { network: ActorCriticState }).network.params;
      const obsSize = model.inputs[0]?.shape[1] as number;
      const outSize = model.outputs[0]?.shape[1] as number;
      const engine = new FastEngine({ observationSize: obsSize, hidden: [64, 64], activation: 'tanh', policyOutputSize: outSize }, params, new Float64Array(params.length));
      const obs = Float32Array.from({ length: 5 * obsSize }, (_, k) => Math.sin(k));
      const expected = engine.inferPolicy(obs, 5).head;
      const got = tf.tidy(() => (model.predict(tf.tensor2d(obs, [5, obsSize])) as tf.Tensor).dataSync());
      // float32 weights and arithmetic in tfjs vs float64 in the fast engine.
      Array.from(expected).forEach((v, k) => expect(Math.abs((got[k] as number) - v)).toBeLessThan(1e-5 + 1e-5 * Math.abs(v)));
      model.dispose();
    });
  }

  it('an offline run (BC): the exported mean, clipped into the exported bounds, is the action the run evaluates with', async () => {
    const runDir = path.join(dir, 'bc');
    const dataset = await writeRandomPendulumDataset(dir);
    const config = { algo: 'bc' as const, env: 'Pendulum-v1', dataset, seed: 3, totalSteps: 300, batchSize: 32, evalEpisodes: 1, policy: { hidden: [16, 8], logStdMin: -5, logStdMax: 0.05 } };
    expect((await runToEnd({ config, checkpointDir: path.join(runDir, 'checkpoints') })).error).toBeUndefined();
    const modelDir = path.join(dir, 'bc-model');
    await exportRunPolicy(runDir, modelDir);
    const model = await loadExported(modelDir);
    const meta = model.getUserDefinedMetadata() as { algo: string; distribution: string; logStd: number[]; actionBounds: { low: number[]; high: number[] }; observationNormalizer: unknown };
    expect(meta).toMatchObject({ algo: 'bc', distribution: 'gaussian', actionBounds: { low: [-2], high: [2] }, observationNormalizer: null });
    // BC's log-std starts at 0 and grows toward the data's spread (actions uniform on [−2, 2]), past the
    // clamp's upper end: the export holds the clamped value the policy acts with, not the raw parameter.
    const raw = (latestCheckpoint(runDir).agent as { policy: { params: Float64Array } }).policy.params;
    expect(raw[raw.length - 1]).toBeGreaterThan(0.05);
    expect(meta.logStd).toEqual([0.05]);

    const loaded = await loadRunPolicy(runDir);
    try {
      const obs = Float32Array.from({ length: 6 * 3 }, (_, k) => 3 * Math.sin(1.7 * k));
      const expected = Array.from(loaded.agent.act(obs, 6, true).actions);
      const mean = tf.tidy(() => (model.predict(tf.tensor2d(obs, [6, 3])) as tf.Tensor).dataSync());
      const got = Array.from(mean, (m) => Math.min(Math.max(m, meta.actionBounds.low[0] as number), meta.actionBounds.high[0] as number));
      got.forEach((v, k) => expect(Math.abs(v - (expected[k] as number))).toBeLessThan(1e-5));
      // Some rows inside the bounds, so the comparison is not only of clipped values.
      expect(got.some((v) => Math.abs(v) < 2)).toBe(true);
    } finally {
      await loaded.env.close();
    }
    model.dispose();
  });
});
