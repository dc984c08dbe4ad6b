/** Losses and diagnostics of one training iteration (the names CleanRL and SB3 log). */
export interface UpdateMetrics {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
  /** 1 − Var(R − V)/Var(R) over the rollout: how much of the returns the critic explains. */
  explainedVariance: number;
  /** Global gradient norm before clipping, averaged over the minibatches. */
  gradNorm: number;
  learningRate: number;
  clipRange: number;
  /** Epochs actually run (fewer than configured when the target KL stopped them). */
  epochs: number;
  /** Seconds spent in the update. */
  seconds: number;
  /** Algorithm-specific diagnostics by name (TRPO: CG iterations, line-search trials, whether the step was taken). */
  details?: Readonly<Record<string, number>>;
}

/** {@link UpdateMetrics} with the diagnostics an algorithm does not have (a KL, clipping, explained variance, …) as NaN. */
export function updateMetrics(known: Pick<UpdateMetrics, 'policyLoss' | 'valueLoss' | 'learningRate' | 'epochs' | 'seconds'> & Partial<UpdateMetrics>): UpdateMetrics {
  return { entropy: Number.NaN, approxKl: Number.NaN, clipFraction: Number.NaN, explainedVariance: Number.NaN, gradNorm: Number.NaN, clipRange: Number.NaN, ...known };
}

/** Result of an evaluation (greedy or sampled, as configured). */
export interface EvalResult {
  readonly mean: number;
  readonly std: number;
  readonly episodes: number;
  readonly returns: readonly number[];
  /** Fraction of episodes whose final info said `is_success: true` (only for envs that report it). */
  readonly successRate?: number;
}

/** What `summary.json` holds at the end of a run. */
export interface RunSummary {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  readonly backend: string;
  readonly totalSteps: number;
  readonly wallSeconds: number;
  readonly stepsPerSecond: number;
  readonly finalEval: EvalResult | null;
  /** Env step at which the mean of the last 10 training episodes first reached the env's reward threshold, or null. */
  readonly firstStepAtThreshold: number | null;
  readonly episodes: number;
}

/** Events of a training run, in the order they happen. Every event carries the env step count. */
export type TrainEvent =
  /** `exact` is false for a run resumed from an agent-only checkpoint (new episodes; see `Checkpoint.env`). */
  | { readonly type: 'start'; readonly step: number; readonly config: unknown; readonly backend: string; readonly resumed: boolean; readonly exact: boolean }
  | { readonly type: 'rollout'; readonly step: number; readonly iteration: number; readonly stepsPerSecond: number }
  | { readonly type: 'episode'; readonly step: number; readonly return: number; readonly length: number; readonly envIndex: number }
  | { readonly type: 'update'; readonly step: number; readonly iteration: number; readonly metrics: UpdateMetrics }
  | { readonly type: 'eval'; readonly step: number; readonly result: EvalResult }
  | { readonly type: 'checkpoint'; readonly step: number; readonly path: string }
  | { readonly type: 'done'; readonly step: number; readonly summary: RunSummary }
  | { readonly type: 'error'; readonly step: number; readonly error: { readonly name: string; readonly message: string } };

/** The `type` of a {@link TrainEvent}. */
export type TrainEventType = TrainEvent['type'];
