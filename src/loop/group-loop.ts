/**
 * The training loop of GRPO: sampling stages of groups. Each stage resets the N = prompts × G
 * copies with per-copy seeds — the G copies of a group share one seed, so they replay one task
 * instance — runs them until every copy's first episode has ended (the env's time limit bounds
 * that), and hands the episodes to the agent. Stage k's seeds derive from the run's seed and k
 * alone, so a run resumed from a checkpoint continues exactly without an env snapshot. Events,
 * evaluations, checkpoints and the run's end are those of the other loops.
 * @module
 */

import { GrpoAgent } from '../agents/grpo/grpo-agent.js';
import type { GrpoConfig } from '../agents/grpo/grpo-config.js';
import { ConfigError } from '../core/errors.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import { Rng } from '../core/rng.js';
import { GroupBatch } from '../data/group-batch.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { VectorEnv, VectorStepResult } from '../envs/vector/vector-env.js';
import { fastEngineInfo } from '../nn/fast/index.js';
import { writeCheckpoint } from './checkpoint.js';
import { evaluatePolicy } from './evaluate.js';
import type { EvalResult } from './events.js';
import type { LoopState } from './on-policy-loop.js';
import { finishRun, freshLoopState, periodicWork, runClock, type SelfDrivenTrainingOptions } from './run-end.js';
import { recordTrainingEpisode } from './training-episodes.js';
import { actionSpaceOf, buildEnv } from './training-env.js';

/** Inputs of {@link runGroupTraining}. */
export type GroupTrainingOptions = SelfDrivenTrainingOptions<GrpoConfig>;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The GRPO agent of `config` for its env (shapes and the longest episode come from the env). */
export function createGrpoAgent(config: GrpoConfig, env: VectorEnv): { agent: GrpoAgent; maxTurns: number; actionSpace: Box | Discrete } {
  const maxTurns = env.spec?.maxEpisodeSteps;
  if (maxTurns === undefined || !Number.isFinite(maxTurns)) throw new ConfigError(`${config.env}: GRPO needs episodes that end; register the env with maxEpisodeSteps (its time limit)`);
  const actionSpace = actionSpaceOf(env, config.env);
  return { agent: new GrpoAgent(config, env.observationSize, actionSpace, maxTurns, new Rng(config.seed).split('agent')), maxTurns, actionSpace };
}

/**
 * Trains GRPO to `config.totalSteps` env steps (every copy's step counts, including the turns
 * a finished copy waits for its group), emitting `start`, per stage `episode`s, `rollout` and
 * `update` (with the stage's training success rate), `eval` and `checkpoint` on schedule, and
 * `done` when the budget is reached.
 */
export async function runGroupTraining(o: GroupTrainingOptions): Promise<void> {
  const { config, resumed } = o;
  const N = config.numEnvs;
  const env = buildEnv(config, N);
  const evalEnv = buildEnv(config, 1);
  try {
    const { agent, maxTurns, actionSpace } = createGrpoAgent(config, env);
    const batch = new GroupBatch({ numEnvs: N, groupSize: config.groupSize, maxTurns, observationSize: env.observationSize, actionSize: env.actionSize, discrete: actionSpace.kind === 'Discrete' });
    const state: LoopState = resumed?.loop ?? freshLoopState();
    if (resumed !== undefined) agent.setState(resumed.agent);
    o.lend?.(agent);
    const backend = `fast-mlp (${fastEngineInfo().kernels})`;
    o.emit({ type: 'start', step: state.step, config, backend, resumed: resumed !== undefined, exact: true });
    const elapsed = runClock(state);
    const evaluate = (): Promise<EvalResult> => evaluatePolicy(agent, evalEnv, config.evalEpisodes, { seed: `${config.seed}/eval/${state.step}`, deterministic: config.evalDeterministic });
    const checkpoint = async (): Promise<void> => {
      if (o.checkpointDir === undefined) return;
      state.priorSeconds = elapsed();
      const file = writeCheckpoint(o.checkpointDir, { format: 'rxrl-checkpoint', version: 1, algo: config.algo, config, loop: state, agent: agent.getState(), env: null, observationNormalizer: null, rewardNormalizer: null });
      o.emit({ type: 'checkpoint', step: state.step, path: file });
    };

    const G = config.groupSize;
    const seeds = new Array<string>(N);
    const afterIteration = periodicWork(config, state, evaluate, checkpoint, o.emit);
    while (state.step < config.totalSteps) {
      if (o.shouldStop()) break;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) seeds[i] = `${config.seed}/stage/${state.iteration}/${Math.floor(i / G)}`;
      const reset = env.reset({ seeds });
      const obs = Float32Array.from((isPromiseLike(reset) ? await reset : reset).observations);
      batch.clear();
      // Every copy starts an episode: recurrent policies start from a zero state.
      for (let i = 0; i < N; i++) agent.resetMemory(i);
      let turns = 0;
      while (!batch.complete) {
        const act = agent.act(obs, N, false);
        batch.addTurn(turns, obs, act.actions, act.logProbs);
        const step = env.step(act.actions);
        const r: VectorStepResult = isPromiseLike(step) ? await step : step;
        batch.endTurn(
          turns,
          r.rewards,
          (i) => r.terminated[i] === 1 || r.truncated[i] === 1,
          (i) => r.finalInfos[i]?.['is_success'] === true,
        );
        turns++;
        obs.set(r.observations);
      }
      const base = state.step;
      state.step += N * turns;
      state.iteration++;
      for (let i = 0; i < N; i++) recordTrainingEpisode(state, o.rewardThreshold, o.emit, base + N * (batch.lengths[i] as number), batch.returns[i] as number, batch.lengths[i] as number, i);
      const rolloutSeconds = (performance.now() - t0) / 1000;
      o.emit({ type: 'rollout', step: state.step, iteration: state.iteration, stepsPerSecond: (N * turns) / rolloutSeconds });
      const metrics = agent.train(batch, Math.min(1, state.step / config.totalSteps));
      let successes = 0;
      let mean = 0;
      for (let i = 0; i < N; i++) {
        successes += batch.successes[i] as number;
        mean += (batch.returns[i] as number) / N;
      }
      metrics.details = { ...metrics.details, trainSuccessRate: successes / N, trainMeanReturn: mean };
      o.emit({ type: 'update', step: state.step, iteration: state.iteration, metrics });

      await afterIteration();
      await yieldToEventLoop();
    }
    await finishRun({ config, state, backend, evaluate, checkpoint, elapsed, emit: o.emit });
  } finally {
    await env.close();
    await evalEnv.close();
  }
}
