/**
 * rxrl: reinforcement learning for TypeScript on Node.js.
 *
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './envs/index.js';
export { VERSION } from './version.js';
