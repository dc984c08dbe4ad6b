import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Loads an exported model the way a browser would, from model.json and weights.bin alone. */
export async function loadExported(modelDir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[]; userDefinedMetadata: object };
  const bin = readFileSync(path.join(modelDir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((m) => m.weights), weightData, userDefinedMetadata: json.userDefinedMetadata as Record<string, object> }));
}
