/**
 * How an actor-critic's networks are computed. `ActorCritic` does everything that is
 * independent of the tensor library once — distributions, gSDE, Adam and clipping on one flat
 * float64 parameter vector, random streams, checkpoints — and delegates the four networks
 * (policy body → action head, value body → value head) to an engine: the fast typed-array
 * engine, or TensorFlow.js on any of its backends.
 *
 * Flat parameter layout (shared by every engine, and by checkpoints): policy body layers,
 * action head, value body layers, value head — each layer its kernel `[in × out]` row-major
 * then its bias — followed by the log-std parameters (owned by `ActorCritic`).
 */
import { FastMlp } from '../../nn/fast/mlp.js';

/** Layer sizes of the four networks of an actor-critic. */
export interface ActorCriticShape {
  readonly observationSize: number;
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  /** Width of the action head (K logits or D means). */
  readonly policyOutputSize: number;
}

/** Builds an engine for a shape over the flat parameter and gradient vectors (the fast engine computes on views of them). */
export type EngineFactory = (shape: ActorCriticShape, params: Float64Array, grads: Float64Array) => ActorCriticEngine;

export interface ActorCriticEngine {
  /** Name recorded in run summaries, e.g. `fast-mlp` or `tfjs-wasm`. */
  readonly name: string;
  /** Length of the networks' part of the flat parameter vector. */
  readonly networkParamCount: number;
  /** Policy latent `[n × latent]` and action-head output `[n × out]` for acting; keeps no training state. */
  inferPolicy(observations: Float32Array, n: number): { readonly latent: ArrayLike<number>; readonly head: ArrayLike<number> };
  /** Critic values of `n` observations into `out`. */
  inferValues(observations: Float32Array, n: number, out: Float64Array): void;
  /** Training forward of a minibatch; kept for {@link backwardTrain}. */
  forwardTrain(observations: Float32Array, batch: number): { readonly latent: Float64Array; readonly head: Float64Array; readonly values: Float64Array };
  /**
   * Writes into `grads[0 … networkParamCount)` the gradient of
   * Σ gradHead·head + Σ gradLatent·latent + Σ gradValues·values at the last training forward,
   * i.e. backpropagates the given output gradients. `gradLatent` may be null.
   */
  backwardTrain(batch: number, gradHead: Float64Array, gradLatent: Float64Array | null, gradValues: Float64Array, grads: Float64Array): void;
  /** The flat parameters changed (optimizer step, checkpoint restore): take them over. */
  setParams(params: Float64Array): void;
  /** Frees engine resources (tensors). */
  dispose(): void;
}

/** One dense layer's place in the flat parameter vector: kernel `[in × out]` at `offset`, bias right after. */
export interface DenseSlot {
  readonly inSize: number;
  readonly outSize: number;
  readonly offset: number;
}

/** Where every layer of the four networks lives in the flat parameter vector. */
export interface ActorCriticLayout {
  readonly policyBody: readonly DenseSlot[];
  readonly actionHead: readonly DenseSlot[];
  readonly valueBody: readonly DenseSlot[];
  readonly valueHead: readonly DenseSlot[];
  /** Length of the networks' part of the vector. */
  readonly size: number;
}

/**
 * The dense layers of an MLP with layer widths `sizes` (input first), laid out one after another
 * from `offset` as `FastMlp` lays out its parameters (kernel, then bias, layer by layer).
 */
export function denseSlots(sizes: readonly number[], offset = 0): DenseSlot[] {
  let at = offset;
  return sizes.slice(1).map((outSize, l) => {
    const inSize = sizes[l] as number;
    const slot = { inSize, outSize, offset: at };
    at += inSize * outSize + outSize;
    return slot;
  });
}

/** The flat layout of an actor-critic's networks (see {@link ActorCriticEngine}). */
export function actorCriticLayout(shape: ActorCriticShape): ActorCriticLayout {
  let offset = 0;
  const stack = (sizes: readonly number[]): DenseSlot[] => {
    const slots = denseSlots(sizes, offset);
    offset += FastMlp.paramCount(sizes);
    return slots;
  };
  const body = [shape.observationSize, ...shape.hidden];
  const latent = shape.hidden[shape.hidden.length - 1] as number;
  const policyBody = stack(body);
  const actionHead = stack([latent, shape.policyOutputSize]);
  const valueBody = stack(body);
  const valueHead = stack([latent, 1]);
  return { policyBody, actionHead, valueBody, valueHead, size: offset };
}
