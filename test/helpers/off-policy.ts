/** Checks the off-policy run tests share: learning beyond the untrained policy; same seed, same bytes; exact resume; the exported policy acting as evaluation does. */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { AgentConfigInput } from '../../src/agents/algorithms.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { evaluateRun, loadRunPolicy } from '../../src/loop/evaluate-run.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { loadExported } from './exported-model.js';
import { latestCheckpoint, runToEnd, summaryOf, type TempDirs } from './run.js';

/**
 * Trains `config` for `totalSteps` and, on the same evaluation episodes, the same policy untrained
 * (a run that ends at `learningStarts`, where learning would start); expects the trained one's
 * final evaluation above the untrained one's by `margin`. Returns the trained run's events.
 */
export async function expectLearnsBeyondUntrained(config: AgentConfigInput & { readonly learningStarts: number }, totalSteps: number, margin: number): Promise<TrainEvent[]> {
  const r = await runToEnd({ config: { ...config, totalSteps } });
  expect(r.error).toBeUndefined();
  const untrained = await runToEnd({ config: { ...config, totalSteps: config.learningStarts } });
  const before = summaryOf(untrained.events).finalEval?.mean as number;
  const after = summaryOf(r.events).finalEval?.mean as number;
  console.log(`${config.algo} ${config.env} seed ${config.seed ?? 0}: untrained ${before.toFixed(1)}, after ${totalSteps} steps ${after.toFixed(1)}`);
  expect(after).toBeGreaterThan(before + margin);
  return r.events;
}

/** The agent state of a run folder's latest checkpoint as comparable text (typed arrays as plain arrays). */
export const agentBytes = (dir: string): string => JSON.stringify(latestCheckpoint(dir).agent, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

/**
 * Trains `config` (which checkpoints at its halfway step) twice, and a third time stopped at
 * `stopAt` and resumed: all three end with the same agent bytes, and the run evaluates.
 */
export async function expectSameBytesAndExactResume(tmp: TempDirs, config: AgentConfigInput, stopAt: number): Promise<void> {
  const [a, b, c] = [tmp.make(), tmp.make(), tmp.make()] as [string, string, string];
  expect((await runToEnd({ config, checkpointDir: path.join(a, 'checkpoints') })).error).toBeUndefined();
  expect((await runToEnd({ config, checkpointDir: path.join(b, 'checkpoints') })).error).toBeUndefined();
  const first = await runToEnd({ config, checkpointDir: path.join(c, 'checkpoints') }, stopAt);
  expect(first.events.some((e) => e.type === 'done')).toBe(false);
  expect(latestCheckpoint(c).loop.step).toBe(stopAt);
  const resumed = await runToEnd({ resumeFrom: c });
  expect(resumed.error).toBeUndefined();
  expect(resumed.events.find((e) => e.type === 'start')).toMatchObject({ resumed: true, exact: true });
  expect(agentBytes(b)).toBe(agentBytes(a));
  expect(agentBytes(c)).toBe(agentBytes(a));
  const result = await evaluateRun(a, { episodes: 1, deterministic: true });
  expect(Number.isFinite(result.mean)).toBe(true);
}

/**
 * Trains `config` on Pendulum-v1 (bounds ±2), exports it, and checks the metadata against
 * `metadata` and, over 5 steps, that 2·tanh(model output) is the action the run's policy takes
 * deterministically. `onStep` sees the loaded policy at each observation.
 */
export async function expectExportActsAsEvaluation(tmp: TempDirs, config: AgentConfigInput, metadata: Record<string, unknown>, onStep?: (act: (deterministic: boolean) => number) => void): Promise<void> {
  const dir = tmp.make();
  expect((await runToEnd({ config, checkpointDir: path.join(dir, 'checkpoints') })).error).toBeUndefined();
  const modelDir = path.join(dir, 'export');
  await exportRunPolicy(dir, modelDir);
  const model = await loadExported(modelDir);
  expect(model.getUserDefinedMetadata()).toMatchObject({ ...metadata, actionBounds: { low: [-2], high: [2] } });
  const loaded = await loadRunPolicy(dir);
  try {
    const reset = await loaded.env.reset({ seed: 5 });
    let obs = Float32Array.from(reset.observations);
    for (let t = 0; t < 5; t++) {
      const act = (deterministic: boolean) => loaded.agent.act(obs, 1, deterministic).actions[0] as number;
      const expected = act(true);
      const u = tf.tidy(() => (model.predict(tf.tensor2d(obs, [1, 3])) as tf.Tensor).dataSync());
      expect(Math.abs(2 * Math.tanh(u[0] as number) - expected)).toBeLessThan(1e-5);
      onStep?.(act);
      const r = await loaded.env.step(Float32Array.of(expected));
      obs = Float32Array.from(r.observations);
    }
  } finally {
    await loaded.env.close();
    model.dispose();
  }
}
