/**
 * rxrl: reinforcement learning for TypeScript on Node.js.
 *
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './envs/index.js';
export { train, type TrainOptions, type TrainRun } from './loop/train.js';
export { evaluateRun, type EvaluateRunOptions } from './loop/evaluate-run.js';
export type { EvalResult, RunSummary, TrainEvent, TrainEventType, UpdateMetrics } from './loop/events.js';
export { writeRunFolder } from './loop/run-folder.js';
export { stopOnNoImprovement, stopOnRewardThreshold } from './loop/early-stopping.js';
export { exportRunPolicy } from './loop/export-run.js';
export { ppoConfigSchema, resolvePpoConfig, type PpoConfig, type PpoConfigInput } from './agents/ppo-config.js';
export { computeGae, type GaeInput } from './algorithms/gae.js';
export { ppoLoss, type PpoLossHyper, type PpoLossMetrics } from './algorithms/ppo-loss.js';
export { VERSION } from './version.js';
