/**
 * Rolling out one episode of a locomotion env and keeping its poses, for the renderers.
 * @module
 */

import { Rng } from '../core/rng.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import { LocomotionVectorEnv } from '../envs/locomotion/locomotion-env.js';
import { locomotionAssetPath } from '../envs/locomotion/tasks.js';
import type { BatchedActions, VectorEnv, VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import { findWrapper } from '../loop/training-env.js';
import type { PhysicsModel } from '../physics/model.js';
import { geomRgbaFromMjcfFile } from './mjcf-colors.js';
import { RenderError, type PoseRecord } from './pose.js';

/** Actions for one copy from its observation (e.g. a trained agent's `act(obs, 1, true).actions`). */
export type EpisodePolicy = (observation: Float32Array) => BatchedActions;

/** Options of {@link recordEpisode}. */
export interface RecordEpisodeOptions {
  /** `'random'` (uniform in the action box, default), `'zero'`, or a function of the observation. */
  readonly policy?: 'random' | 'zero' | EpisodePolicy;
  /** Stop after this many steps if the episode has not ended (default 1000, the locomotion time limit). */
  readonly steps?: number;
  /** Seed of the reset (and of the random actions); default 0. */
  readonly seed?: number | string;
}

/** What {@link recordEpisode} returns. */
export interface RecordedEpisode {
  /** The env's id. */
  readonly envId: string;
  /** The env's physics model (what the renderers draw). */
  readonly model: PhysicsModel;
  /** Poses after the reset and after every step that did not end the episode (the final state of an episode is not kept: the env resets in the same step). */
  readonly poses: PoseRecord[];
  /** Seconds per step. */
  readonly dt: number;
  /** Steps taken. */
  readonly steps: number;
  /** Why the rollout stopped. */
  readonly end: 'terminated' | 'truncated' | 'steps';
  /** Sum of the env's raw rewards (before any reward normalisation). */
  readonly episodeReturn: number;
  /** The model's geom colours from its MJCF file (for `geomRgba`). */
  readonly geomRgba: Float64Array;
}

/** The locomotion env inside `env`'s wrapper chain; throws {@link RenderError} when there is none. */
export function locomotionEnvOf(env: VectorEnv): LocomotionVectorEnv {
  const loco = findWrapper(env, LocomotionVectorEnv);
  const id = env.spec?.id ?? 'this env';
  if (loco === undefined) throw new RenderError(`${id} has no body poses to render: rendering supports the locomotion envs on rxrl physics (rxrl/Hopper-v0, rxrl/Walker2d-v0, rxrl/HalfCheetah-v0, rxrl/Ant-v0)`);
  if (loco.numEnvs !== 1) throw new RenderError(`${id}: recordEpisode needs a one-copy vector env, got ${loco.numEnvs} copies`);
  return loco;
}

/**
 * Resets `env` (a one-copy vector env around a locomotion env, possibly wrapped, e.g. with the
 * observation normaliser of a trained run) and steps it until its episode ends or `steps`
 * steps, recording the pose after the reset and after each step.
 *
 * @example
 * const episode = await recordEpisode(make('rxrl/Hopper-v0', { numEnvs: 1 }), { seed: 1 });
 * const svg = renderEpisodeSvg(episode.model, episode.poses, { dt: episode.dt, geomRgba: episode.geomRgba });
 */
export async function recordEpisode(env: VectorEnv, options: RecordEpisodeOptions = {}): Promise<RecordedEpisode> {
  const loco = locomotionEnvOf(env);
  const maxSteps = options.steps ?? 1000;
  if (!Number.isInteger(maxSteps) || maxSteps < 0) throw new RangeError(`recordEpisode: steps must be a non-negative integer, got ${maxSteps}`);
  const seed = options.seed ?? 0;
  const space = loco.singleActionSpace;
  const policy = options.policy ?? 'random';
  const rng = new Rng(seed).split('render-actions');
  const scratch = new Float32Array(space.flatDim);
  const act: EpisodePolicy =
    policy === 'zero' ? () => scratch : policy === 'random' ? () => (space.sampleInto(rng, scratch, 0), scratch) : policy;

  const reset = env.reset({ seed });
  const first: VectorResetResult = isPromiseLike(reset) ? await reset : reset;
  const obs = Float32Array.from(first.observations);
  const poses = [loco.render(0)];
  const core = loco.core;
  let episodeReturn = 0;
  let steps = 0;
  let end: RecordedEpisode['end'] = 'steps';
  while (steps < maxSteps) {
    const step = env.step(act(obs));
    const r: VectorStepResult = isPromiseLike(step) ? await step : step;
    steps++;
    episodeReturn += (core.rewardForward[0] as number) + (core.rewardSurvive[0] as number) + (core.rewardCtrl[0] as number);
    if (r.terminated[0] === 1 || r.truncated[0] === 1) {
      end = r.terminated[0] === 1 ? 'terminated' : 'truncated';
      break;
    }
    obs.set(r.observations);
    poses.push(loco.render(0));
  }
  const model = core.model;
  return { envId: env.spec?.id ?? loco.task.id, model, poses, dt: core.dt, steps, end, episodeReturn, geomRgba: geomRgbaFromMjcfFile(locomotionAssetPath(loco.task.asset), model) };
}
