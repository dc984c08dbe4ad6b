import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActorCriticState } from '../../src/agents/actor-critic.js';
import { FastEngine } from '../../src/agents/engines/fast-engine.js';
import { parseWithTypedArrays } from '../../src/core/serialize.js';
import type { Checkpoint } from '../../src/loop/checkpoint.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { train } from '../../src/loop/train.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function trainSmall(env: string, extra: Record<string, unknown>): Promise<string> {
  const runDir = path.join(dir, env);
  const run = train({ config: { env, seed: 1, totalSteps: 1024, numEnvs: 4, nSteps: 128, batchSize: 128, nEpochs: 2, evalEpisodes: 1, ...extra }, checkpointDir: path.join(runDir, 'checkpoints') });
  run.events$.subscribe({ error: () => {} });
  await run.finished;
  return runDir;
}

/** Loads an exported model the way a browser would, from model.json and weights.bin alone. */
async function loadExported(modelDir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[]; userDefinedMetadata: object };
  const bin = readFileSync(path.join(modelDir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((m) => m.weights), weightData, userDefinedMetadata: json.userDefinedMetadata as Record<string, object> }));
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

      const cp = parseWithTypedArrays(readFileSync(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as Checkpoint;
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
});
