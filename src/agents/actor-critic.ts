import { ConfigError } from '../core/errors.js';
import { Rng, type RngState } from '../core/rng.js';
import { HybridBox, type Box, type Discrete } from '../core/spaces.js';
import type { PolicyHead } from '../algorithms/policy-head.js';
import type { ActOutput } from '../loop/agent.js';
import { categorical, diagGaussian } from '../nn/distributions.js';
import { Adam, clipGradNorm, type AdamState } from '../nn/fast/adam.js';
import { RmsProp, type RmsPropState } from '../nn/fast/rmsprop.js';
import { FastArena } from '../nn/fast/arena.js';
import { GruSequenceNet, gruParamCount } from '../nn/fast/gru.js';
import { GsdeExploration, gsdeLogStd, gsdeLogStdBackward, type GsdeExplorationState } from '../nn/gsde.js';
import type { ActorCriticEngine, ActorCriticShape, EngineFactory } from './engines/engine.js';
import { FastEngine, initActorCriticParams, networkParamCount } from './engines/fast-engine.js';

/** Options of {@link ActorCritic}. */
export interface ActorCriticOptions {
  readonly observationSize: number;
  readonly actionSpace: Box | Discrete;
  /** Hidden widths of each body, e.g. `[64, 64]`. */
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  /** Initial log-std (of the action noise, or of the gSDE exploration matrix). */
  readonly logStdInit: number;
  /** Adam ε (Adam is the optimizer unless {@link ActorCriticOptions.optimizer} picks another). */
  readonly adamEps: number;
  /** Use RMSprop (PyTorch semantics, as SB3's A2C) instead of Adam. */
  readonly optimizer?: { readonly kind: 'rmsprop'; readonly alpha: number; readonly eps: number };
  /** Generalised state-dependent exploration (continuous actions only). */
  readonly useSde: boolean;
  readonly sdeSampleFreq: number;
  /** gSDE only: let the variance's gradient flow into the policy body (SB3 `learn_features`, default false). */
  readonly sdeLearnFeatures?: boolean;
  /** Computes the networks; default the fast typed-array engine. */
  readonly engine?: EngineFactory;
  /**
   * A residual internal-state kernel (S2PG): the means of the action entries from `outputOffset`
   * on are the `size` observation entries from `inputOffset` (the current z) plus the network's
   * output, so z' = z unless the policy learns otherwise and a memory persists by default.
   */
  readonly stateResidual?: { readonly inputOffset: number; readonly outputOffset: number; readonly size: number };
  /**
   * S2PG: the initial log-std of the internal state's entries, the last `size` Gaussian entries
   * of the action ([a, z′]); the others start at {@link ActorCriticOptions.logStdInit}.
   */
  readonly stateNoise?: { readonly size: number; readonly logStdInit: number };
  /**
   * S2PG with gSDE: the last `plainStateNoise` action entries (z′) take fresh Gaussian noise every
   * step with a state-independent log-std (the S2PG paper's kernel κ) instead of gSDE's held,
   * latent-scaled noise; that log-std is row 0 of their gSDE columns (the other rows go unused).
   * Without gSDE every entry is already so.
   */
  readonly plainStateNoise?: number;
  /**
   * A GRU-cell internal-state kernel (S2PG): the z′ means — the last `size` outputs — are a GRU
   * cell's next hidden state, with z (the `size` observation entries from `stateOffset`) as its
   * hidden state and the other observation entries ([o, a_prev]) as its input. The network's
   * bodies compute the rest of the head (the action's part) from the whole observation.
   */
  readonly stateGru?: { readonly stateOffset: number; readonly size: number };
}

/** The config fields every agent's network is built from. */
export interface NetworkConfig {
  readonly policy: { readonly hidden: readonly number[]; readonly activation: 'tanh' | 'relu'; readonly logStdInit: number };
  readonly useSde: boolean;
  readonly sdeSampleFreq: number;
  /** S2PG: the internal state's size and its kernel's mean (see {@link ActorCriticOptions.stateResidual}). */
  readonly stateDim?: number;
  readonly stateKernel?: 'mlp' | 'residual' | 'gru';
  /** S2PG: the initial log-std of z′ (default the policy's `logStdInit`). */
  readonly stateLogStdInit?: number | undefined;
  /** S2PG with gSDE: whether z′'s noise is gSDE's too (true) or plain per-step Gaussian (false); see {@link ActorCriticOptions.plainStateNoise}. */
  readonly stateNoiseSde?: boolean;
}

/**
 * The {@link ActorCriticOptions} an agent's config describes, but the optimizer's: agents add
 * `adamEps` (and `optimizer` for RMSprop) themselves.
 */
export function networkOptions(config: NetworkConfig, observationSize: number, actionSpace: Box | Discrete, engine: EngineFactory | undefined): Omit<ActorCriticOptions, 'adamEps'> {
  return {
    observationSize,
    actionSpace,
    hidden: config.policy.hidden,
    activation: config.policy.activation,
    logStdInit: config.policy.logStdInit,
    useSde: config.useSde,
    sdeSampleFreq: config.sdeSampleFreq,
    ...(engine !== undefined ? { engine } : {}),
    ...(config.stateDim !== undefined && config.stateKernel === 'residual' ? { stateResidual: stateResidualLayout(observationSize, actionSpace, config.stateDim) } : {}),
    ...(config.stateDim !== undefined && config.stateKernel === 'gru' ? { stateGru: { stateOffset: stateResidualLayout(observationSize, actionSpace, config.stateDim).inputOffset, size: config.stateDim } } : {}),
    ...(config.stateDim !== undefined && config.stateLogStdInit !== undefined ? { stateNoise: { size: config.stateDim, logStdInit: config.stateLogStdInit } } : {}),
    ...(config.stateDim !== undefined && config.stateNoiseSde === false ? { plainStateNoise: config.stateDim } : {}),
  };
}

/**
 * Where z and z' sit for a stateful policy on `VectorInternalState`'s extended MDP: observations
 * `[o, z, a_prev]` (a_prev one-hot K for a hybrid action, else D entries), actions `[a, z']`
 * (one categorical entry with K logits, or D means).
 */
function stateResidualLayout(observationSize: number, actionSpace: Box | Discrete, stateDim: number): { inputOffset: number; outputOffset: number; size: number } {
  if (actionSpace.kind === 'Discrete') throw new ConfigError('a stateful policy acts on [a, z\']: expected the internal-state env\'s Box or HybridBox action space, got Discrete');
  const actionWidth = actionSpace instanceof HybridBox ? actionSpace.numChoices : actionSpace.flatDim - stateDim;
  return { inputOffset: observationSize - stateDim - actionWidth, outputOffset: actionWidth, size: stateDim };
}

/** Checkpointed state of an {@link ActorCritic}. */
export interface ActorCriticState extends GsdeExplorationState {
  readonly params: Float64Array;
  /** Adam's moments, or RMSprop's average (by the network's optimizer). */
  readonly optimizer: AdamState | RmsPropState;
  readonly actionRng: RngState;
}

/** Outputs of {@link ActorCritic.forwardTrain}, views valid until the next call. */
export interface TrainForward {
  /** [B × K] logits or [B × D] means. */
  readonly policy: Float64Array;
  /** [B × D] per-sample log-std (Gaussian policies). */
  readonly logStd: Float64Array;
  readonly values: Float64Array;
}

/**
 * SB3's `ActorCriticPolicy`: separate policy and value bodies (MLPs with the hidden
 * activation on every layer), a linear action head (logits, or Gaussian means with a
 * state-independent log-std, or gSDE) and a linear value head. All parameters live in one flat
 * float64 vector, so one optimizer step (Adam, or RMSprop for A2C) and one gradient clip cover
 * everything, as in SB3's single optimizer. Orthogonal initialisation with SB3/CleanRL gains:
 * √2 in the bodies, 0.01 on the action head, 1 on the value head. The networks are computed by
 * an engine (`engines/`): the fast typed-array one by default, or TensorFlow.js.
 */
export class ActorCritic {
  readonly discrete: boolean;
  /**
   * For a {@link HybridBox} action (a stochastic stateful policy over a discrete env): K choices
   * for the first entry (categorical logits) and the Gaussian entries after it; null otherwise.
   */
  readonly hybrid: { readonly choices: number; readonly continuous: number } | null;
  /** Entries per action: 1 (Discrete) or the Box dimension. */
  readonly actionSize: number;
  /** Width of the action head: K logits or D means. */
  readonly policyOutputSize: number;
  readonly params: Float64Array;
  readonly grads: Float64Array;
  /** The networks the engine computes (their action head is {@link policyOutputSize} wide but for a GRU kernel's z′ entries). */
  readonly shape: ActorCriticShape;
  readonly engine: ActorCriticEngine;
  /** Log-std parameters: [D] plain, or [latent × D] with gSDE; a view into `params`. */
  private readonly logStdParam: Float64Array;
  private readonly logStdGrad: Float64Array;
  private readonly latentSize: number;
  private readonly optimizer: Adam | RmsProp;
  private actionRng: Rng;
  /** gSDE's exploration matrix (empty without gSDE), resampled by {@link resampleExplorationNoise}. */
  private readonly exploration: GsdeExploration;
  /**
   * The leading action entries whose noise is gSDE's: all with gSDE (but the trailing
   * `plainStateNoise` z′ entries), none without. The rest take plain per-step Gaussian noise with
   * log-std `logStdParam[j]` (without gSDE the whole parameter, with it row 0 of column j).
   */
  private readonly gsdeColumns: number;
  /** The policy latent of the last {@link forwardTrain} (gSDE's variance depends on it). */
  private trainLatent: Float64Array = new Float64Array(0);
  /** Rows of the last {@link forwardTrain}. */
  private trainBatch = 0;
  private readonly scratch = { capacity: 0, logp: new Float64Array(0), logStd: new Float64Array(0), variance: new Float64Array(0), gradLatent: new Float64Array(0) };
  private readonly actOut: { capacity: number; actions: Int32Array | Float32Array; logProbs: Float64Array; values: Float64Array };
  /** Exact-length views of {@link actOut} per batch size, so callers get arrays of `n` entries without a per-call allocation. */
  private readonly actViews = new Map<number, ActOutput>();

  constructor(
    readonly options: ActorCriticOptions,
    rng: Rng,
  ) {
    const { observationSize, actionSpace, hidden, activation } = options;
    this.discrete = actionSpace.kind === 'Discrete';
    this.hybrid = actionSpace instanceof HybridBox ? { choices: actionSpace.numChoices, continuous: actionSpace.continuousDim } : null;
    if (options.useSde && (this.discrete || this.hybrid !== null)) throw new ConfigError('useSde (gSDE) needs a continuous (Box) action space');
    this.actionSize = this.discrete ? 1 : actionSpace.flatDim;
    this.policyOutputSize = actionSpace.kind === 'Discrete' ? actionSpace.n : this.hybrid !== null ? this.hybrid.choices + this.hybrid.continuous : actionSpace.flatDim;
    this.latentSize = hidden[hidden.length - 1] as number;
    if (options.stateGru !== undefined && options.stateResidual !== undefined) throw new ConfigError('an internal-state kernel is either residual or a GRU cell, not both');
    const kernelSize = options.stateGru?.size ?? 0;
    if (kernelSize > 0 && (this.discrete || kernelSize >= this.policyOutputSize)) throw new ConfigError(`stateGru: the action head has ${this.policyOutputSize} outputs, not [a, z′] with ${kernelSize} z′ entries`);
    const shape: ActorCriticShape = { observationSize, hidden, activation, policyOutputSize: this.policyOutputSize - kernelSize };
    this.shape = shape;
    const networks = networkParamCount(shape);
    const logStdCount = this.discrete ? 0 : this.hybrid !== null ? this.hybrid.continuous : options.useSde ? this.latentSize * this.actionSize : this.actionSize;
    const kernelCount = kernelSize > 0 ? gruParamCount({ inputSize: observationSize - kernelSize, hiddenSize: kernelSize, outputSize: 0 }) : 0;
    const total = networks + logStdCount + kernelCount;
    // The default fast engine computes with the WebAssembly kernels when they are in use: then
    // the flat vectors live in an arena (wasm memory) that its networks share for their buffers.
    const arena = options.engine === undefined ? FastArena.create() : null;
    this.params = arena?.alloc(total) ?? new Float64Array(total);
    this.grads = arena?.alloc(total) ?? new Float64Array(total);
    this.logStdParam = this.params.subarray(networks, networks + logStdCount);
    this.logStdGrad = this.grads.subarray(networks, networks + logStdCount);
    this.logStdParam.fill(options.logStdInit);
    if (options.stateNoise !== undefined) this.initStateLogStd(options.stateNoise);
    initActorCriticParams(shape, this.params, rng.split('init'));
    this.kernel = options.stateGru === undefined ? null : this.buildGruKernel(options.stateGru, networks + logStdCount, rng.split('stateKernel'));
    const factory: EngineFactory = options.engine ?? ((sh, p, g) => new FastEngine(sh, p, g));
    this.engine = factory(shape, this.params.subarray(0, networks), this.grads.subarray(0, networks));
    this.engine.setParams(this.params.subarray(0, networks));
    const opt = options.optimizer;
    this.optimizer = opt?.kind === 'rmsprop' ? new RmsProp(this.params.length, { alpha: opt.alpha, eps: opt.eps }) : new Adam(this.params.length, { eps: options.adamEps });
    this.actionRng = rng.split('actions');
    this.exploration = new GsdeExploration({ latentSize: this.latentSize, actionSize: options.useSde ? this.actionSize : 0 }, rng.split('sde'));
    const plain = options.plainStateNoise ?? 0;
    if (plain > this.actionSize) throw new ConfigError(`plainStateNoise: the action has ${this.actionSize} entries, fewer than ${plain}`);
    this.gsdeColumns = options.useSde ? this.actionSize - plain : 0;
    this.actOut = { capacity: 0, actions: new Int32Array(0), logProbs: new Float64Array(0), values: new Float64Array(0) };
  }

  /**
   * The GRU-cell kernel over `params[offset …]`: one net for acting and one for training, sharing
   * the parameters, so acting between a training forward and its backward cannot spoil the
   * latter's cache. PyTorch's GRU initialisation.
   */
  private buildGruKernel(layout: { readonly stateOffset: number; readonly size: number }, offset: number, rng: Rng): GruKernel {
    const Z = layout.size;
    const shape = { inputSize: this.options.observationSize - Z, hiddenSize: Z, outputSize: 0 };
    const params = this.params.subarray(offset, offset + gruParamCount(shape));
    const train = new GruSequenceNet(shape, { params, grads: this.grads.subarray(offset, offset + params.length) });
    train.init(rng);
    const act = new GruSequenceNet(shape, { params, grads: new Float64Array(params.length) });
    return { layout, act, train, scratch: { act: emptyKernelScratch(), train: emptyKernelScratch() } };
  }

  /** Sets the log-std of z′, the last `size` Gaussian entries (every row of gSDE's matrix). */
  private initStateLogStd(noise: { readonly size: number; readonly logStdInit: number }): void {
    const gaussian = this.hybrid !== null ? this.hybrid.continuous : this.actionSize;
    if (this.discrete || noise.size > gaussian) throw new ConfigError(`stateNoise: the action has ${gaussian} Gaussian entries, fewer than the internal state's ${noise.size}`);
    const rows = this.logStdParam.length / gaussian;
    for (let r = 0; r < rows; r++) this.logStdParam.fill(noise.logStdInit, r * gaussian + gaussian - noise.size, (r + 1) * gaussian);
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.params.length;
  }

  private ensureScratch(batch: number): void {
    if (this.scratch.capacity >= batch) return;
    const s = this.scratch;
    s.capacity = batch;
    s.logp = new Float64Array(batch * this.policyOutputSize);
    s.logStd = new Float64Array(batch * this.actionSize);
    s.variance = new Float64Array(batch * this.actionSize);
    s.gradLatent = new Float64Array(batch * this.latentSize);
  }

  private ensureActOut(n: number): void {
    if (this.actOut.capacity >= n) return;
    this.actViews.clear();
    this.actOut.capacity = n;
    this.actOut.actions = this.discrete ? new Int32Array(n) : new Float32Array(n * this.actionSize);
    this.actOut.logProbs = new Float64Array(n);
    this.actOut.values = new Float64Array(n);
  }

  /** Writes the per-sample log-std of a Gaussian policy for `batch` latents into the scratch. */
  private fillLogStd(latent: ArrayLike<number>, batch: number): Float64Array {
    const D = this.actionSize;
    const { logStd, variance } = this.scratch;
    if (this.options.useSde) gsdeLogStd(this.exploration.shape, latent, batch, this.logStdParam, 0, logStd, variance, this.gsdeColumns);
    for (let b = 0; b < batch; b++) for (let j = this.gsdeColumns; j < D; j++) logStd[b * D + j] = this.logStdParam[j] as number;
    return logStd;
  }

  /**
   * Acts on `n` observations: samples actions (or takes the mode when `deterministic`),
   * with their log-probs and the critic's values (left as they were when `withValues` is false,
   * for critic-free agents). Samples come from `sampler` (default: the network's own action
   * stream). Buffers are reused by the next call.
   */
  act(observations: Float32Array, n: number, deterministic: boolean, withValues = true, sampler: Rng = this.actionRng): ActOutput {
    this.ensureActOut(n);
    this.ensureScratch(n);
    const out = this.actOut;
    const { latent, head: raw } = this.engine.inferPolicy(observations, n);
    const head = this.applyStateKernel(raw, observations, n, 'act');
    if (this.hybrid !== null) {
      this.actHybrid(head, n, deterministic, sampler);
    } else if (this.discrete) {
      const K = this.policyOutputSize;
      const logp = this.scratch.logp;
      categorical.logSoftmax(head, n, K, logp);
      const actions = out.actions as Int32Array;
      for (let i = 0; i < n; i++) {
        const a = deterministic ? categorical.modeRow(logp, i * K, K) : categorical.sampleRow(logp, i * K, K, sampler);
        actions[i] = a;
        out.logProbs[i] = logp[i * K + a] as number;
      }
    } else {
      const D = this.actionSize;
      const logStd = this.fillLogStd(latent, n);
      const actions = out.actions as Float32Array;
      for (let i = 0; i < n; i++) {
        if (deterministic) {
          for (let j = 0; j < D; j++) actions[i * D + j] = head[i * D + j] as number;
        } else {
          if (this.options.useSde) this.exploration.perturb(latent, i, head, i * D, actions, i * D, this.gsdeColumns);
          const G = this.gsdeColumns;
          if (G < D) diagGaussian.sampleRow(head, logStd, i * D + G, D - G, sampler, actions, i * D + G);
        }
        out.logProbs[i] = diagGaussian.logProbRow(actions, head, logStd, i * D, D);
      }
    }
    const view = this.actView(n);
    if (withValues) this.values(observations, n, view.values);
    return view;
  }

  /**
   * Acting with a hybrid head: row i of `head` is [K logits, Z means]; the action is [a, z′] with
   * a categorical and z′ Gaussian (state-independent log-std), the log-prob their sum.
   */
  private actHybrid(head: ArrayLike<number>, n: number, deterministic: boolean, sampler: Rng): void {
    const { choices: K, continuous: Z } = this.hybrid as { choices: number; continuous: number };
    const h = this.ensureHybridScratch(n);
    this.splitHybrid(head, n, h);
    categorical.logSoftmax(h.logits, n, K, h.logp);
    const actions = this.actOut.actions as Float32Array;
    for (let i = 0; i < n; i++) {
      const a = deterministic ? categorical.modeRow(h.logp, i * K, K) : categorical.sampleRow(h.logp, i * K, K, sampler);
      actions[i * (1 + Z)] = a;
      if (deterministic) for (let j = 0; j < Z; j++) h.zActions[i * Z + j] = h.means[i * Z + j] as number;
      else diagGaussian.sampleRow(h.means, h.logStd, i * Z, Z, sampler, h.zActions, i * Z);
      for (let j = 0; j < Z; j++) actions[i * (1 + Z) + 1 + j] = h.zActions[i * Z + j] as number;
      // The log-prob of the float32 z′ the env will see, as for every Box action.
      this.actOut.logProbs[i] = (h.logp[i * K + a] as number) + diagGaussian.logProbRow(h.zActions, h.means, h.logStd, i * Z, Z);
    }
  }

  /** Scratch of the hybrid head for `batch` rows: its two parts apart, and their gradients. */
  private hybridScratch = { capacity: 0, logits: new Float64Array(0), means: new Float64Array(0), logStd: new Float64Array(0), logp: new Float64Array(0), choice: new Int32Array(0), zActions: new Float32Array(0), gradLogits: new Float64Array(0), gradMeans: new Float64Array(0), gradLogStd: new Float64Array(0) };

  private ensureHybridScratch(batch: number) {
    const h = this.hybridScratch;
    if (h.capacity >= batch) return h;
    const { choices: K, continuous: Z } = this.hybrid as { choices: number; continuous: number };
    this.hybridScratch = { capacity: batch, logits: new Float64Array(batch * K), means: new Float64Array(batch * Z), logStd: new Float64Array(batch * Z), logp: new Float64Array(batch * K), choice: new Int32Array(batch), zActions: new Float32Array(batch * Z), gradLogits: new Float64Array(batch * K), gradMeans: new Float64Array(batch * Z), gradLogStd: new Float64Array(batch * Z) };
    return this.hybridScratch;
  }

  /** Splits rows [K logits, Z means] of `head` into the scratch, with the log-std rows. */
  private splitHybrid(head: ArrayLike<number>, batch: number, h: ActorCritic['hybridScratch']): void {
    const { choices: K, continuous: Z } = this.hybrid as { choices: number; continuous: number };
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < K; k++) h.logits[b * K + k] = head[b * (K + Z) + k] as number;
      for (let j = 0; j < Z; j++) {
        h.means[b * Z + j] = head[b * (K + Z) + K + j] as number;
        h.logStd[b * Z + j] = this.logStdParam[j] as number;
      }
    }
  }

  /** Outputs with the internal-state kernel applied (one scratch for acting, one for training, so neither overwrites the other). */
  private kernelOut = { act: new Float64Array(0), train: new Float64Array(0) };

  /** The GRU-cell internal-state kernel, or null. */
  private readonly kernel: GruKernel | null;

  /**
   * The policy outputs of `n` rows from the engine's head: as they are, or with the residual
   * kernel's z added to the z′ means ({@link ActorCriticOptions.stateResidual}), or with the GRU
   * kernel's z′ means appended ({@link ActorCriticOptions.stateGru}).
   */
  private applyStateKernel<H extends ArrayLike<number>>(head: H, observations: Float32Array, n: number, use: 'act' | 'train'): H | Float64Array {
    const r = this.options.stateResidual;
    if (r === undefined && this.kernel === null) return head;
    const P = this.policyOutputSize;
    if (this.kernelOut[use].length < n * P) this.kernelOut[use] = new Float64Array(n * P);
    const out = this.kernelOut[use];
    const O = this.options.observationSize;
    if (r !== undefined) {
      for (let i = 0; i < n * P; i++) out[i] = head[i] as number;
      for (let i = 0; i < n; i++) for (let j = 0; j < r.size; j++) out[i * P + r.outputOffset + j] = (out[i * P + r.outputOffset + j] as number) + (observations[i * O + r.inputOffset + j] as number);
      return out.subarray(0, n * P);
    }
    const k = this.kernel as GruKernel;
    const Z = k.layout.size;
    const B = P - Z;
    const next = this.gruStep(k, use, observations, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < B; j++) out[i * P + j] = head[i * B + j] as number;
      for (let j = 0; j < Z; j++) out[i * P + B + j] = next[i * Z + j] as number;
    }
    return out.subarray(0, n * P);
  }

  /** One GRU-cell step per row: input the observation without z, hidden state z; returns the next hidden states [n × Z]. */
  private gruStep(k: GruKernel, use: 'act' | 'train', observations: Float32Array, n: number): Float64Array {
    const O = this.options.observationSize;
    const { stateOffset: at, size: Z } = k.layout;
    const s = this.ensureKernelScratch(k, use, n);
    const I = O - Z;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < at; j++) s.inputs[i * I + j] = observations[i * O + j] as number;
      for (let j = at + Z; j < O; j++) s.inputs[i * I + j - Z] = observations[i * O + j] as number;
      for (let j = 0; j < Z; j++) s.states[i * Z + j] = observations[i * O + at + j] as number;
    }
    return k[use].forwardSequences(s.inputs, s.ones.subarray(0, n), n, s.states);
  }

  /** The kernel's scratch for acting or training (apart: the training net's backward reads its inputs). */
  private ensureKernelScratch(k: GruKernel, use: 'act' | 'train', n: number): KernelScratch {
    if (k.scratch[use].capacity >= n) return k.scratch[use];
    const O = this.options.observationSize;
    const Z = k.layout.size;
    k.scratch[use] = { capacity: n, inputs: new Float64Array(n * (O - Z)), states: new Float64Array(n * Z), ones: new Int32Array(n).fill(1), gradStates: new Float64Array(n * Z), gradBody: new Float64Array(n * (this.policyOutputSize - Z)) };
    return k.scratch[use];
  }

  /**
   * ∂L/∂(engine head) of a training batch from ∂L/∂(policy outputs): the outputs themselves, or,
   * with the GRU kernel, their action part, after backpropagating the z′ part into the kernel.
   */
  private bodyGradient(gradPolicy: Float64Array, batch: number): Float64Array {
    const k = this.kernel;
    if (k === null) return gradPolicy;
    const P = this.policyOutputSize;
    const Z = k.layout.size;
    const B = P - Z;
    const s = k.scratch.train;
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < B; j++) s.gradBody[i * B + j] = gradPolicy[i * P + j] as number;
      for (let j = 0; j < Z; j++) s.gradStates[i * Z + j] = gradPolicy[i * P + B + j] as number;
    }
    k.train.backwardSequences(s.gradStates.subarray(0, batch * Z));
    return s.gradBody.subarray(0, batch * B);
  }

  /** The cached exact-length views of the act buffers for `n` observations. */
  private actView(n: number): ActOutput {
    this.ensureActOut(n);
    let view = this.actViews.get(n);
    if (view === undefined) {
      const out = this.actOut;
      view = { actions: out.actions.subarray(0, n * this.actionSize), logProbs: out.logProbs.subarray(0, n), values: out.values.subarray(0, n) };
      this.actViews.set(n, view);
    }
    return view;
  }

  /** The critic's values of `n` observations (into `out`, or a reused buffer). */
  values(observations: Float32Array, n: number, out?: Float64Array): Float64Array {
    const target = out ?? this.actView(n).values;
    this.engine.inferValues(observations, n, target);
    return target;
  }

  /** gSDE's noise schedule, called by the loop through the agent: a new exploration matrix at every rollout start… */
  startRollout(): void {
    this.resampleExplorationNoise();
  }

  /** …and every `sdeSampleFreq` steps within it (SB3 `sde_sample_freq`; −1: only at rollout start). */
  afterStep(stepInRollout: number): void {
    if (this.options.useSde) this.exploration.afterStep(stepInRollout, this.options.sdeSampleFreq, this.logStdParam);
  }

  /** Draws a new gSDE exploration matrix, entries N(0, σ_kj²); does nothing without gSDE. */
  resampleExplorationNoise(): void {
    if (this.options.useSde) this.exploration.resample(this.logStdParam);
  }

  /** Training forward of a minibatch; keeps activations for {@link backwardTrain}. */
  forwardTrain(observations: Float32Array, batch: number): TrainForward {
    this.ensureScratch(batch);
    const { latent, head, values } = this.engine.forwardTrain(observations, batch);
    this.trainLatent = latent;
    this.trainBatch = batch;
    const policy = this.applyStateKernel(head, observations, batch, 'train');
    // A hybrid head builds its log-std rows itself (for its Gaussian part only).
    const logStd = this.discrete || this.hybrid !== null ? this.scratch.logStd : this.fillLogStd(latent, batch);
    return { policy, logStd, values };
  }

  /**
   * The policy head of a training forward, as the losses take it: the distribution's outputs,
   * the actions taken, and where ∂L/∂outputs go (`grads.policy` [B × out], `grads.logStd`
   * [B × D], `grads.logp` a [B × out] scratch for categorical log-probabilities).
   */
  policyHead(out: TrainForward, actions: ArrayLike<number>, grads: { readonly policy: Float64Array; readonly logStd: Float64Array; readonly logp: Float64Array }): PolicyHead {
    if (this.hybrid !== null) return this.hybridHead(out, actions);
    return this.discrete
      ? { kind: 'categorical', numActions: this.policyOutputSize, logits: out.policy, actions, gradLogits: grads.policy, scratchLogp: grads.logp }
      : { kind: 'gaussian', actionDim: this.actionSize, mean: out.policy, logStd: out.logStd, actions, gradMean: grads.policy, gradLogStd: grads.logStd };
  }

  /** The joint head of a hybrid action: a categorical over the first entry and a Gaussian over the rest; its gradients stay in the scratch until {@link backwardTrain}. */
  private hybridHead(out: TrainForward, actions: ArrayLike<number>): PolicyHead {
    const { choices: K, continuous: Z } = this.hybrid as { choices: number; continuous: number };
    const batch = this.trainBatch;
    const h = this.ensureHybridScratch(batch);
    this.splitHybrid(out.policy, batch, h);
    for (let b = 0; b < batch; b++) {
      h.choice[b] = actions[b * (1 + Z)] as number;
      for (let j = 0; j < Z; j++) h.zActions[b * Z + j] = actions[b * (1 + Z) + 1 + j] as number;
    }
    return {
      kind: 'joint',
      action: { kind: 'categorical', numActions: K, logits: h.logits, actions: h.choice, gradLogits: h.gradLogits, scratchLogp: h.logp },
      state: { kind: 'gaussian', actionDim: Z, mean: h.means, logStd: h.logStd, actions: h.zActions, gradMean: h.gradMeans, gradLogStd: h.gradLogStd },
    };
  }

  /**
   * Backpropagates ∂L/∂(logits or means), ∂L/∂(per-sample log-std) and ∂L/∂V from the last
   * {@link forwardTrain} into {@link grads}. (A hybrid head keeps its gradients in its own
   * scratch; they are merged into `gradPolicy` here.)
   */
  backwardTrain(batch: number, gradPolicy: Float64Array, gradLogStd: Float64Array, gradValues: Float64Array): void {
    if (this.hybrid !== null) {
      const { choices: K, continuous: Z } = this.hybrid;
      const h = this.hybridScratch;
      this.logStdGrad.fill(0);
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < K; k++) gradPolicy[b * (K + Z) + k] = h.gradLogits[b * K + k] as number;
        for (let j = 0; j < Z; j++) {
          gradPolicy[b * (K + Z) + K + j] = h.gradMeans[b * Z + j] as number;
          this.logStdGrad[j] = (this.logStdGrad[j] as number) + (h.gradLogStd[b * Z + j] as number);
        }
      }
      this.engine.backwardTrain(batch, this.bodyGradient(gradPolicy, batch), null, gradValues, this.grads);
      return;
    }
    let gradLatent: Float64Array | null = null;
    if (!this.discrete) gradLatent = this.backwardLogStd(batch, gradLogStd);
    this.engine.backwardTrain(batch, this.bodyGradient(gradPolicy, batch), gradLatent, gradValues, this.grads);
  }

  /**
   * Gradients of the log-std parameters. Plain: the per-sample gradients summed. gSDE, with
   * log s_bj = ½ log(Σ_k f_bk² σ_kj² + ε): ∂log s_bj/∂log σ_kj = f_bk² σ_kj² / var_bj and
   * ∂log s_bj/∂f_bk = f_bk σ_kj² / var_bj — the latter added to `gradLatent` only with
   * `sdeLearnFeatures` (SB3's `learn_features`; off by default, the latent detached).
   * Returns that extra latent gradient, or null.
   */
  private backwardLogStd(batch: number, gradLogStd: Float64Array): Float64Array | null {
    const D = this.actionSize;
    this.logStdGrad.fill(0);
    // Plain-noise entries: their log-std is the parameter itself, so the per-sample gradients are summed.
    for (let b = 0; b < batch; b++) for (let j = this.gsdeColumns; j < D; j++) this.logStdGrad[j] = (this.logStdGrad[j] as number) + (gradLogStd[b * D + j] as number);
    if (!this.options.useSde) return null;
    const L = this.latentSize;
    const learnFeatures = this.options.sdeLearnFeatures === true;
    const gradLatent = learnFeatures ? this.scratch.gradLatent.fill(0, 0, batch * L) : null;
    gsdeLogStdBackward(this.exploration.shape, this.trainLatent, batch, this.logStdParam, this.scratch.variance, gradLogStd, this.logStdGrad, gradLatent, this.gsdeColumns);
    return gradLatent === null ? null : gradLatent.subarray(0, batch * L);
  }

  /** Clips the gradient norm and takes an optimizer step (Adam or RMSprop); returns the norm before clipping. */
  applyGradients(maxGradNorm: number, learningRate: number): number {
    const norm = clipGradNorm(this.grads, maxGradNorm);
    this.optimizer.step(this.params, this.grads, learningRate);
    this.engine.setParams(this.params);
    return norm;
  }

  /** Sets every parameter (networks and log-std) from a vector of {@link parameterCount} entries, leaving the optimizer alone. */
  setParams(params: ArrayLike<number>): void {
    if (params.length !== this.params.length) throw new ConfigError(`expected ${this.params.length} parameters, got ${params.length}: the policy architecture differs`);
    this.params.set(params);
    this.engine.setParams(this.params);
  }

  /** Copies another network's parameters of the same architecture (e.g. a reference policy snapshot). */
  copyParamsFrom(other: ActorCritic): void {
    this.setParams(other.params);
  }

  getState(): ActorCriticState {
    return { params: this.params.slice(), optimizer: this.optimizer.getState(), actionRng: this.actionRng.getState(), ...this.exploration.getState() };
  }

  setState(state: ActorCriticState): void {
    if (state.params.length !== this.params.length) throw new ConfigError(`checkpoint has ${state.params.length} parameters, the network ${this.params.length}: the policy architecture differs`);
    this.params.set(state.params);
    this.engine.setParams(this.params);
    // Checkpoints written before the optimizer was choosable keep Adam's state under `adam`.
    const opt = state.optimizer ?? (state as unknown as { adam: AdamState }).adam;
    if (this.optimizer instanceof RmsProp) {
      if (!('squareAvg' in opt)) throw new ConfigError('checkpoint holds Adam state, the network uses RMSprop');
      this.optimizer.setState(opt);
    } else {
      if (!('m' in opt)) throw new ConfigError('checkpoint holds RMSprop state, the network uses Adam');
      this.optimizer.setState(opt);
    }
    this.actionRng = Rng.fromState(state.actionRng);
    this.exploration.setState(state);
  }
}

/** The GRU-cell internal-state kernel of an {@link ActorCritic}: its layout, two nets sharing the parameters, and scratch. */
interface GruKernel {
  readonly layout: { readonly stateOffset: number; readonly size: number };
  readonly act: GruSequenceNet;
  readonly train: GruSequenceNet;
  readonly scratch: { act: KernelScratch; train: KernelScratch };
}

/** Rows of a GRU kernel's input ([o, a_prev]) and hidden state (z), and the gradients of a training batch. */
interface KernelScratch {
  readonly capacity: number;
  readonly inputs: Float64Array;
  readonly states: Float64Array;
  readonly ones: Int32Array;
  readonly gradStates: Float64Array;
  readonly gradBody: Float64Array;
}

function emptyKernelScratch(): KernelScratch {
  return { capacity: 0, inputs: new Float64Array(0), states: new Float64Array(0), ones: new Int32Array(0), gradStates: new Float64Array(0), gradBody: new Float64Array(0) };
}
