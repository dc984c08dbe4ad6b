import { z } from 'zod';

/**
 * Settings every off-policy algorithm (SAC, TD3, DQN) shares, in two groups so that each config
 * keeps SB3's order of arguments: the replay and update schedule, then the run's tail. Defaults
 * are Stable-Baselines3's `OffPolicyAlgorithm` ones; learning rate and networks differ per
 * algorithm, and DQN overrides a few of the schedule's (batch, tau, trainFreq, gradientSteps).
 */
export const replayFields = {
  /** Transitions kept (SB3 buffer_size 1e6). */
  bufferSize: z.number().int().positive().default(1_000_000),
  /** Env steps of uniformly random actions before learning starts (SB3 learning_starts 100). */
  learningStarts: z.number().int().min(0).default(100),
  /** Transitions per gradient step (SB3 batch_size 256). */
  batchSize: z.number().int().positive().default(256),
  /** Polyak rate of the target networks (SB3 tau 0.005). */
  tau: z.number().gt(0).max(1).default(0.005),
  gamma: z.number().min(0).max(1).default(0.99),
  /** Vector-env steps between training rounds (SB3 train_freq 1). */
  trainFreq: z.number().int().positive().default(1),
  /** Gradient steps per training round (SB3 gradient_steps 1). */
  gradientSteps: z.number().int().positive().default(1),
};

/** The run's tail: observation window, normalisation (not built), evaluation and checkpoints. */
export const offPolicyTailFields = {
  /** Observe the last k observations stacked (the "window" policy of partially observed tasks); 1: none. */
  frameStack: z.number().int().min(1).default(1),
  /** Observations and rewards reach the buffer as the env gives them (normalising them inside the buffer is not built yet). */
  normalizeObservation: z.literal(false).default(false),
  normalizeReward: z.literal(false).default(false),
  /** Episodes of the final (and periodic) evaluation. */
  evalEpisodes: z.number().int().min(0).default(10),
  /** Evaluate the policy's deterministic action (default, as SB3's EvalCallback) or its exploring one. */
  evalDeterministic: z.boolean().default(true),
  /** Evaluate every this many env steps (0: only at the end). */
  evalEvery: z.number().int().min(0).default(0),
  /** Save a checkpoint every this many env steps (0: only at the end); it holds the replay buffer. */
  checkpointEvery: z.number().int().min(0).default(0),
};

/** The refinement every off-policy config needs: a batch cannot be larger than the buffer. */
export const batchFitsBuffer: [(c: { batchSize: number; bufferSize: number }) => boolean, { message: string; path: string[] }] = [(c) => c.batchSize <= c.bufferSize, { message: 'batchSize cannot exceed bufferSize', path: ['batchSize'] }];
