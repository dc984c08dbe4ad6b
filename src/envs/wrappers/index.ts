/** Environment wrappers (Gymnasium's `gymnasium.wrappers` and `gymnasium.wrappers.vector`). */
export { Wrapper, VectorWrapper } from './wrapper.js';
export { TimeLimit } from './time-limit.js';
export { RecordEpisodeStatistics, VectorRecordEpisodeStatistics, type EpisodeStatistics } from './record-episode-statistics.js';
export { ClipAction, VectorClipAction } from './clip-action.js';
export { RescaleAction, VectorRescaleAction } from './rescale-action.js';
export { RunningMeanStd, type RunningMeanStdState } from './running-mean-std.js';
export {
  NormalizeObservation,
  VectorNormalizeObservation,
  type NormalizeObservationOptions,
  type NormalizeObservationState,
} from './normalize-observation.js';
export { NormalizeReward, VectorNormalizeReward, type NormalizeRewardOptions, type NormalizeRewardState } from './normalize-reward.js';
export { TransformObservation, TransformReward } from './transform.js';
export { FlattenObservation, flattenSpace } from './flatten-observation.js';
export { FrameStack, VectorFrameStack } from './frame-stack.js';
export { VectorInternalState } from './internal-state.js';
export { MaskObservation, VectorMaskObservation } from './mask-observation.js';
