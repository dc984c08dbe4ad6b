/** Environments: the Env and VectorEnv APIs, the registry with the built-in envs, wrappers, checkEnv and the Gymnasium bridge (`gymnasium:ID`). */
import { registerBuiltinEnvs } from './builtin.js';

registerBuiltinEnvs();

export * from './env.js';
export * from './check-env.js';
export * from './registry.js';
export * from './kernel.js';
export { KernelEnv } from './kernel-env.js';
export * from './classic/index.js';
export * from './locomotion/index.js';
export * from './vector/vector-env.js';
export { KernelVectorEnv, type KernelVectorEnvOptions } from './vector/kernel-vector-env.js';
export { SyncVectorEnv } from './vector/sync-vector-env.js';
export * from './wrappers/index.js';
export { WorkerVectorEnv, WorkerEnvError, type WorkerEnvDefinition, type WorkerVectorEnvOptions } from './vector/worker-vector-env.js';
export * from './gymnasium/index.js';
export { SEQ_TASKS, SeqTaskKernel, type SeqTaskName, type SeqTaskOptions } from './tasks/seq-task.js';
export { KEY_DOOR_MAX_EPISODE_STEPS, KeyDoorKernel, type KeyDoorOptions } from './tasks/key-door.js';
export { TEXT_QUEST_MAX_EPISODE_STEPS, TEXT_QUEST_MAX_TOKENS, TEXT_QUEST_VOCABULARY, TextQuestKernel, type TextQuestOptions } from './tasks/text-quest.js';
