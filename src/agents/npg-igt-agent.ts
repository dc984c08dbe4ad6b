import { igtExtrapolate, momentumUpdate, momentumWeight } from '../algorithms/normalized-pg.js';
import type { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { EngineFactory } from './engines/engine.js';
import { NormalizedPgAgent, type MomentumDetails } from './npg-agent-base.js';
import type { NpgIgtConfig } from './npg-config.js';

/**
 * N-PG-IGT (Fatkhullin et al. 2023, Algorithm 1): normalised policy gradient with implicit
 * gradient transport. Iteration t:
 *
 * 1. the rollout is sampled with the policy at θ̃_t = θ_t + (1−η_t)/η_t·(θ_t − θ_{t−1})
 *    (θ̃_0 = θ_0), and g = g(τ, θ̃_t) is the Monte-Carlo gradient estimate there;
 * 2. d_t = (1−η_t)·d_{t−1} + η_t·g (d_0 = g);
 * 3. θ_{t+1} = θ_t + γ_t·d_t/‖d_t‖.
 *
 * Extrapolating the point where the gradient is taken lets the momentum average old gradients
 * without lagging behind the iterate (exactly so on quadratics). Schedules: `npg-config.ts`.
 */
export class NpgIgtAgent extends NormalizedPgAgent {
  declare readonly config: NpgIgtConfig;

  constructor(config: NpgIgtConfig, observationSize: number, actionSpace: Box | Discrete, rng: Rng, engine?: EngineFactory) {
    super(config, observationSize, actionSpace, rng, engine);
  }

  protected override updateMomentum(_buffer: RolloutBuffer, _scale: number, eta: number): MomentumDetails {
    if (this.iteration === 0) this.momentum.set(this.grad);
    else momentumUpdate(this.momentum, this.grad, eta);
    return {};
  }

  protected override nextSamplingPoint(): MomentumDetails {
    // η of the coming iteration, the same η_t its momentum update will use (Algorithm 1; the
    // authors' code extrapolates with the previous iteration's η instead). Only with the same η
    // is the transport exact on quadratics.
    const eta = momentumWeight(this.config.eta, this.config.etaPower, this.iteration);
    igtExtrapolate(this.iterate, this.previous, eta, this.sampling);
    return {};
  }
}
