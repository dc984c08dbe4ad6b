/**
 * Off-policy and offline data: the replay buffer (uniform, n-step, prioritised), offline
 * datasets in the D4RL layout (HDF5 through h5wasm, Minari's layout for reading, plain typed
 * arrays), episodes and normalised scores, and the collectors that record datasets from envs.
 * (The on-policy rollout buffer, `rollout-buffer.ts`, belongs to the training loop.)
 *
 * @module
 */

export { concatDatasets, createDataset, D4RL_KEYS, DatasetError, type DatasetColumn, type DatasetInput, type DatasetMetadata, type MetadataValue, type NumericArray, type OfflineDataset } from './dataset.js';
export { datasetDigest } from './dataset-digest.js';
export { episodeBootstrap, sumPerEpisode, type BootstrapIntervals, type EpisodeSumStatistics, type EpisodeSums } from './episode-bootstrap.js';
export { EpisodeEndKind, quantileSorted, returnStatistics, splitEpisodes, type Episodes, type ReturnStatistics, type SplitEpisodesOptions } from './episodes.js';
export { D4RL_REFERENCE_SCORES, d4rlReferenceScores, normalizedScore, referenceScoresFor, taskName, type ReferenceScores } from './scores.js';
export { METADATA_ATTRIBUTE, readD4rl, writeD4rl, type ReadD4rlOptions, type WriteD4rlOptions } from './d4rl-format.js';
export { readMinari } from './minari-format.js';
export { detectLayout, loadDataset, type DatasetLayout } from './load-dataset.js';
export { allocateBatch, type TransitionBatch, type TransitionRows, type TransitionSink } from './transitions.js';
export { SumTree } from './sum-tree.js';
export { OfflineSampler, returnRange, returnRangeRewardScale, type OfflineBatch, type OfflineSamplerOptions } from './offline-sampler.js';
export { ReplayBuffer, type ReplayBufferOptions, type ReplayBufferState, type ReplayStorage } from './replay-buffer.js';
export { PrioritizedReplayBuffer, type PrioritizedReplayOptions } from './prioritized-replay-buffer.js';
export { DatasetBuilder, type DatasetBuilderOptions } from './dataset-builder.js';
export { TransitionRecorder } from './transition-recorder.js';
export { randomPolicy, requireBoxOrDiscrete, withActionNoise, type DatasetPolicy } from './policies.js';
export { collectDataset, observationShapeOf, type CollectDatasetOptions } from './collect.js';
export { RECORD_NAMESPACE, recordedEnvId, recordNextVectorEnv, unrecordedEnvId, type ArmedRecording } from './record-training.js';
export { COVERAGE_BINS, dimensionStatistics, HISTOGRAM_BINS, type DimensionStatistics } from './statistics.js';
export { formatReport, inspectDataset, type DatasetReport, type InspectOptions } from './inspect.js';
export { datasetPlotSpec } from './inspect-plot.js';
