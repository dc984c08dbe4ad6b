import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DenseSlot } from './engines/engine.js';

/** What a browser needs besides the network to act like the trained policy. */
export interface PolicyExportMetadata {
  readonly format: 'rxrl-policy';
  readonly env: string;
  /** The algorithm that trained the policy. */
  readonly algo: string;
  /**
   * How the output becomes an action. `categorical`: the output is logits. `gaussian`: the
   * output is the mean, `logStd` its log-std, and actions are clipped into `actionBounds`.
   * `squashed-gaussian`: the output u is the mean before the squash, and an action is
   * mid + half·tanh(u + σ·ε) with mid and half the centre and half-width of `actionBounds`.
   * `deterministic-tanh`: no noise, the action is mid + half·tanh(u) (TD3's actor).
   * `q-values`: the output is each action's value, and the action is its argmax (DQN).
   */
  readonly distribution: 'categorical' | 'gaussian' | 'squashed-gaussian' | 'deterministic-tanh' | 'q-values';
  /** The state-independent log-std (already clamped where the policy clamps it); null where there is none or the noise depends on the state (gSDE). */
  readonly logStd: number[] | null;
  /** The Box action space's bounds; null for discrete actions. */
  readonly actionBounds: { low: number[]; high: number[] } | null;
  /** Observation normalisation to apply before the network: (obs − mean) / sqrt(var + eps), clipped to ±clip unless clip is null. */
  readonly observationNormalizer: { mean: number[]; var: number[]; epsilon: number; clip: number | null } | null;
}

/** A policy network to export: its dense layers in a flat parameter vector, and the hidden layers' activation (the last layer is linear). */
export interface ExportedNetwork {
  readonly slots: readonly DenseSlot[];
  readonly params: Float64Array;
  readonly activation: 'tanh' | 'relu';
}

/** The policy network as a TensorFlow.js LayersModel with the given weights. */
export function policyLayersModel(network: ExportedNetwork): tf.Sequential {
  const { slots, params, activation } = network;
  const model = tf.sequential();
  slots.forEach((slot, l) => {
    const last = l === slots.length - 1;
    model.add(tf.layers.dense({ units: slot.outSize, activation: last ? 'linear' : activation, ...(l === 0 ? { inputShape: [slot.inSize] } : {}), name: last ? 'action_head' : `policy_body_${l}` }));
  });
  const weights = slots.flatMap((slot) => {
    const k = slot.inSize * slot.outSize;
    return [tf.tensor2d(Float32Array.from(params.subarray(slot.offset, slot.offset + k)), [slot.inSize, slot.outSize]), tf.tensor1d(Float32Array.from(params.subarray(slot.offset + k, slot.offset + k + slot.outSize)))];
  });
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
  return model;
}

/**
 * Writes the policy as `model.json` + `weights.bin` in the TensorFlow.js layers format, which
 * plain `@tensorflow/tfjs` loads in a browser with `tf.loadLayersModel('…/model.json')`. The
 * metadata (distribution, log-std, observation normalisation) is stored in the model's
 * `userDefinedMetadata`, as `model.getUserDefinedMetadata()` returns it.
 */
export async function exportPolicy(dir: string, network: ExportedNetwork, metadata: PolicyExportMetadata): Promise<string> {
  const model = policyLayersModel(network);
  model.setUserDefinedMetadata(metadata as unknown as Record<string, unknown>);
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      if (weightData === undefined || artifacts.weightSpecs === undefined) throw new Error('TensorFlow.js produced no weights to save');
      const bytes = Array.isArray(weightData) ? Buffer.concat(weightData.map((b) => Buffer.from(b))) : Buffer.from(weightData);
      writeFileSync(path.join(dir, 'weights.bin'), bytes);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
    }),
  );
  model.dispose();
  return path.join(dir, 'model.json');
}
