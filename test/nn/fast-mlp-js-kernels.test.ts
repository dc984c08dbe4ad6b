/**
 * The whole FastMlp suite (fast-mlp.test.ts) once more with the JavaScript kernels
 * (RXRL_WASM=0, set before any module of the engine loads), so that it passes on both kernel
 * paths; fast-mlp.test.ts itself runs with the default, the WebAssembly kernels.
 */
import { afterAll, expect, it, vi } from 'vitest';

const previous = vi.hoisted(() => {
  const value = process.env['RXRL_WASM'];
  process.env['RXRL_WASM'] = '0';
  return value;
});

afterAll(() => {
  if (previous === undefined) delete process.env['RXRL_WASM'];
  else process.env['RXRL_WASM'] = previous;
});

const { fastEngineInfo, FastMlp } = await import('../../src/nn/fast/index.js');

it('runs with the JavaScript kernels', () => {
  expect(fastEngineInfo().kernels).toBe('js');
  expect(new FastMlp({ sizes: [2, 3] }).kernels).toBe('js');
});

await import('./fast-mlp.test.js');
