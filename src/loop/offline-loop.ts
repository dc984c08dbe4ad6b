/**
 * The training loop of the offline agents (O-DICE, semi-/true-gradient DICE, IQL, BC): gradient
 * steps on uniform minibatches of a fixed dataset, with the events, evaluations (in the env the
 * dataset came from), checkpoints and bit-exact resume of the other loops, so that the CLI, run
 * folders and `rxrl bench` treat every algorithm alike. Steps count gradient steps.
 * @module
 */

import { createOfflineAgent } from '../agents/algorithms.js';
import type { OfflineAgent, OfflineStepMetrics } from '../agents/offline/offline-agent.js';
import type { OfflineConfig } from '../agents/offline/offline-config.js';
import { DatasetError, type OfflineDataset } from '../data/dataset.js';
import { loadDataset } from '../data/load-dataset.js';
import { OfflineSampler, returnRangeRewardScale } from '../data/offline-sampler.js';
import { Rng, type RngState } from '../core/rng.js';
import { registration } from '../envs/registry.js';
import { fastEngineInfo } from '../nn/fast/index.js';
import { writeCheckpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import { updateMetrics, type EvalResult, type UpdateMetrics } from './events.js';
import { finishRun, freshLoopState, nextMultiple, runClock, type SelfDrivenTrainingOptions } from './run-end.js';
import type { LoopState } from './on-policy-loop.js';
import { buildOfflineEvalEnv } from './training-env.js';

/** Gradient steps between two `update` events (and the finest grain of evaluations and checkpoints). */
export const OFFLINE_STEPS_PER_ITERATION = 1000;

/**
 * Inputs of {@link runOfflineTraining}: those of the other self-driven loops (a checkpoint to
 * resume restores the agent, the batch stream and the counters), without a reward threshold (no
 * training episodes), and the dataset if it is already loaded.
 */
export interface OfflineTrainingOptions extends Omit<SelfDrivenTrainingOptions<OfflineConfig>, 'rewardThreshold'> {
  /** The dataset, if already loaded (else `config.dataset` is read). */
  readonly dataset?: OfflineDataset;
}

/** What an offline checkpoint keeps in its `env` slot: the state of the data stream, which plays the env's part. */
interface OfflineSnapshot {
  readonly sampler: RngState;
}

/**
 * Trains an offline agent for `config.totalSteps` gradient steps, emitting `start`, then per
 * iteration `rollout` (gradient steps per second) and `update` (losses averaged over the
 * iteration), `eval` and `checkpoint` on schedule, and `done` when the budget is reached.
 */
export async function runOfflineTraining(o: OfflineTrainingOptions): Promise<void> {
  const { config, resumed } = o;
  const dataset = o.dataset ?? (await loadDataset(config.dataset));
  const evalEnv = buildOfflineEvalEnv(config.env);
  try {
    checkDatasetFits(config, dataset, evalEnv.observationSize, evalEnv.actionSize);
    const rng = new Rng(config.seed);
    const agent = createOfflineAgent(config, evalEnv.observationSize, evalEnv.singleActionSpace, rng.split('agent'));
    const rewardScale = config.rewardScale === 'return-range' ? returnRangeRewardScale(dataset, registration(config.env).maxEpisodeSteps) : config.rewardScale;
    const sampler = new OfflineSampler(dataset, { batchSize: config.batchSize, gamma: config.gamma, rewardScale, rng: rng.split('batches') });
    const state: LoopState = resumed?.loop ?? freshLoopState();
    if (resumed !== undefined) {
      agent.setState(resumed.agent);
      sampler.setState((resumed.env as OfflineSnapshot).sampler);
    }
    o.lend?.(agent);
    const backend = `fast-mlp (${fastEngineInfo().kernels})`;
    o.emit({ type: 'start', step: state.step, config, backend, resumed: resumed !== undefined, exact: true });
    const elapsed = runClock(state);
    // Seeded by the step, so a resumed run evaluates on the same episodes as an uninterrupted one.
    const evaluate = (): Promise<EvalResult> => evaluatePolicy(agent, evalEnv, config.evalEpisodes, { seed: `${config.seed}/eval/${state.step}`, deterministic: true });
    const checkpoint = async (): Promise<void> => {
      if (o.checkpointDir === undefined) return;
      state.priorSeconds = elapsed();
      const snapshot: OfflineSnapshot = { sampler: sampler.getState() };
      const file = writeCheckpoint(o.checkpointDir, { format: 'rxrl-checkpoint', version: 1, algo: config.algo, config, loop: state, agent: agent.getState(), env: snapshot, observationNormalizer: null, rewardNormalizer: null });
      o.emit({ type: 'checkpoint', step: state.step, path: file });
    };

    let nextEval = nextMultiple(state.step, config.evalEvery);
    let nextCheckpoint = nextMultiple(state.step, config.checkpointEvery);
    while (state.step < config.totalSteps) {
      if (o.shouldStop()) break;
      const end = Math.min(config.totalSteps, state.step + OFFLINE_STEPS_PER_ITERATION, nextEval, nextCheckpoint);
      const t0 = performance.now();
      const metrics = runSteps(agent, sampler, state.step, end, config.totalSteps);
      const seconds = (performance.now() - t0) / 1000;
      const steps = end - state.step;
      state.step = end;
      state.iteration++;
      o.emit({ type: 'rollout', step: state.step, iteration: state.iteration, stepsPerSecond: steps / seconds });
      o.emit({ type: 'update', step: state.step, iteration: state.iteration, metrics: toUpdateMetrics(metrics, steps, seconds, rewardScale) });
      if (state.step === nextEval && state.step < config.totalSteps) {
        if (config.evalEpisodes > 0) o.emit({ type: 'eval', step: state.step, result: await evaluate() });
        nextEval = nextMultiple(state.step, config.evalEvery);
      }
      if (state.step === nextCheckpoint && state.step < config.totalSteps) {
        await checkpoint();
        nextCheckpoint = nextMultiple(state.step, config.checkpointEvery);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    await finishRun({ config, state, backend, evaluate, checkpoint, elapsed, emit: o.emit });
  } finally {
    await evalEnv.close();
  }
}

/** Summed metrics of the gradient steps `from` … `to − 1`. */
interface MetricSums {
  policyLoss: number;
  valueLoss: number;
  learningRate: number;
  details: Record<string, number>;
}

function runSteps(agent: OfflineAgent, sampler: OfflineSampler, from: number, to: number, total: number): MetricSums {
  const sums: MetricSums = { policyLoss: 0, valueLoss: 0, learningRate: 0, details: {} };
  for (let step = from; step < to; step++) {
    const m: OfflineStepMetrics = agent.update(sampler.next(), step / total);
    if (!Number.isFinite(m.policyLoss) || (!Number.isFinite(m.valueLoss) && !Number.isNaN(m.valueLoss))) {
      throw new DatasetError(`gradient step ${step}: the loss is not finite (policy ${m.policyLoss}, value ${m.valueLoss}); check the dataset for NaN or huge rewards, or lower the learning rates`);
    }
    sums.policyLoss += m.policyLoss;
    sums.valueLoss += m.valueLoss;
    sums.learningRate = m.learningRate;
    for (const [k, v] of Object.entries(m.details)) sums.details[k] = (sums.details[k] ?? 0) + v;
  }
  return sums;
}

function toUpdateMetrics(sums: MetricSums, steps: number, seconds: number, rewardScale: number): UpdateMetrics {
  const details: Record<string, number> = { rewardScale };
  for (const [k, v] of Object.entries(sums.details)) details[k] = v / steps;
  return updateMetrics({ policyLoss: sums.policyLoss / steps, valueLoss: sums.valueLoss / steps, learningRate: sums.learningRate, epochs: steps, seconds, details });
}

/** Checks that the dataset's rows fit the evaluation env, naming both shapes when they do not. */
function checkDatasetFits(config: OfflineConfig, ds: OfflineDataset, observationSize: number, actionSize: number): void {
  if (ds.discrete) throw new DatasetError(`${config.dataset}: ${config.algo} needs continuous (Box) actions; this dataset holds discrete ones`);
  if (ds.observationDim !== observationSize) {
    throw new DatasetError(`${config.dataset}: observations have ${ds.observationDim} entries, but ${config.env}'s have ${observationSize}; is this dataset from another env? (its metadata says ${ds.metadata.envId ?? 'nothing about its env'})`);
  }
  if (ds.actionDim !== actionSize) {
    throw new DatasetError(`${config.dataset}: actions have ${ds.actionDim} entries, but ${config.env}'s have ${actionSize}; is this dataset from another env? (its metadata says ${ds.metadata.envId ?? 'nothing about its env'})`);
  }
}
