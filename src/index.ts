/**
 * rxrl: reinforcement learning for TypeScript on Node.js.
 *
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './envs/index.js';
export { train, type TrainOptions, type TrainRun } from './loop/train.js';
export { evaluateRun, loadRawObservationPolicy, loadRunPolicy, type EvaluateRunOptions, type LoadedRunPolicy, type RawObservationPolicy } from './loop/evaluate-run.js';
export type { EvalResult, RunSummary, TrainEvent, TrainEventType, UpdateMetrics } from './loop/events.js';
export { updateMetrics } from './loop/events.js';
export { writeRunFolder } from './loop/run-folder.js';
/** Replay buffers (uniform, n-step, prioritised), offline datasets (D4RL/Minari HDF5, plain arrays), normalised scores, dataset collection. */
export * from './data/index.js';
export { stopOnNoImprovement, stopOnRewardThreshold } from './loop/early-stopping.js';
export { exportRunPolicy } from './loop/export-run.js';
export { epoPpoConfigSchema, ppoConfigSchema, ppoLstmConfigSchema, resolvePpoConfig, s2pgConfigSchema, type PpoConfig, type PpoConfigInput } from './agents/ppo-config.js';
export { RecurrentActorCritic, type RecurrentActorCriticOptions, type RecurrentActorCriticState, type RecurrentForward, type RecurrentMemory } from './agents/recurrent-actor-critic.js';
export { RecurrentPpoAgent, type RecurrentPpoAgentState } from './agents/recurrent-ppo-agent.js';
export { a2cConfigSchema, reinforceConfigSchema, resolveA2cConfig, resolveReinforceConfig, type A2cConfig, type A2cConfigInput, type ReinforceConfig, type ReinforceConfigInput } from './agents/a2c-config.js';
export { mdpoConfigSchema, resolveMdpoConfig, type MdpoConfig, type MdpoConfigInput } from './agents/mdpo-config.js';
export { harpgConfigSchema, npgIgtConfigSchema, resolveHarpgConfig, resolveNpgIgtConfig, type HarpgConfig, type HarpgConfigInput, type NpgIgtConfig, type NpgIgtConfigInput } from './agents/npg-config.js';
export { NpgIgtAgent } from './agents/npg-igt-agent.js';
export { HarpgAgent, type HarpgAgentState } from './agents/harpg-agent.js';
export type { NormalizedPgAgentState } from './agents/npg-agent-base.js';
export {
  ALGORITHMS,
  createGradientAgent,
  GRADIENT_ALGORITHMS,
  createOfflineAgent,
  createOnPolicyAgent,
  isGradientConfig,
  isOfflineConfig,
  isOffPolicyConfig,
  isOnPolicyConfig,
  OFF_POLICY_ALGORITHMS,
  OFFLINE_ALGORITHMS,
  ON_POLICY_ALGORITHMS,
  resolveConfig,
  type AgentConfig,
  type AgentConfigInput,
  type AlgorithmName,
  type GradientAgentConfig,
  type OffPolicyConfig,
  type OnPolicyAlgorithmName,
  type OnPolicyConfig,
} from './agents/algorithms.js';
/** SAC, TD3 and DQN: off-policy learning from a replay buffer of the agent's own experience. */
export { resolveSacConfig, sacConfigSchema, type SacConfig, type SacConfigInput } from './agents/sac/sac-config.js';
export { SacAgent, type SacAgentState } from './agents/sac/sac-agent.js';
export { actionGradients, bootstrapFactors, BoxScaling, fitTwinCritics, requireBoundedBox, stateActionRows, type OffPolicyAgent, type OffPolicyStepMetrics } from './agents/off-policy-agent.js';
export { batchFitsBuffer, offPolicyTailFields, replayFields } from './agents/off-policy-config.js';
export { resolveTd3Config, td3ConfigSchema, type Td3Config, type Td3ConfigInput } from './agents/td3/td3-config.js';
export { Td3Agent, type Td3AgentState } from './agents/td3/td3-agent.js';
export { addExplorationNoise, deterministicActorLoss, smoothTargetActions } from './algorithms/td3.js';
export { dqnConfigSchema, resolveDqnConfig, type DqnConfig, type DqnConfigInput } from './agents/dqn/dqn-config.js';
export { DqnAgent, requireDiscrete, type DqnAgentState } from './agents/dqn/dqn-agent.js';
export { argmax, greedyTargets, huberTdLoss, linearSchedule } from './algorithms/dqn.js';
export { SAC_LOG_STD_MAX, SAC_LOG_STD_MIN, SacPolicy, type SacPolicyOptions, type SacPolicyState } from './agents/sac/sac-policy.js';
export { actorLoss, logOneMinusTanhSquared, softTargets, squashedLogProb, temperatureLoss } from './algorithms/sac.js';
export { createOffPolicyAgent, createSacAgent, OFF_POLICY_STEPS_PER_ITERATION, runOffPolicyTraining } from './loop/off-policy-loop.js';
/** Offline RL from datasets: O-DICE and the semi-/true-gradient DICE updates, IQL, BC; DualDICE off-policy evaluation. */
export {
  bcConfigSchema,
  DICE_ALGORITHMS,
  iqlConfigSchema,
  odiceConfigSchema,
  resolveOfflineConfig,
  semiDiceConfigSchema,
  trueDiceConfigSchema,
  type BcConfig,
  type BcConfigInput,
  type DiceAlgorithm,
  type DiceConfig,
  type DiceConfigInput,
  type IqlConfig,
  type IqlConfigInput,
  type OfflineAlgorithmName,
  type OfflineConfig,
  type OfflineConfigInput,
} from './agents/offline/offline-config.js';
export { ExtractedPolicyAgent, requireBoxActions, type OfflineAgent, type OfflineStepMetrics } from './agents/offline/offline-agent.js';
export { DiceAgent } from './agents/offline/dice-agent.js';
export { IqlAgent } from './agents/offline/iql-agent.js';
export { BcAgent } from './agents/offline/bc-agent.js';
export { OfflineGaussianPolicy, type OfflineGaussianPolicyOptions, type OfflineGaussianPolicyState, type PolicyUpdate } from './agents/offline/gaussian-policy.js';
export { minOverHeads, ValueHeads, ValuePass, type ValueHeadsOptions, type ValueHeadsState } from './agents/offline/value-heads.js';
export { DualDiceEstimator, type DualDiceOptions, type DualDiceProgress, type ValueEstimate } from './agents/offline/dual-dice-estimator.js';
export { FittedQEvaluator, type FittedQOptions, type FittedQProgress } from './agents/offline/fitted-q-evaluator.js';
export { StateActionEncoder, type RowActions, type RowNetwork } from './agents/offline/state-action-encoder.js';
export { fqeTargets, perStepValueBounds } from './algorithms/fitted-q-evaluation.js';
export { diceBackwardTerm, diceExtractionWeights, diceForwardTerm, diceTrueGradientTerm, diceValueTerm, fConjugate, fConjugateDerivative, MIN_PROJECTION_NORM, orthogonalDualGradient, type DiceDivergence, type DiceTermInput } from './algorithms/dice.js';
export { advantageWeights, expectileLoss, expectileValueLoss, twinRegressionLoss } from './algorithms/iql.js';
export { weightedGaussianNll, type WeightedGaussianBatch } from './algorithms/weighted-likelihood.js';
export { augmentedMass, dualDiceGradients, lagrangianValueEstimate, normalizedValueEstimate, type DualDiceGradients, type DualDiceSamples } from './algorithms/dual-dice.js';
/** GRPO and EPO update rules (group advantages, clipped token surrogate, k3 KL, aggregations; EPO's phase weight and entropy smoothing). */
export { GRPO_STD_EPS, groupAdvantages, grpoLoss, k3, k3Grad, tokenWeight, type GrpoAggregation, type GrpoHyper, type GrpoLossMetrics, type GrpoTokens } from './algorithms/grpo.js';
/** GRPO: critic-free policy optimisation from groups of rollouts per task instance, and its loop. */
export { GrpoAgent, type GrpoAgentState } from './agents/grpo/grpo-agent.js';
export { GruTokenPolicy, MlpTokenPolicy, type GruTokenPolicyState, type HeadBuffers, type SequenceForward, type TokenPolicy, type TokenPolicyState } from './agents/grpo/token-policy.js';
export { GruSequenceNet, gruParamCount, type GruShape } from './nn/fast/gru.js';
export { grpoConfigSchema, resolveGrpoConfig, type GrpoConfig, type GrpoConfigInput } from './agents/grpo/grpo-config.js';
export { GroupBatch, type GroupBatchShape } from './data/group-batch.js';
export { createGrpoAgent, runGroupTraining, type GroupTrainingOptions } from './loop/group-loop.js';
export { EPO_PHASE_LENGTH, epoPhaseWeight, smoothingMask, smoothingPenalty, TurnEntropyHistory, type SmoothingBand } from './algorithms/epo.js';
export { OFFLINE_STEPS_PER_ITERATION, runOfflineTraining, type OfflineTrainingOptions } from './loop/offline-loop.js';
export { discountHorizon, estimatePolicyValue, monteCarloValue, type IntervalEstimate, type MonteCarloOptions, type PolicyValueEstimates, type PolicyValueOptions } from './loop/ope.js';
export type { PolicyActor } from './loop/agent.js';
export { LayerNormMlp, layerNormBackward, layerNormForward, polyakUpdate, type LayerNormMlpOptions } from './nn/fast/index.js';
/** Gradient agents through the differentiable simulator: APG (SHAC) and ILD (imitation via Chamfer distance). */
export { ApgAgent, type ApgAgentState } from './agents/apg/apg-agent.js';
export { apgConfigSchema, resolveApgConfig, type ApgConfig, type ApgConfigInput } from './agents/apg/apg-config.js';
export type { EpisodeEnd, GradientAgent, GradientIteration } from './agents/apg/gradient-agent.js';
export { SquashedGaussianPolicy, type SquashedGaussianPolicyOptions, type SquashedGaussianPolicyState } from './agents/apg/squashed-gaussian.js';
export { tdLambdaTargets } from './agents/apg/td-lambda.js';
export { IldAgent, type IldAgentState } from './agents/ild/ild-agent.js';
export { ildConfigSchema, resolveIldConfig, type IldConfig, type IldConfigInput } from './agents/ild/ild-config.js';
export { chamferDistance, type ChamferTerms } from './agents/ild/chamfer.js';
export { bundledExpertPath, readExpertTrajectory, recordExpertTrajectory, writeExpertTrajectory, type ExpertTrajectory, type RecordExpertOptions } from './agents/ild/expert-trajectory.js';
export { runGradientTraining, type GradientTrainingOptions } from './loop/gradient-loop.js';
export { computeGae, type GaeInput } from './algorithms/gae.js';
export { ppoLoss, type PpoLossHyper, type PpoLossMetrics } from './algorithms/ppo-loss.js';
export { policyGradientLoss, type PolicyGradientHyper, type PolicyGradientLossMetrics, type PolicyGradientSamples } from './algorithms/policy-gradient-loss.js';
export { mdpoIterations, mdpoLoss, mdpoStepSize, type MdpoLossHyper, type MdpoLossMetrics, type MdpoSamples, type OldHeadOutputs } from './algorithms/mdpo-loss.js';
export { countTrajectories, decaySchedule, harpgMomentumUpdate, igtExtrapolate, momentumUpdate, momentumWeight, normalizedStep, segmentPoint, trajectoryScoreWeights } from './algorithms/normalized-pg.js';
export { resolveTrpoConfig, trpoConfigSchema, type TrpoConfig, type TrpoConfigInput } from './agents/trpo-config.js';
export { backtrackingLineSearch, cgWork, conjugateGradient, trpoStepScale, type CgResult, type CgWork, type LineSearchResult, type LineSearchSettings, type MatrixVectorProduct, type TrialResult } from './algorithms/trpo.js';
export { PolicyCurvature, type PolicyCurvatureSpec } from './agents/policy-curvature.js';
export { MlpCurvature, type CurvatureActivation, type CurvatureLayer } from './nn/fast/mlp-curvature.js';
/** Benchmark statistics (IQM, stratified bootstrap CIs, performance profiles, probability of improvement, sample complexity). */
export * as stats from './bench/statistics.js';
export { VERSION } from './version.js';
/** Drawing the locomotion envs: pose records (`render()`), SVG frames, animated SVG episodes, filmstrips and PNGs; see `src/render/`. */
export * from './render/index.js';
/** Inverse kinematics: Jacobians, multi-task problems and batched solvers on any model; see `src/ik/`. */
export * as ik from './ik/index.js';
/** Batched rigid-body physics (MJCF loader, forward dynamics stages); see `src/physics/`. */
export * as physics from './physics/index.js';
/** Results stores for sweeps across machines (`rxrl worker --store`): a shared folder or an S3 bucket. */
export { checkStoreKey, FolderStore, openResultsStore, type ResultsStore } from './distributed/results-store.js';
export { parseS3Url, S3Store, type S3StoreOptions } from './distributed/s3-store.js';
