import type { Rng } from '../../core/rng.js';
import { fastEngineInfo } from '../../nn/fast/arena.js';
import { initOrthogonal } from '../../nn/fast/init.js';
import { FastMlp } from '../../nn/fast/mlp.js';
import { actorCriticLayout, type ActorCriticEngine, type ActorCriticShape } from './engine.js';

/** The four networks of an actor-critic as fast MLPs over views of one flat vector. */
function buildNetworks(shape: ActorCriticShape, params: Float64Array, grads?: Float64Array) {
  const body = [shape.observationSize, ...shape.hidden];
  const latent = shape.hidden[shape.hidden.length - 1] as number;
  let offset = 0;
  const net = (sizes: readonly number[], hiddenOnLast: boolean) => {
    const n = FastMlp.paramCount(sizes);
    const views = { params: params.subarray(offset, offset + n), ...(grads !== undefined ? { grads: grads.subarray(offset, offset + n) } : {}) };
    offset += n;
    // Bodies apply the hidden activation after their last layer too: it is a hidden layer of the whole network.
    return new FastMlp({ sizes, activation: shape.activation, outputActivation: hiddenOnLast ? shape.activation : 'identity', ...views });
  };
  const policyBody = net(body, true);
  const actionHead = net([latent, shape.policyOutputSize], false);
  const valueBody = net(body, true);
  const valueHead = net([latent, 1], false);
  return { policyBody, actionHead, valueBody, valueHead, paramCount: offset };
}

/** Number of network parameters of an actor-critic of this shape (the flat layout of `ActorCriticEngine`). */
export function networkParamCount(shape: ActorCriticShape): number {
  return actorCriticLayout(shape).size;
}

/**
 * Orthogonal initialisation of the networks' part of a flat parameter vector, with SB3/CleanRL
 * gains: √2 in the bodies, 0.01 on the action head, 1 on the value head; biases 0. Each network
 * draws from its own named stream.
 */
export function initActorCriticParams(shape: ActorCriticShape, params: Float64Array, rng: Rng): void {
  const n = buildNetworks(shape, params);
  initOrthogonal(n.policyBody, rng.split('policyBody'), { hiddenGain: Math.SQRT2, outputGain: Math.SQRT2 });
  initOrthogonal(n.actionHead, rng.split('actionHead'), { outputGain: 0.01 });
  initOrthogonal(n.valueBody, rng.split('valueBody'), { hiddenGain: Math.SQRT2, outputGain: Math.SQRT2 });
  initOrthogonal(n.valueHead, rng.split('valueHead'), { outputGain: 1 });
}

/**
 * The actor-critic's networks on the fast typed-array engine (`src/nn/fast`), computing in
 * float64 directly on views of the flat parameter and gradient vectors.
 */
export class FastEngine implements ActorCriticEngine {
  /** `fast-mlp (wasm-simd)` or `fast-mlp (js)`: which kernels compute it. */
  readonly name = `fast-mlp (${fastEngineInfo().kernels})`;
  readonly networkParamCount: number;
  private readonly nets: ReturnType<typeof buildNetworks>;

  /** `params` and `grads` are the flat vectors; the engine computes on views of them. */
  constructor(shape: ActorCriticShape, params: Float64Array, grads: Float64Array) {
    this.nets = buildNetworks(shape, params, grads);
    this.networkParamCount = this.nets.paramCount;
  }

  inferPolicy(observations: Float32Array, n: number): { latent: Float64Array; head: Float64Array } {
    const latent = this.nets.policyBody.forwardInference(observations, n);
    return { latent, head: this.nets.actionHead.forwardInference(latent, n) };
  }

  inferValues(observations: Float32Array, n: number, out: Float64Array): void {
    this.nets.valueHead.forwardInference(this.nets.valueBody.forwardInference(observations, n), n, out);
  }

  forwardTrain(observations: Float32Array, batch: number): { latent: Float64Array; head: Float64Array; values: Float64Array } {
    const latent = this.nets.policyBody.forward(observations, batch);
    const head = this.nets.actionHead.forward(latent, batch);
    const values = this.nets.valueHead.forward(this.nets.valueBody.forward(observations, batch), batch);
    return { latent, head, values };
  }

  backwardTrain(batch: number, gradHead: Float64Array, gradLatent: Float64Array | null, gradValues: Float64Array): void {
    const gl = this.nets.actionHead.backward(gradHead, batch, true) as Float64Array;
    if (gradLatent !== null) for (let k = 0; k < gl.length; k++) gl[k] = (gl[k] as number) + (gradLatent[k] as number);
    this.nets.policyBody.backward(gl, batch);
    this.nets.valueBody.backward(this.nets.valueHead.backward(gradValues, batch, true) as Float64Array, batch);
  }

  setParams(): void {
    // The networks compute on views of the flat vector itself: nothing to copy.
  }

  dispose(): void {}
}
