import { valueLoss } from '../algorithms/policy-head.js';
import type { Rng } from '../core/rng.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import { Adam, clipGradNorm } from '../nn/fast/adam.js';
import type { ActorCritic } from './actor-critic.js';
import { actorCriticLayout } from './engines/engine.js';

/**
 * For algorithms that move the policy and the critic with separate rules (MDPO's two Adams,
 * TRPO's natural step + critic regression): the ranges of {@link ActorCritic}'s flat vector that
 * belong to each, each range with its own Adam, and the critic regression they share.
 */

/** A contiguous run of the flat parameter vector with its own Adam (elementwise, so segments = one Adam over their union). */
export interface ParamSegment {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  readonly adam: Adam;
}

/** Index ranges `[from, to)` of the policy's parameters (bodies and head, then log-std) and the critic's. */
export interface ActorCriticRanges {
  readonly policy: readonly (readonly [number, number])[];
  readonly value: readonly [number, number];
}

/** Where the policy's and the critic's parameters sit in the net's flat vector. */
export function actorCriticRanges(net: ActorCritic): ActorCriticRanges {
  const layout = actorCriticLayout(net.shape);
  const valueStart = (layout.valueBody[0] as { offset: number }).offset;
  return {
    policy: [
      [0, valueStart],
      [layout.size, net.params.length],
    ],
    value: [valueStart, layout.size],
  };
}

/** A segment over `[from, to)` of the net's parameters and gradients, with a fresh Adam. */
export function paramSegment(net: ActorCritic, range: readonly [number, number], adamEps: number): ParamSegment {
  const [from, to] = range;
  return { params: net.params.subarray(from, to), grads: net.grads.subarray(from, to), adam: new Adam(to - from, { eps: adamEps }) };
}

/** Clips the segments' joint gradient norm (unless `maxNorm` is null), steps their Adams; returns the norm before clipping. */
export function stepSegments(net: ActorCritic, segments: readonly ParamSegment[], maxNorm: number | null, learningRate: number): number {
  const norm = clipGradNorm(
    segments.map((s) => s.grads),
    maxNorm ?? Number.POSITIVE_INFINITY,
  );
  for (const s of segments) s.adam.step(s.params, s.grads, learningRate);
  net.engine.setParams(net.params);
  return norm;
}

/** Settings of one critic regression. */
export interface CriticFitSettings {
  readonly epochs: number;
  readonly batchSize: number;
  /** PPO-style value clip ε_v around the rollout's values, or null for the plain squared error. */
  readonly clipRangeVf: number | null;
  readonly maxGradNorm: number | null;
  readonly learningRate: number;
}

/**
 * Regresses the critic on a rollout's returns: `epochs` passes of shuffled minibatches of the
 * squared error, each a step of the value segment's own Adam (the policy's gradients are
 * computed and ignored: the value loss does not reach them).
 */
export class CriticFitter {
  private readonly indices: Int32Array;
  private readonly mb: { obs: Float32Array; returns: Float64Array; oldValues: Float64Array; gradValues: Float64Array; gradPolicy: Float64Array; gradLogStd: Float64Array };

  constructor(
    private readonly net: ActorCritic,
    readonly segment: ParamSegment,
    rolloutSize: number,
    maxBatchSize: number,
  ) {
    this.indices = Int32Array.from({ length: rolloutSize }, (_, k) => k);
    const n = Math.min(maxBatchSize, rolloutSize);
    const obsSize = net.options.observationSize;
    this.mb = {
      obs: new Float32Array(n * obsSize),
      returns: new Float64Array(n),
      oldValues: new Float64Array(n),
      gradValues: new Float64Array(n),
      gradPolicy: new Float64Array(n * net.policyOutputSize),
      gradLogStd: new Float64Array(n * net.actionSize),
    };
  }

  /** Fits the critic on the buffer's first `buffer.size` samples; returns the mean minibatch loss. */
  fit(buffer: RolloutBuffer, rng: Rng, s: CriticFitSettings): number {
    const B = buffer.size;
    const obsSize = buffer.shape.observationSize;
    const { mb, net } = this;
    let lossSum = 0;
    let steps = 0;
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      for (let k = 0; k < B; k++) this.indices[k] = k;
      rng.shuffle(this.indices.subarray(0, B));
      for (let start = 0; start < B; start += s.batchSize) {
        const n = Math.min(s.batchSize, B - start);
        for (let i = 0; i < n; i++) {
          const k = this.indices[start + i] as number;
          for (let j = 0; j < obsSize; j++) mb.obs[i * obsSize + j] = buffer.observations[k * obsSize + j] as number;
          mb.returns[i] = buffer.returns[k] as number;
          mb.oldValues[i] = buffer.values[k] as number;
        }
        const out = net.forwardTrain(mb.obs, n);
        lossSum += valueLoss(n, out.values, mb.returns, mb.oldValues, s.clipRangeVf, 1, mb.gradValues);
        net.backwardTrain(n, mb.gradPolicy, mb.gradLogStd, mb.gradValues);
        stepSegments(net, [this.segment], s.maxGradNorm, s.learningRate);
        steps++;
      }
    }
    return lossSum / Math.max(1, steps);
  }
}
