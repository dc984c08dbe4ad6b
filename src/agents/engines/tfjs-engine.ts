import * as tf from '@tensorflow/tfjs';
import { actorCriticLayout, type ActorCriticEngine, type ActorCriticShape, type DenseSlot } from './engine.js';


interface Dense extends DenseSlot {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/** tf variables for layers at their slots in the flat layout. */
function variables(slots: readonly DenseSlot[], prefix: string): Dense[] {
  return slots.map((slot, l) => ({
    ...slot,
    kernel: tf.variable(tf.zeros([slot.inSize, slot.outSize]), true, `${prefix}_k${l}`),
    bias: tf.variable(tf.zeros([slot.outSize]), true, `${prefix}_b${l}`),
  }));
}

/**
 * The actor-critic's networks in TensorFlow.js, on whatever backend `initBackend()` activated
 * (`tensorflow`, `wasm`, `cpu`). Computes in float32, from float32 copies of the flat float64
 * parameters. Backward passes use autodiff of Σ (given output gradient · output), which is
 * exactly backpropagation of those output gradients, so the PPO loss itself is shared with the
 * fast engine.
 */
export class TfjsEngine implements ActorCriticEngine {
  readonly name: string;
  readonly networkParamCount: number;
  private readonly policyBody: Dense[];
  private readonly actionHead: Dense[];
  private readonly valueBody: Dense[];
  private readonly valueHead: Dense[];
  private readonly all: Dense[];
  private trainObs: tf.Tensor2D | null = null;
  private readonly out = { latent: new Float64Array(0), head: new Float64Array(0), values: new Float64Array(0) };

  constructor(readonly shape: ActorCriticShape) {
    this.name = `tfjs-${tf.getBackend()}`;
    const layout = actorCriticLayout(shape);
    this.policyBody = variables(layout.policyBody, 'policy_body');
    this.actionHead = variables(layout.actionHead, 'action_head');
    this.valueBody = variables(layout.valueBody, 'value_body');
    this.valueHead = variables(layout.valueHead, 'value_head');
    this.all = [...this.policyBody, ...this.actionHead, ...this.valueBody, ...this.valueHead];
    this.networkParamCount = layout.size;
  }

  private run(layers: readonly Dense[], x: tf.Tensor2D, hiddenOnLast: boolean): tf.Tensor2D {
    let h = x;
    layers.forEach((layer, l) => {
      const linear = tf.fused.matMul({ a: h, b: layer.kernel as tf.Tensor2D, bias: layer.bias }) as tf.Tensor2D;
      const activate = l < layers.length - 1 || hiddenOnLast;
      h = activate ? (this.shape.activation === 'tanh' ? tf.tanh(linear) : tf.relu(linear)) : linear;
    });
    return h;
  }

  private forward(obs: tf.Tensor2D): { latent: tf.Tensor2D; head: tf.Tensor2D; values: tf.Tensor2D } {
    const latent = this.run(this.policyBody, obs, true);
    const head = this.run(this.actionHead, latent, false);
    const values = this.run(this.valueHead, this.run(this.valueBody, obs, true), false);
    return { latent, head, values };
  }

  private input(observations: Float32Array, n: number): tf.Tensor2D {
    return tf.tensor2d(observations.subarray(0, n * this.shape.observationSize), [n, this.shape.observationSize]);
  }

  inferPolicy(observations: Float32Array, n: number): { latent: Float32Array; head: Float32Array } {
    return tf.tidy(() => {
      const latent = this.run(this.policyBody, this.input(observations, n), true);
      const head = this.run(this.actionHead, latent, false);
      return { latent: latent.dataSync() as Float32Array, head: head.dataSync() as Float32Array };
    });
  }

  inferValues(observations: Float32Array, n: number, out: Float64Array): void {
    const values = tf.tidy(() => this.run(this.valueHead, this.run(this.valueBody, this.input(observations, n), true), false).dataSync());
    for (let i = 0; i < n; i++) out[i] = values[i] as number;
  }

  forwardTrain(observations: Float32Array, batch: number): { latent: Float64Array; head: Float64Array; values: Float64Array } {
    this.trainObs?.dispose();
    this.trainObs = tf.keep(this.input(observations, batch));
    const obs = this.trainObs;
    const { latent, head, values } = tf.tidy(() => {
      const f = this.forward(obs);
      return { latent: f.latent.dataSync(), head: f.head.dataSync(), values: f.values.dataSync() };
    });
    this.out.latent = Float64Array.from(latent);
    this.out.head = Float64Array.from(head);
    this.out.values = Float64Array.from(values);
    return this.out;
  }

  backwardTrain(batch: number, gradHead: Float64Array, gradLatent: Float64Array | null, gradValues: Float64Array, grads: Float64Array): void {
    const obs = this.trainObs;
    if (obs === null || obs.shape[0] !== batch) throw new RangeError(`TfjsEngine: backward batch ${batch} does not match the last training forward`);
    const latentSize = this.shape.hidden[this.shape.hidden.length - 1] as number;
    const vars = this.all.flatMap((d) => [d.kernel, d.bias]);
    const flat = tf.tidy(() => {
      const gHead = tf.tensor2d(Float32Array.from(gradHead.subarray(0, batch * this.shape.policyOutputSize)), [batch, this.shape.policyOutputSize]);
      const gValues = tf.tensor2d(Float32Array.from(gradValues.subarray(0, batch)), [batch, 1]);
      const gLatent = gradLatent === null ? null : tf.tensor2d(Float32Array.from(gradLatent.subarray(0, batch * latentSize)), [batch, latentSize]);
      const { grads: g } = tf.variableGrads(() => {
        const f = this.forward(obs);
        let s = tf.add(tf.sum(tf.mul(f.head, gHead)), tf.sum(tf.mul(f.values, gValues)));
        if (gLatent !== null) s = tf.add(s, tf.sum(tf.mul(f.latent, gLatent)));
        return s as tf.Scalar;
      }, vars);
      // One tensor in the flat layout: each layer's kernel then bias.
      return tf.concat(this.all.flatMap((d) => [tf.reshape(g[d.kernel.name] as tf.Tensor, [-1]), g[d.bias.name] as tf.Tensor1D])).dataSync();
    });
    for (let k = 0; k < this.networkParamCount; k++) grads[k] = flat[k] as number;
  }

  setParams(params: Float64Array): void {
    // tidy frees the temporary tensors; the variables keep their own reference to the data.
    tf.tidy(() => {
      for (const d of this.all) {
        const kernelSize = d.inSize * d.outSize;
        d.kernel.assign(tf.tensor2d(Float32Array.from(params.subarray(d.offset, d.offset + kernelSize)), [d.inSize, d.outSize]));
        d.bias.assign(tf.tensor1d(Float32Array.from(params.subarray(d.offset + kernelSize, d.offset + kernelSize + d.outSize))));
      }
    });
  }

  dispose(): void {
    this.trainObs?.dispose();
    this.trainObs = null;
    for (const d of this.all) {
      d.kernel.dispose();
      d.bias.dispose();
    }
  }
}
