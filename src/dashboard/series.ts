import type { TrainEvent } from '../loop/events.js';
import type { CurveName, CurvePoint } from './protocol.js';

/**
 * Turns a run's event stream (live, or replayed from its `metrics.jsonl`) into curve points:
 * one per update (mean return of the last 10 training episodes, the update's losses, KL,
 * entropy, the iteration's speed: collection and update) and one per evaluation. Episodes, rollouts and the rest only
 * feed those.
 */
export class CurveReducer {
  private readonly recent: number[] = [];
  /** The last rollout's collection speed, and the step of the previous update. */
  private rolloutSpeed: number | undefined;
  private lastUpdateStep = 0;

  /** The point `event` adds, or null. */
  push(event: TrainEvent): CurvePoint | null {
    switch (event.type) {
      case 'episode':
        this.recent.push(event.return);
        if (this.recent.length > 10) this.recent.shift();
        return null;
      case 'rollout':
        this.rolloutSpeed = event.stepsPerSecond;
        return null;
      case 'update': {
        const m = event.metrics;
        const values: Partial<Record<CurveName, number>> = { policyLoss: m.policyLoss, valueLoss: m.valueLoss, approxKl: m.approxKl, entropy: m.entropy };
        if (this.recent.length > 0) values.return = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
        // Training speed over the iteration: its steps over the rollout's time plus the update's.
        const steps = event.step - this.lastUpdateStep;
        this.lastUpdateStep = event.step;
        if (this.rolloutSpeed !== undefined && steps > 0) values.stepsPerSecond = steps / (steps / this.rolloutSpeed + m.seconds);
        return { step: event.step, values: finite(values) };
      }
      case 'eval':
        return { step: event.step, values: finite({ evalReturn: event.result.mean }) };
      default:
        return null;
    }
  }
}

/** Drops NaN and infinite values (JSON cannot carry them; a missing value is a gap). */
function finite(values: Partial<Record<CurveName, number>>): Partial<Record<CurveName, number>> {
  const out: Partial<Record<CurveName, number>> = {};
  for (const [k, v] of Object.entries(values)) if (Number.isFinite(v)) out[k as CurveName] = v;
  return out;
}
