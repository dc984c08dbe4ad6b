import { harpgMomentumUpdate, l2Norm, segmentPoint, subtract } from '../algorithms/normalized-pg.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { EngineFactory } from './engines/engine.js';
import { HarpgCorrection } from './harpg-correction.js';
import { NormalizedPgAgent, type MomentumDetails, type NormalizedPgAgentState } from './npg-agent-base.js';
import type { HarpgConfig } from './npg-config.js';

/** Checkpointed state of a {@link HarpgAgent}. */
export interface HarpgAgentState extends NormalizedPgAgentState {
  /** The stream of the q ~ U(0, 1) draws. */
  readonly segmentRng: RngState;
}

/**
 * (N)-HARPG (Fatkhullin et al. 2023, Algorithm 2, normalised): Hessian-aided recursive policy
 * gradient. Iteration t ≥ 1, with θ_t = θ_{t−1} + γ_{t−1}·d_{t−1}/‖d_{t−1}‖ already taken:
 *
 * 1. θ̂_t = q·θ_t + (1−q)·θ_{t−1}, q ~ U(0, 1) (drawn when θ_t was made, from the seeded
 *    stream `rng.split('segment')`, checkpointed); the rollout τ is sampled with the policy at θ̂_t;
 * 2. v = B(τ, θ̂_t)·(θ_t − θ_{t−1}) with B(τ, θ)·u = ⟨∇log p(τ|θ), u⟩·g(τ, θ) + ∇²Φ(τ, θ)·u,
 *    Φ(τ, θ) = Σ_t R_t·log π(a_t|s_t): an unbiased estimate of ∇J(θ_t) − ∇J(θ_{t−1}) (the
 *    mean-value theorem along the segment, with the random point);
 * 3. d_t = (1−η_t)·(d_{t−1} + v) + η_t·g(τ, θ̂_t);
 * 4. θ_{t+1} = θ_t + γ_t·d_t/‖d_t‖.
 *
 * Iteration 0 samples at θ_0 and sets d_0 = g. With several trajectories (episode pieces) in the
 * rollout, the first term of B is summed per trajectory, ⟨∇log p(τ_k), u⟩·g(τ_k), and both terms
 * are averaged over the K trajectories like g ({@link HarpgCorrection}).
 *
 * As specified (one trajectory per iteration), g and v come from the same rollout at θ̂_t. The
 * authors' experiment code differs: it takes g from a batch at θ_t and v from a second, smaller
 * batch at θ̂_t. η_t is indexed as there: d_1 already uses η_1 = 2/3 (with the default schedule).
 */
export class HarpgAgent extends NormalizedPgAgent {
  declare readonly config: HarpgConfig;
  private segmentRng: Rng;
  private readonly correction: HarpgCorrection;
  /** u = θ_t − θ_{t−1} and v = B·u. */
  private readonly u: Float64Array;
  private readonly v: Float64Array;

  constructor(config: HarpgConfig, observationSize: number, actionSpace: Box | Discrete, rng: Rng, engine?: EngineFactory) {
    super(config, observationSize, actionSpace, rng, engine);
    this.segmentRng = rng.split('segment');
    this.correction = new HarpgCorrection(this.curvature, config.nSteps * config.numEnvs);
    this.u = new Float64Array(this.net.params.length);
    this.v = new Float64Array(this.net.params.length);
  }

  protected override updateMomentum(buffer: RolloutBuffer, scale: number, eta: number): MomentumDetails {
    if (this.iteration === 0) {
      this.momentum.set(this.grad);
      return { correctionNorm: 0 };
    }
    subtract(this.iterate, this.previous, this.u);
    const { numSteps, numEnvs } = buffer.shape;
    this.correction.compute(this.sampling, { numSteps, numEnvs, observations: buffer.observations, actions: buffer.actions, returns: buffer.returns, episodeEnds: buffer.episodeEnds }, scale, this.u, this.v);
    harpgMomentumUpdate(this.momentum, this.v, this.grad, eta);
    return { correctionNorm: l2Norm(this.v) };
  }

  protected override nextSamplingPoint(): MomentumDetails {
    const q = this.segmentRng.uniform();
    segmentPoint(this.previous, this.iterate, q, this.sampling);
    return { q };
  }

  override getState(): HarpgAgentState {
    return { ...super.getState(), segmentRng: this.segmentRng.getState() };
  }

  override setState(state: unknown): void {
    super.setState(state);
    this.segmentRng = Rng.fromState((state as HarpgAgentState).segmentRng);
  }
}
