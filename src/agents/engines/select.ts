import type { EngineFactory } from './engine.js';

/** What computes an actor-critic's networks, as configured. */
export interface EngineChoice {
  readonly network: 'fast' | 'tfjs';
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

/**
 * The engine factory for a configuration, or undefined for the default fast engine.
 * TensorFlow.js is imported only when asked for, so the fast path never pays its start-up.
 */
export async function selectEngine(choice: EngineChoice, log: (message: string) => void = () => {}): Promise<EngineFactory | undefined> {
  if (choice.network === 'fast') return undefined;
  const { initBackend } = await import('../../nn/backend.js');
  await initBackend(choice.backend, log);
  const { TfjsEngine } = await import('./tfjs-engine.js');
  return (shape) => new TfjsEngine(shape);
}
