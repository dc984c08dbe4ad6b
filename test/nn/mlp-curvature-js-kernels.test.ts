/**
 * The MlpCurvature suite once more with the JavaScript kernels (RXRL_WASM=0, set before any
 * module of the engine loads); mlp-curvature.test.ts runs with the WebAssembly kernels.
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

const { MlpCurvature } = await import('../../src/nn/fast/mlp-curvature.js');

it('runs with the JavaScript kernels', () => {
  expect(new MlpCurvature([{ inSize: 2, outSize: 1, offset: 0, activation: 'identity' }]).kernels).toBe('js');
});

await import('./mlp-curvature.test.js');
