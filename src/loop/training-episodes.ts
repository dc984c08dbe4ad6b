import type { TrainEvent } from './events.js';
import type { LoopState } from './on-policy-loop.js';

/** Training episodes averaged for `firstStepAtThreshold` and the recent-return log. */
const RECENT = 10;

/**
 * Books a finished training episode into the loop state (count, the last 10 returns, the first
 * step at which their mean reached the env's reward threshold) and emits its `episode` event.
 * Shared by every training loop.
 */
export function recordTrainingEpisode(state: LoopState, rewardThreshold: number | undefined, emit: (event: TrainEvent) => void, step: number, ret: number, length: number, envIndex: number): void {
  state.episodes++;
  state.recentReturns.push(ret);
  if (state.recentReturns.length > RECENT) state.recentReturns.shift();
  if (state.firstStepAtThreshold === null && rewardThreshold !== undefined && state.recentReturns.length === RECENT) {
    const mean = state.recentReturns.reduce((a, b) => a + b, 0) / RECENT;
    if (mean >= rewardThreshold) state.firstStepAtThreshold = step;
  }
  emit({ type: 'episode', step, return: ret, length, envIndex });
}
