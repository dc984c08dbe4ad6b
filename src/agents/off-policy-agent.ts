/**
 * What the off-policy loop needs from an agent (SAC, TD3, DQN), and the pieces the agents
 * share: the Box check, the map between the env's action bounds and the networks' [−1, 1], the
 * critics' [s, a] input rows, the bootstrap factors, the twin-critic fit and the actions' share
 * of the critics' input gradient.
 * @module
 */

import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { TransitionBatch } from '../data/transitions.js';
import type { BatchedActions } from '../envs/vector/vector-env.js';
import type { PolicyActor } from '../loop/agent.js';
import { twinRegressionLoss } from '../algorithms/iql.js';
import type { ValueHeads } from './offline/value-heads.js';

/** What one gradient step of an off-policy agent measured. */
export interface OffPolicyStepMetrics {
  readonly criticLoss: number;
  /** null on a step without an actor update (TD3's delayed steps). */
  readonly actorLoss: number | null;
  /** The policy's entropy estimate; null for a deterministic policy. */
  readonly entropy: number | null;
  /** Further diagnostics by name (NaN where a step has none), averaged over an iteration. */
  readonly details: Readonly<Record<string, number>>;
}

/**
 * An agent the off-policy loop trains: it acts (exploring unless `deterministic`), draws the
 * warm-up's uniform actions, and takes one gradient step on a replay minibatch at a time.
 * Actions cross this interface in the env's scale, as the replay buffer stores them (Box:
 * Float32Array, Discrete: Int32Array).
 */
export interface OffPolicyAgent extends PolicyActor {
  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): { readonly actions: BatchedActions };
  /** Uniformly random env actions for `n` copies from `rng` into `out` (SB3's warm-up before learning starts); returns the filled view. */
  randomActions(n: number, rng: Rng, out: BatchedActions): BatchedActions;
  /** Called after each vector env step, before any training it triggers (SB3's `_on_step`: DQN's target update and ε schedule); `step` counts env steps of all copies. */
  afterEnvStep?(step: number, totalSteps: number): void;
  /** One gradient step on `batch`. */
  update(batch: TransitionBatch): OffPolicyStepMetrics;
  /** Everything needed to resume bit-identically (parameters, optimisers, random streams). */
  getState(): unknown;
  setState(state: unknown): void;
}

/** The Box of an off-policy agent's actions, refusing what tanh squashing cannot serve; the last `free` entries (SAC-RS's z′) may be unbounded. */
export function requireBoundedBox(space: Box | Discrete, env: string, free = 0, algo = 'SAC'): Box {
  if (space.kind !== 'Box') throw new ConfigError(`${env}: ${algo} needs continuous (Box) actions, got ${space.kind}; use PPO or A2C for discrete actions`);
  for (let j = 0; j < space.flatDim - free; j++) {
    if (!Number.isFinite(space.low[j]) || !Number.isFinite(space.high[j])) throw new ConfigError(`${env}: ${algo} squashes actions with tanh into the action bounds, but entry ${j} is unbounded [${space.low[j]}, ${space.high[j]}]; wrap the env to give it finite bounds`);
  }
  return space;
}

/**
 * The affine map between the networks' actions t ∈ [−1, 1]^A and the env's Box, a = mid + half·t
 * (SB3's `unscale_action`); the last `free` entries (SAC-RS's z′, already in (−1, 1)) map to themselves.
 */
export class BoxScaling {
  readonly size: number;
  private readonly mid: Float64Array;
  private readonly half: Float64Array;
  private unit = new Float64Array(0);

  constructor(space: Box, free = 0) {
    this.size = space.flatDim;
    this.mid = new Float64Array(this.size);
    this.half = new Float64Array(this.size).fill(1);
    for (let j = 0; j < this.size - free; j++) {
      this.mid[j] = ((space.low[j] as number) + (space.high[j] as number)) / 2;
      this.half[j] = ((space.high[j] as number) - (space.low[j] as number)) / 2;
    }
  }

  /** Env actions of `n` rows of t into `out`; returns the filled view. */
  toEnv(t: ArrayLike<number>, n: number, out: Float32Array): Float32Array {
    const A = this.size;
    for (let b = 0; b < n; b++) for (let j = 0; j < A; j++) out[b * A + j] = (this.mid[j] as number) + (this.half[j] as number) * (t[b * A + j] as number);
    return out.subarray(0, n * A);
  }

  /** Entry j of an env action mapped back to [−1, 1] (clipped there: the buffer may hold actions a wrapper clipped differently). */
  toUnit(a: number, j: number): number {
    return Math.min(1, Math.max(-1, (a - (this.mid[j] as number)) / (this.half[j] as number)));
  }

  /** Uniformly random env actions for `n` copies from `rng` into `out`: t ~ U(−1, 1)^A, drawn row by row. */
  randomActions(n: number, rng: Rng, out: Float32Array): Float32Array {
    if (this.unit.length < n * this.size) this.unit = new Float64Array(n * this.size);
    for (let k = 0; k < n * this.size; k++) this.unit[k] = rng.uniformRange(-1, 1);
    return this.toEnv(this.unit, n, out);
  }
}

/**
 * Rows [s_b, t_b] of the critics' input into `out` (batch × (O + A)): `actions` as they are, or,
 * with `scaling`, env actions mapped back to [−1, 1]. Returns the filled view.
 */
export function stateActionRows(observations: ArrayLike<number>, actions: ArrayLike<number>, batch: number, observationSize: number, actionSize: number, scaling: BoxScaling | null, out: Float64Array): Float64Array {
  const O = observationSize;
  const A = actionSize;
  const D = O + A;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < O; i++) out[b * D + i] = observations[b * O + i] as number;
    for (let j = 0; j < A; j++) {
      const a = actions[b * A + j] as number;
      out[b * D + O + j] = scaling === null ? a : scaling.toUnit(a, j);
    }
  }
  return out.subarray(0, batch * D);
}

/** γ^m·(1 − terminal) of each of a batch's rows into `out`: what the next state's value is worth in the target. */
export function bootstrapFactors(batch: TransitionBatch, out: Float64Array): Float64Array {
  for (let b = 0; b < batch.size; b++) out[b] = (batch.discounts[b] as number) * (1 - (batch.terminals[b] as number));
  return out;
}

/**
 * One Adam step of twin critics (their pass 0) towards `targets` on the critic-input rows
 * `input`. The loss is `scale` × the mean over the heads of each head's MSE: SAC's ½Σ_k MSE is
 * scale 1, TD3's Σ_k MSE scale 2. Returns the loss and the mean Q(s, a) of both heads before the step.
 */
export function fitTwinCritics(critic: ValueHeads, input: Float64Array, targets: Float64Array, batch: number, scale: number, gradQ: Float64Array): { readonly loss: number; readonly meanQ: number } {
  const fit = critic.pass(0);
  const q = fit.forward(input, batch);
  let meanQ = 0;
  for (let k = 0; k < 2 * batch; k++) meanQ += (q[k] as number) / (2 * batch);
  const loss = twinRegressionLoss(q, targets, 2, batch, gradQ);
  if (scale !== 1) for (let k = 0; k < 2 * batch; k++) gradQ[k] = scale * (gradQ[k] as number);
  fit.backward(gradQ, batch);
  critic.step(fit.grads);
  return { loss: scale * loss, meanQ };
}

/** The action entries of critic-input gradients (batch × (O + A)) into `out` (batch × A): ∂L/∂t for the actor's backward. */
export function actionGradients(inputGrad: ArrayLike<number>, batch: number, observationSize: number, actionSize: number, out: Float64Array): Float64Array {
  const D = observationSize + actionSize;
  for (let b = 0; b < batch; b++) for (let j = 0; j < actionSize; j++) out[b * actionSize + j] = inputGrad[b * D + observationSize + j] as number;
  return out.subarray(0, batch * actionSize);
}
