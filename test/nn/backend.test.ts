import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { initBackend, type BackendInfo, type BackendName } from '../../src/nn/backend.js';

const require = createRequire(import.meta.url);

/** Whether the optional native package is installed (`npm run setup:native` installs it; `npm ci` removes it). */
function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

/** A small computation touching matMul, bias, tanh, softmax, reductions and a gradient. */
function probe(): number[] {
  return tf.tidy(() => {
    const x = tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.5, 1, 1.5], [2, 4]);
    const w = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1) * 0.5), [4, 3]);
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const f = (wv: tf.Tensor): tf.Scalar => tf.logSoftmax(tf.tanh(tf.add(tf.matMul(x, wv), b))).mul(tf.tensor2d([1, 0, 0, 0, 0, 1], [2, 3])).sum();
    const y = tf.softmax(tf.tanh(tf.add(tf.matMul(x, w), b)));
    const g = tf.grad(f)(w);
    return [...y.dataSync(), ...g.dataSync()];
  });
}

function collect(): { lines: string[]; log: (msg: string) => void } {
  const lines: string[] = [];
  return { lines, log: (msg) => lines.push(msg) };
}

describe('initBackend', () => {
  const results = new Map<BackendName, number[]>();

  it("'auto' picks the best backend that loads, logs one line, and tf agrees", async () => {
    const { lines, log } = collect();
    const info = await initBackend('auto', log);
    // The wasm backend ships with rxrl and always loads on Node 20, so auto never falls to cpu here.
    expect(info.name).toBe(nativeInstalled ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(info.name);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`tensor backend ${info.name}`);
    if (!nativeInstalled) expect(lines[0]).toMatch(/skipped tensorflow: .*npm run setup:native/);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is idempotent: the same choice again, without logging again', async () => {
    const { lines, log } = collect();
    const first = await initBackend('auto', log);
    const second = await initBackend(undefined, log);
    expect(second).toEqual(first);
    expect(lines).toEqual([]);
    expect(tf.getBackend()).toBe(first.name);
  });

  it.each(['cpu', 'wasm'] as const)('forcing %s activates it and computes', async (name) => {
    const { lines, log } = collect();
    const info: BackendInfo = await initBackend(name, log);
    expect(info.name).toBe(name);
    expect(info.reason).toBe('requested');
    expect(tf.getBackend()).toBe(name);
    if (name === 'wasm') expect(info.simd).toBe(true); // Node 20's V8 has WebAssembly SIMD
    expect(lines).toHaveLength(1);
    const before = tf.memory().numTensors;
    results.set(name, probe());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cpu and wasm give the same numbers', () => {
    const cpu = results.get('cpu');
    const wasm = results.get('wasm');
    expect(cpu).toBeDefined();
    expect(wasm).toBeDefined();
    expect(wasm).toHaveLength(cpu?.length ?? -1);
    cpu?.forEach((v, i) => expect(wasm?.[i]).toBeCloseTo(v, 5));
  });

  // Asserts whichever is true on this machine: after `npm ci` the native package is absent,
  // after `npm run setup:native` (as .ci/run does) it is present and must load.
  it(`forcing 'tensorflow' ${nativeInstalled ? 'loads @tensorflow/tfjs-node into rxrl\'s tfjs' : 'without @tensorflow/tfjs-node throws a ConfigError with the fix'}`, async () => {
    if (!nativeInstalled) {
      const before = tf.getBackend();
      const err: unknown = await initBackend('tensorflow', () => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain("tensor backend 'tensorflow'");
      expect(message).toContain('@tensorflow/tfjs-node is not installed');
      expect(message).toContain('npm run setup:native');
      expect(tf.getBackend()).toBe(before);
      return;
    }
    const userSetOneDnn = process.env['TF_ENABLE_ONEDNN_OPTS'];
    const { lines, log } = collect();
    const info = await initBackend('tensorflow', log);
    expect(info.name).toBe('tensorflow');
    expect(info.package).toMatch(/^@tensorflow\/tfjs-node(-gpu)?$/);
    expect(info.version).toBe(tf.version_core);
    expect(info.tensorflowVersion).toMatch(/^2\.\d+/);
    expect(tf.getBackend()).toBe('tensorflow');
    if (userSetOneDnn === undefined) expect(process.env['TF_ENABLE_ONEDNN_OPTS']).toBe('0');
    expect(lines).toHaveLength(1);
    // The very module instance rxrl imports holds the backend (not a second copy of tfjs).
    const specifier: string = info.package;
    const native = (await import(specifier)) as { Tensor: unknown; version: Record<string, string> };
    expect(native.version['tfjs-core']).toBe(tf.version_core);
    expect(native.Tensor).toBe(tf.Tensor);
    const values = probe();
    const cpu = results.get('cpu');
    expect(cpu).toBeDefined();
    cpu?.forEach((v, i) => expect(values[i]).toBeCloseTo(v, 5));
  });

  it('rejects an unknown backend name', async () => {
    await expect(initBackend('webgl' as never)).rejects.toThrow(ConfigError);
    await expect(initBackend('webgl' as never)).rejects.toThrow(/'auto', 'tensorflow', 'wasm', 'cpu'/);
  });
});
