/**
 * The training loop of the gradient agents (APG, ILD): iterations of simulate-differentiate-
 * update run by the agent itself, with the events, evaluations, checkpoints and resume of the
 * on-policy loop (`on-policy-loop.ts`), so that the CLI, run folders and `rxrl bench` treat
 * every algorithm alike. Evaluation runs the deterministic policy on the normal registered env
 * through {@link evaluatePolicy}.
 * @module
 */

import { createGradientAgent, type GradientAgentConfig } from '../agents/algorithms.js';
import type { GradientAgent } from '../agents/apg/gradient-agent.js';
import { fastEngineInfo } from '../nn/fast/index.js';
import { writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import type { EvalResult } from './events.js';
import { finishRun, freshLoopState, periodicWork, runClock, type SelfDrivenTrainingOptions } from './run-end.js';
import { recordTrainingEpisode } from './training-episodes.js';
import type { LoopState } from './on-policy-loop.js';
import { buildEnv } from './training-env.js';

/** Inputs of {@link runGradientTraining}. */
export type GradientTrainingOptions = SelfDrivenTrainingOptions<GradientAgentConfig>;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains a gradient agent to `config.totalSteps` env steps, emitting `start`, then per
 * iteration `episode`s, `rollout` and `update`, `eval` and `checkpoint` on schedule, and `done`
 * with the run's summary when the budget is reached (not when stopped early).
 */
export async function runGradientTraining(o: GradientTrainingOptions): Promise<void> {
  const { config, resumed } = o;
  const agent = createGradientAgent(config);
  const evalEnv = buildEnv(config, 1);
  try {
    const state: LoopState = resumed?.loop ?? freshLoopState();
    let exact = true;
    if (resumed !== undefined) {
      agent.setState(resumed.agent);
      if (resumed.env !== null) agent.setEnvSnapshot(resumed.env);
      else {
        // An agent-only checkpoint: new episodes, seeded from the run's seed and the iteration.
        agent.restartEpisodes(`${config.seed}/resume/${state.iteration}`);
        exact = false;
      }
    }
    o.lend?.(agent);
    const backend = `fast-mlp (${fastEngineInfo().kernels})`;
    o.emit({ type: 'start', step: state.step, config, backend, resumed: resumed !== undefined, exact });
    const elapsed = runClock(state);
    // Seeded by the step, so a resumed run evaluates on the same episodes as an uninterrupted one.
    const evaluate = (): Promise<EvalResult> => evaluatePolicy(agent, evalEnv, config.evalEpisodes, { seed: `${config.seed}/eval/${state.step}`, deterministic: config.evalDeterministic });
    const checkpoint = async (): Promise<void> => {
      if (o.checkpointDir === undefined) return;
      state.priorSeconds = elapsed();
      const file = writeCheckpoint(o.checkpointDir, {
        format: 'rxrl-checkpoint',
        version: 1,
        algo: config.algo,
        config,
        loop: state,
        agent: agent.getState(),
        env: agent.getEnvSnapshot(),
        observationNormalizer: null,
        rewardNormalizer: null,
      });
      o.emit({ type: 'checkpoint', step: state.step, path: file });
    };

    const afterIteration = periodicWork(config, state, evaluate, checkpoint, o.emit);
    while (state.step < config.totalSteps) {
      if (o.shouldStop()) break;
      const t0 = performance.now();
      const iteration = agent.iterate(Math.min(1, state.step / config.totalSteps));
      const seconds = (performance.now() - t0) / 1000;
      const base = state.step;
      for (const e of iteration.episodes) recordTrainingEpisode(state, o.rewardThreshold, o.emit, base + e.stepOffset, e.return, e.length, e.envIndex);
      state.step = base + agent.stepsPerIteration;
      state.iteration++;
      o.emit({ type: 'rollout', step: state.step, iteration: state.iteration, stepsPerSecond: agent.stepsPerIteration / seconds });
      o.emit({ type: 'update', step: state.step, iteration: state.iteration, metrics: iteration.metrics });

      await afterIteration();
      await yieldToEventLoop();
    }

    await finishRun({ config, state, backend, evaluate, checkpoint, elapsed, emit: o.emit });
  } finally {
    await evalEnv.close();
  }
}

/** Loads the gradient agent of a checkpoint (for evaluation or export by its `act`). */
export function gradientAgentFromCheckpoint(config: GradientAgentConfig, checkpoint: Checkpoint): GradientAgent {
  const agent = createGradientAgent(config);
  agent.setState(checkpoint.agent);
  return agent;
}
