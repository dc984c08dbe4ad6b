/**
 * The four locomotion tasks as data: which model, frame skip, observation layout, reward terms,
 * health rule and reset noise, following Gymnasium's v5 MuJoCo environments (Hopper-v5,
 * Walker2d-v5, HalfCheetah-v5, Ant-v5) except where noted.
 * @module
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildModel, mjcfToSpec, type ContactParams, type PhysicsModel } from '../../physics/index.js';

/** Physics substep of every locomotion task (s), PHYSICS.md §7.2. */
export const LOCOMOTION_TIMESTEP = 0.002;
/** Gymnasium's registered time limit of the MuJoCo locomotion tasks. */
export const LOCOMOTION_MAX_EPISODE_STEPS = 1000;

/**
 * Whether world w of a batch is healthy, from the batched `qpos`/`qvel` (component c of world w
 * at `c·B + w`). `nq`, `nv` are the model's sizes.
 */
export type HealthRule = (qpos: Float64Array, qvel: Float64Array, B: number, w: number, nq: number, nv: number) => boolean;

/** Keyword arguments shared by the locomotion tasks (Gymnasium's names in camelCase). */
export interface LocomotionOptions {
  /** Weight of the forward velocity ẋ in the reward. */
  readonly forwardRewardWeight?: number;
  /** Weight of ‖a‖² in the control cost (the action as given, before the model clamps it). */
  readonly ctrlCostWeight?: number;
  /** Reward per step while healthy (hopper, walker, ant). */
  readonly healthyReward?: number;
  /** End the episode (terminated) when the body becomes unhealthy (hopper, walker, ant). */
  readonly terminateWhenUnhealthy?: boolean;
  /** Scale of the reset noise (see each task). */
  readonly resetNoiseScale?: number;
  /** Leave the x (and for the ant, y) position of the torso out of the observation. */
  readonly excludeCurrentPositionsFromObservation?: boolean;
  /** Physics substeps per action. */
  readonly frameSkip?: number;
  /** Physics substep (s); default {@link LOCOMOTION_TIMESTEP}. The action period is frameSkip × timestep. */
  readonly timestep?: number;
  /** Ground contact stiffness k (N/m), see `ContactParams`. */
  readonly contactStiffness?: number;
  /** Ground contact damping d (N·s/m). */
  readonly contactDamping?: number;
  /** Ground contact smoothing length s (m). */
  readonly contactSmoothing?: number;
  /** Friction velocity scale ε_v (m/s). */
  readonly frictionSmoothing?: number;
}

/** A locomotion task's fixed definition. */
export interface LocomotionTask {
  /** Registry id, e.g. `rxrl/Hopper-v0`. */
  readonly id: string;
  /** The Gymnasium environment it reproduces. */
  readonly gymnasiumId: string;
  /** File name of the MJCF model in `assets/`. */
  readonly asset: string;
  readonly frameSkip: number;
  /** Number of leading qpos entries (root x, or x and y) left out of the observation by default. */
  readonly positionsExcluded: number;
  /** |q̇| entries of the observation are clipped to this (Gymnasium clips hopper and walker at 10). */
  readonly velocityClip: number;
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  /** 0 for tasks without a health rule (half-cheetah). */
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  /** `null`: always healthy. */
  readonly healthy: HealthRule | null;
  readonly resetNoiseScale: number;
  /** qvel noise: uniform ±scale (hopper, walker) or scale·N(0, 1) (half-cheetah, ant); qpos noise is always uniform ±scale. */
  readonly velocityNoise: 'uniform' | 'normal';
  readonly rewardThreshold?: number;
  /** Model-specific contact parameters, merged over the physics defaults. */
  readonly contact?: Partial<ContactParams>;
  readonly description: string;
}

/** Hopper-v5: z > 0.7, |θ| < 0.2 and every entry of (qpos[2:], qvel) inside (−100, 100). */
const hopperHealthy: HealthRule = (qpos, qvel, B, w, nq, nv) => {
  const z = qpos[B + w] as number;
  const angle = qpos[2 * B + w] as number;
  if (!(z > 0.7 && angle > -0.2 && angle < 0.2)) return false;
  for (let i = 2; i < nq; i++) {
    const v = qpos[i * B + w] as number;
    if (!(v > -100 && v < 100)) return false;
  }
  for (let i = 0; i < nv; i++) {
    const v = qvel[i * B + w] as number;
    if (!(v > -100 && v < 100)) return false;
  }
  return true;
};

/** Walker2d-v5: 0.8 < z < 2 and −1 < θ < 1. */
const walkerHealthy: HealthRule = (qpos, _qvel, B, w) => {
  const z = qpos[B + w] as number;
  const angle = qpos[2 * B + w] as number;
  return z > 0.8 && z < 2 && angle > -1 && angle < 1;
};

/** Ant-v5: the state is finite and 0.2 ≤ z ≤ 1 for the torso height z = qpos[2]. */
const antHealthy: HealthRule = (qpos, qvel, B, w, nq, nv) => {
  for (let i = 0; i < nq; i++) if (!Number.isFinite(qpos[i * B + w] as number)) return false;
  for (let i = 0; i < nv; i++) if (!Number.isFinite(qvel[i * B + w] as number)) return false;
  const z = qpos[2 * B + w] as number;
  return z >= 0.2 && z <= 1;
};

/** The built-in locomotion tasks. */
export const LOCOMOTION_TASKS: readonly LocomotionTask[] = [
  {
    id: 'rxrl/Hopper-v0',
    gymnasiumId: 'Hopper-v5',
    asset: 'hopper.xml',
    frameSkip: 4,
    positionsExcluded: 1,
    velocityClip: 10,
    forwardRewardWeight: 1,
    ctrlCostWeight: 1e-3,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthy: hopperHealthy,
    resetNoiseScale: 5e-3,
    velocityNoise: 'uniform',
    rewardThreshold: 3800,
    description: 'one-legged hopper, hop forward (Gymnasium Hopper-v5 on rxrl physics)',
  },
  {
    id: 'rxrl/Walker2d-v0',
    gymnasiumId: 'Walker2d-v5',
    asset: 'walker2d.xml',
    frameSkip: 4,
    positionsExcluded: 1,
    velocityClip: 10,
    forwardRewardWeight: 1,
    ctrlCostWeight: 1e-3,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthy: walkerHealthy,
    resetNoiseScale: 5e-3,
    velocityNoise: 'uniform',
    description: 'planar biped, walk forward (Gymnasium Walker2d-v5 on rxrl physics)',
  },
  {
    id: 'rxrl/HalfCheetah-v0',
    gymnasiumId: 'HalfCheetah-v5',
    asset: 'half_cheetah.xml',
    frameSkip: 25,
    positionsExcluded: 1,
    velocityClip: Infinity,
    forwardRewardWeight: 1,
    ctrlCostWeight: 0.1,
    healthyReward: 0,
    terminateWhenUnhealthy: false,
    healthy: null,
    resetNoiseScale: 0.1,
    velocityNoise: 'normal',
    rewardThreshold: 4800,
    description: 'planar cheetah, run forward (Gymnasium HalfCheetah-v5 on rxrl physics)',
  },
  {
    id: 'rxrl/Ant-v0',
    gymnasiumId: 'Ant-v5',
    asset: 'ant.xml',
    frameSkip: 25,
    positionsExcluded: 2,
    velocityClip: Infinity,
    forwardRewardWeight: 1,
    ctrlCostWeight: 0.5,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthy: antHealthy,
    resetNoiseScale: 0.1,
    velocityNoise: 'normal',
    rewardThreshold: 6000,
    description: 'four-legged ant, walk in +x (Gymnasium Ant-v5 on rxrl physics, 27-d observation, no contact cost)',
  },
];

/** The task registered as `id`. */
export function locomotionTask(id: string): LocomotionTask {
  const task = LOCOMOTION_TASKS.find((t) => t.id === id);
  if (task === undefined) throw new RangeError(`unknown locomotion task "${id}"; known: ${LOCOMOTION_TASKS.map((t) => t.id).join(', ')}`);
  return task;
}

/** Absolute path of a model shipped in `assets/` (next to this module in `src/` and in `dist/`). */
export function locomotionAssetPath(asset: string): string {
  return fileURLToPath(new URL(`./assets/${asset}`, import.meta.url));
}

const modelCache = new Map<string, PhysicsModel>();

/**
 * The physics model of a task with the given substep (default {@link LOCOMOTION_TIMESTEP}) and
 * contact parameters merged over the task's (cached: every env of a task shares one model).
 */
export function locomotionModel(task: LocomotionTask, contact: Partial<ContactParams> = {}, timestep = LOCOMOTION_TIMESTEP): PhysicsModel {
  const merged = { ...task.contact, ...contact };
  const key = `${task.id} ${timestep} ${JSON.stringify(merged)}`;
  let model = modelCache.get(key);
  if (model === undefined) {
    const path = locomotionAssetPath(task.asset);
    const spec = mjcfToSpec(readFileSync(path, 'utf8'), { fileName: path });
    model = buildModel({ ...spec, timestep, contact: merged });
    modelCache.set(key, model);
  }
  return model;
}
