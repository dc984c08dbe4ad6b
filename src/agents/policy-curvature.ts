import { ConfigError } from '../core/errors.js';
import { categorical } from '../nn/distributions.js';
import { gsdeLogStd } from '../nn/gsde.js';
import { MlpCurvature, type CurvatureLayer } from '../nn/fast/mlp-curvature.js';
import type { ActorCritic } from './actor-critic.js';
import { actorCriticLayout } from './engines/engine.js';

/** What {@link PolicyCurvature} needs to know of a policy: its layers, distribution and log-std parameters. */
export interface PolicyCurvatureSpec {
  /** The policy's layers, input to output (body then head), in the flat vector. */
  readonly layers: readonly CurvatureLayer[];
  readonly distribution: 'categorical' | 'gaussian';
  /** Action dimension D (Gaussian) or number of classes K (categorical) = the last layer's width. */
  readonly outputSize: number;
  /** Where the log-std parameters are (Gaussian only). */
  readonly logStd: { readonly kind: 'none' } | { readonly kind: 'state-independent'; readonly offset: number } | { readonly kind: 'gsde'; readonly offset: number; readonly latentLayer: number };
  /** Length of the flat parameter vector. */
  readonly paramCount: number;
}

/**
 * Curvature of a policy π_θ(a|s) on a batch of states, in the flat parameter vector of its
 * {@link ActorCritic}: the Fisher-vector products TRPO's conjugate gradient needs and the
 * Hessian-vector products of Σ w·log π that HARPG needs. The network part is
 * {@link MlpCurvature}; this class adds the distribution's part in its outputs:
 *
 * - Fisher: F·v = (1/B) Σ_b J_bᵀ·M_b·J_b·v with J_b the Jacobian of sample b's distribution
 *   parameters and M_b their Fisher — categorical logits: diag(p) − p·pᵀ; Gaussian
 *   (mean, log-std): diag(1/σ², 2). This equals ∇²_θ KL(π_θold ‖ π_θ)·v at θ = θ_old (and the
 *   same for the other KL direction), exactly, with no second derivative of the network.
 * - Hessian of Φ(θ) = Σ_b w_b·log π(a_b|s_b): the R-operator of its gradient, with the
 *   output-space Hessians of log π: categorical −(diag(p) − p·pᵀ); Gaussian per dimension
 *   [[−1/σ², −2z/σ], [−2z/σ, −2z²]] in (mean, log σ), z = (a − μ)/σ.
 *
 * Log-std parameters: a state-independent vector (one per action dimension), or gSDE's
 * [latent × D] matrix with σ_bj² = Σ_k f_bk²·σ_kj² + ε and the latent f held fixed (SB3's
 * default; Fisher products only). Products cover the policy's parameters; the critic's entries
 * of the output vectors are left at 0.
 */
export class PolicyCurvature {
  private readonly mlp: MlpCurvature;
  private batch = 0;
  private params: Float64Array = new Float64Array(0);
  /** Per-sample outputs at the prepared point: logits' softmax p [B × K], or log-std [B × D]. */
  private probs = new Float64Array(0);
  private logStd = new Float64Array(0);
  private variance = new Float64Array(0);
  private logp = new Float64Array(0);
  /** Output-space cotangents and tangents [B × out], and the log-std ones [B × D]. */
  private cot = new Float64Array(0);
  private rCot = new Float64Array(0);
  private cotLogStd = new Float64Array(0);
  private tanLogStd = new Float64Array(0);
  private mean: Float64Array = new Float64Array(0);
  /** Unit weights [B] for {@link logProbDirectionalDerivatives}. */
  private ones = new Float64Array(0);

  constructor(readonly spec: PolicyCurvatureSpec) {
    this.mlp = new MlpCurvature(spec.layers);
    if (spec.distribution === 'categorical' && spec.logStd.kind !== 'none') throw new ConfigError('PolicyCurvature: a categorical policy has no log-std');
    if (spec.distribution === 'gaussian' && spec.logStd.kind === 'none') throw new ConfigError('PolicyCurvature: a Gaussian policy needs its log-std parameters');
  }

  /** The curvature of an actor-critic's policy (its policy body and action head, log-std or gSDE matrix). */
  static of(net: ActorCritic): PolicyCurvature {
    const o = net.options;
    if (o.stateGru !== undefined || o.stateResidual !== undefined) throw new ConfigError('curvature products cover MLP policies, not a stateful policy\'s internal-state kernel');
    const layout = actorCriticLayout(net.shape);
    const layers: CurvatureLayer[] = [...layout.policyBody.map((s) => ({ ...s, activation: o.activation })), ...layout.actionHead.map((s) => ({ ...s, activation: 'identity' as const }))];
    if (o.useSde && o.sdeLearnFeatures === true) throw new ConfigError('curvature products assume gSDE features held fixed (sdeLearnFeatures false)');
    const logStd = net.discrete ? ({ kind: 'none' } as const) : o.useSde ? ({ kind: 'gsde', offset: layout.size, latentLayer: layout.policyBody.length - 1 } as const) : ({ kind: 'state-independent', offset: layout.size } as const);
    return new PolicyCurvature({ layers, distribution: net.discrete ? 'categorical' : 'gaussian', outputSize: net.policyOutputSize, logStd, paramCount: net.params.length });
  }

  /** Evaluates the policy on `batch` observations at `params`; the products below are taken there. */
  prepare(params: Float64Array, observations: ArrayLike<number>, batch: number): void {
    const out = this.spec.outputSize;
    if (this.cot.length < batch * out) {
      this.probs = new Float64Array(batch * out);
      this.logp = new Float64Array(batch * out);
      this.logStd = new Float64Array(batch * out);
      this.variance = new Float64Array(batch * out);
      this.cot = new Float64Array(batch * out);
      this.rCot = new Float64Array(batch * out);
      this.cotLogStd = new Float64Array(batch * out);
      this.tanLogStd = new Float64Array(batch * out);
    }
    this.batch = batch;
    this.params = params;
    const head = this.mlp.forward(params, observations, batch);
    if (this.spec.distribution === 'categorical') {
      categorical.logSoftmax(head, batch, out, this.logp);
      for (let k = 0; k < batch * out; k++) this.probs[k] = Math.exp(this.logp[k] as number);
      return;
    }
    this.mean = head;
    const ls = this.spec.logStd;
    if (ls.kind === 'state-independent') {
      for (let b = 0; b < batch; b++) for (let j = 0; j < out; j++) this.logStd[b * out + j] = params[ls.offset + j] as number;
    } else if (ls.kind === 'gsde') {
      const latent = this.mlp.layerOutput(ls.latentLayer);
      const L = (this.spec.layers[ls.latentLayer] as CurvatureLayer).outSize;
      gsdeLogStd({ latentSize: L, actionSize: out }, latent, batch, params, ls.offset, this.logStd, this.variance);
    }
  }

  /** The per-sample log-std's directional derivative along `v` into `tanLogStd`. */
  private logStdJvp(v: Float64Array): void {
    const ls = this.spec.logStd;
    const D = this.spec.outputSize;
    const B = this.batch;
    if (ls.kind === 'state-independent') {
      for (let b = 0; b < B; b++) for (let j = 0; j < D; j++) this.tanLogStd[b * D + j] = v[ls.offset + j] as number;
    } else if (ls.kind === 'gsde') {
      const latent = this.mlp.layerOutput(ls.latentLayer);
      const L = (this.spec.layers[ls.latentLayer] as CurvatureLayer).outSize;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < D; j++) {
          let t = 0;
          for (let k = 0; k < L; k++) {
            const f = latent[b * L + k] as number;
            const kj = ls.offset + k * D + j;
            t += f * f * Math.exp(2 * (this.params[kj] as number)) * (v[kj] as number);
          }
          this.tanLogStd[b * D + j] = t / (this.variance[b * D + j] as number);
        }
      }
    }
  }

  /** Adds the log-std cotangents `cotLogStd` [B × D], pulled back to the log-std parameters, to `out`. */
  private logStdVjp(out: Float64Array): void {
    const ls = this.spec.logStd;
    const D = this.spec.outputSize;
    const B = this.batch;
    if (ls.kind === 'state-independent') {
      for (let b = 0; b < B; b++) for (let j = 0; j < D; j++) out[ls.offset + j] = (out[ls.offset + j] as number) + (this.cotLogStd[b * D + j] as number);
    } else if (ls.kind === 'gsde') {
      const latent = this.mlp.layerOutput(ls.latentLayer);
      const L = (this.spec.layers[ls.latentLayer] as CurvatureLayer).outSize;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < D; j++) {
          const g = (this.cotLogStd[b * D + j] as number) / (this.variance[b * D + j] as number);
          for (let k = 0; k < L; k++) {
            const f = latent[b * L + k] as number;
            const kj = ls.offset + k * D + j;
            out[kj] = (out[kj] as number) + g * f * f * Math.exp(2 * (this.params[kj] as number));
          }
        }
      }
    }
  }

  /** Writes F·v (mean Fisher of the prepared batch, no damping) into `out` (full parameter vector). */
  fisherVectorProduct(v: Float64Array, out: Float64Array): void {
    const B = this.batch;
    const K = this.spec.outputSize;
    const jv = this.mlp.jvp(v);
    const m = this.cot;
    if (this.spec.distribution === 'categorical') {
      for (let b = 0; b < B; b++) {
        let pt = 0;
        for (let j = 0; j < K; j++) pt += (this.probs[b * K + j] as number) * (jv[b * K + j] as number);
        for (let j = 0; j < K; j++) m[b * K + j] = ((this.probs[b * K + j] as number) * ((jv[b * K + j] as number) - pt)) / B;
      }
    } else {
      this.logStdJvp(v);
      for (let k = 0; k < B * K; k++) {
        m[k] = ((jv[k] as number) * Math.exp(-2 * (this.logStd[k] as number))) / B;
        this.cotLogStd[k] = (2 * (this.tanLogStd[k] as number)) / B;
      }
    }
    out.fill(0);
    this.mlp.vjp(m.subarray(0, B * K), out);
    if (this.spec.distribution === 'gaussian') this.logStdVjp(out);
  }

  /** Writes ∇_θ Σ_b w_b·log π(a_b|s_b) into `out` (full parameter vector). */
  logProbGradient(weights: ArrayLike<number>, actions: ArrayLike<number>, out: Float64Array): void {
    this.logProbCotangents(weights, actions);
    out.fill(0);
    this.mlp.vjp(this.cot.subarray(0, this.batch * this.spec.outputSize), out);
    if (this.spec.distribution === 'gaussian') this.logStdVjp(out);
  }

  /**
   * Writes ∇²_θ Φ·u into `out`, Φ(θ) = Σ_b w_b·log π(a_b|s_b) at the prepared point, with the
   * weights and actions held fixed. Not for gSDE (whose log-std is not linear in its parameters).
   */
  logProbHessianVectorProduct(weights: ArrayLike<number>, actions: ArrayLike<number>, u: Float64Array, out: Float64Array): void {
    if (this.spec.logStd.kind === 'gsde') throw new ConfigError('log-prob Hessian-vector products are not available for gSDE policies');
    const B = this.batch;
    const K = this.spec.outputSize;
    this.logProbCotangents(weights, actions);
    const jv = this.mlp.jvp(u);
    const r = this.rCot;
    out.fill(0);
    if (this.spec.distribution === 'categorical') {
      // R{c} = −w·(diag(p) − p·pᵀ)·J·u.
      for (let b = 0; b < B; b++) {
        const w = weights[b] as number;
        let pt = 0;
        for (let j = 0; j < K; j++) pt += (this.probs[b * K + j] as number) * (jv[b * K + j] as number);
        for (let j = 0; j < K; j++) r[b * K + j] = -w * (this.probs[b * K + j] as number) * ((jv[b * K + j] as number) - pt);
      }
      this.mlp.hvp(this.cot.subarray(0, B * K), r.subarray(0, B * K), out);
      return;
    }
    const offset = (this.spec.logStd as { offset: number }).offset;
    for (let b = 0; b < B; b++) {
      const w = weights[b] as number;
      for (let j = 0; j < K; j++) {
        const k = b * K + j;
        const invStd = Math.exp(-(this.logStd[k] as number));
        const z = ((actions[k] as number) - (this.mean[k] as number)) * invStd;
        const dMean = jv[k] as number;
        const dLogStd = u[offset + j] as number;
        r[k] = w * (-invStd * invStd * dMean - 2 * z * invStd * dLogStd);
        // The log-std is a parameter itself: its row of the Hessian goes straight to `out`.
        out[offset + j] = (out[offset + j] as number) + w * (-2 * z * invStd * dMean - 2 * z * z * dLogStd);
      }
    }
    this.mlp.hvp(this.cot.subarray(0, B * K), r.subarray(0, B * K), out);
  }

  /**
   * Writes δ_b = ⟨∇_θ log π(a_b|s_b), u⟩ for every prepared sample into `out` [B] — one
   * forward-mode pass; e.g. ⟨∇log p(τ|θ), u⟩ = Σ_{t∈τ} δ_t for a trajectory (the dynamics do
   * not depend on θ). Not for gSDE (log-std JVP is the state-independent one only).
   */
  logProbDirectionalDerivatives(actions: ArrayLike<number>, u: Float64Array, out: Float64Array): void {
    if (this.spec.logStd.kind === 'gsde') throw new ConfigError('log-prob directional derivatives are not available for gSDE policies');
    const B = this.batch;
    const K = this.spec.outputSize;
    if (this.ones.length < B) this.ones = new Float64Array(B).fill(1);
    this.logProbCotangents(this.ones, actions);
    const ju = this.mlp.jvp(u);
    if (this.spec.distribution === 'gaussian') this.logStdJvp(u);
    for (let b = 0; b < B; b++) {
      let d = 0;
      for (let j = 0; j < K; j++) {
        const k = b * K + j;
        d += (this.cot[k] as number) * (ju[k] as number);
        if (this.spec.distribution === 'gaussian') d += (this.cotLogStd[k] as number) * (this.tanLogStd[k] as number);
      }
      out[b] = d;
    }
  }

  /** Output-space gradient of Σ w·log π into `cot` (and `cotLogStd` for Gaussians). */
  private logProbCotangents(weights: ArrayLike<number>, actions: ArrayLike<number>): void {
    const B = this.batch;
    const K = this.spec.outputSize;
    if (this.spec.distribution === 'categorical') {
      for (let b = 0; b < B; b++) {
        const w = weights[b] as number;
        const a = actions[b] as number;
        for (let j = 0; j < K; j++) this.cot[b * K + j] = w * ((j === a ? 1 : 0) - (this.probs[b * K + j] as number));
      }
      return;
    }
    for (let k = 0; k < B * K; k++) {
      const w = weights[Math.floor(k / K)] as number;
      const invStd = Math.exp(-(this.logStd[k] as number));
      const z = ((actions[k] as number) - (this.mean[k] as number)) * invStd;
      this.cot[k] = w * z * invStd;
      this.cotLogStd[k] = w * (z * z - 1);
    }
  }
}
