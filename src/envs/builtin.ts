import { AcrobotKernel, ACROBOT_MAX_EPISODE_STEPS, ACROBOT_REWARD_THRESHOLD } from './classic/acrobot.js';
import { CartPoleKernel, CARTPOLE_MAX_EPISODE_STEPS, CARTPOLE_REWARD_THRESHOLD } from './classic/cartpole.js';
import { MountainCarContinuousKernel, MOUNTAIN_CAR_CONTINUOUS_MAX_EPISODE_STEPS, MOUNTAIN_CAR_CONTINUOUS_REWARD_THRESHOLD } from './classic/mountain-car-continuous.js';
import { MountainCarKernel, MOUNTAIN_CAR_MAX_EPISODE_STEPS, MOUNTAIN_CAR_REWARD_THRESHOLD } from './classic/mountain-car.js';
import { PendulumKernel, PENDULUM_MAX_EPISODE_STEPS } from './classic/pendulum.js';
import type { EnvKernel } from './kernel.js';
import { KernelEnv } from './kernel-env.js';
import { checkKwargs, type KwargTypes } from './kwargs.js';
import { register, registeredIds, type EnvKwargs } from './registry.js';
import { KernelVectorEnv } from './vector/kernel-vector-env.js';
import { registerLocomotionEnvs } from './locomotion/register.js';
import { MaskObservation, VectorMaskObservation } from './wrappers/mask-observation.js';
import { REACH_MAX_EPISODE_STEPS, ReachKernel, type ReachOptions } from './ik/reach.js';
import { KEY_DOOR_MAX_EPISODE_STEPS, KeyDoorKernel, type KeyDoorOptions } from './tasks/key-door.js';
import { SeqTaskKernel, type SeqTaskOptions } from './tasks/seq-task.js';
import { T_MAZE_MAX_EPISODE_STEPS, TMazeKernel, type TMazeOptions } from './tasks/t-maze.js';
import { TEXT_QUEST_MAX_EPISODE_STEPS, TextQuestKernel, type TextQuestOptions } from './tasks/text-quest.js';

interface KernelEnvDefinition {
  readonly id: string;
  readonly kernel: (kwargs: EnvKwargs) => EnvKernel;
  readonly kwargTypes: KwargTypes;
  readonly maxEpisodeSteps: number;
  readonly rewardThreshold?: number;
  /** Observation entries hidden in the POMDP variant, and that variant's id. */
  readonly noVel?: { readonly id: string; readonly hidden: readonly number[] };
  readonly description: string;
}

const CLASSIC: readonly KernelEnvDefinition[] = [
  {
    id: 'CartPole-v1',
    kernel: (kw) => new CartPoleKernel(kw['suttonBartoReward'] === undefined ? {} : { suttonBartoReward: kw['suttonBartoReward'] as boolean }),
    kwargTypes: { suttonBartoReward: 'boolean' },
    maxEpisodeSteps: CARTPOLE_MAX_EPISODE_STEPS,
    rewardThreshold: CARTPOLE_REWARD_THRESHOLD,
    // Observation [x, x_dot, theta, theta_dot]: hide both velocities.
    noVel: { id: 'CartPoleNoVel-v1', hidden: [1, 3] },
    description: 'balance a pole on a cart (Gymnasium CartPole-v1)',
  },
  {
    id: 'Pendulum-v1',
    kernel: (kw) => new PendulumKernel(kw['g'] === undefined ? {} : { g: kw['g'] as number }),
    kwargTypes: { g: 'number' },
    maxEpisodeSteps: PENDULUM_MAX_EPISODE_STEPS,
    // Observation [cos θ, sin θ, θdot]: hide the angular velocity.
    noVel: { id: 'PendulumNoVel-v1', hidden: [2] },
    description: 'swing a pendulum up and hold it (Gymnasium Pendulum-v1)',
  },
  {
    id: 'MountainCar-v0',
    kernel: (kw) => new MountainCarKernel(kw['goalVelocity'] === undefined ? {} : { goalVelocity: kw['goalVelocity'] as number }),
    kwargTypes: { goalVelocity: 'number' },
    maxEpisodeSteps: MOUNTAIN_CAR_MAX_EPISODE_STEPS,
    rewardThreshold: MOUNTAIN_CAR_REWARD_THRESHOLD,
    description: 'drive an underpowered car up a hill, discrete (Gymnasium MountainCar-v0)',
  },
  {
    id: 'MountainCarContinuous-v0',
    kernel: (kw) => new MountainCarContinuousKernel(kw['goalVelocity'] === undefined ? {} : { goalVelocity: kw['goalVelocity'] as number }),
    kwargTypes: { goalVelocity: 'number' },
    maxEpisodeSteps: MOUNTAIN_CAR_CONTINUOUS_MAX_EPISODE_STEPS,
    rewardThreshold: MOUNTAIN_CAR_CONTINUOUS_REWARD_THRESHOLD,
    // Observation [position, velocity]: hide the velocity.
    noVel: { id: 'MountainCarContinuousNoVel-v0', hidden: [1] },
    description: 'drive an underpowered car up a hill, continuous (Gymnasium MountainCarContinuous-v0)',
  },
  {
    id: 'Acrobot-v1',
    kernel: () => new AcrobotKernel(),
    kwargTypes: {},
    maxEpisodeSteps: ACROBOT_MAX_EPISODE_STEPS,
    rewardThreshold: ACROBOT_REWARD_THRESHOLD,
    description: 'swing a two-link arm above a line (Gymnasium Acrobot-v1)',
  },
];

/** Keyword arguments the Reach envs take, as {@link ReachOptions}. */
const reachKwargs = (kw: EnvKwargs): ReachOptions => ({
  ...(kw['arm'] !== undefined ? { arm: kw['arm'] as ReachOptions['arm'] & string } : {}),
  ...(kw['reward'] !== undefined ? { reward: kw['reward'] as 'dense' | 'sparse' } : {}),
  ...(kw['successRadius'] !== undefined ? { successRadius: kw['successRadius'] as number } : {}),
  ...(kw['maxSpeed'] !== undefined ? { maxSpeed: kw['maxSpeed'] as number } : {}),
});
const REACH_KWARGS: KwargTypes = { arm: 'string', reward: 'string', successRadius: 'number', maxSpeed: 'number' };

/** The IK task family on the kinematics of `src/ik/` (see `envs/ik/reach.ts`). */
const REACH: readonly KernelEnvDefinition[] = [
  {
    id: 'rxrl/Reach-v0',
    kernel: (kw) => new ReachKernel('rxrl/Reach-v0', reachKwargs(kw)),
    kwargTypes: REACH_KWARGS,
    maxEpisodeSteps: REACH_MAX_EPISODE_STEPS,
    description: 'bring an arm\'s end effector to a random reachable target (arm: planar3 | panda7; reward: dense | sparse)',
  },
  {
    id: 'rxrl/ReachMemory-v0',
    kernel: (kw) => new ReachKernel('rxrl/ReachMemory-v0', { ...reachKwargs(kw), cueSteps: 5 }),
    kwargTypes: REACH_KWARGS,
    maxEpisodeSteps: REACH_MAX_EPISODE_STEPS,
    description: 'rxrl/Reach-v0 with the target shown for the first 5 steps only, a POMDP that needs memory',
  },
];

/** Multi-step tasks with a sparse, verifiable reward (GRPO's and EPO's settings; `envs/tasks/`). */
const TASKS: readonly KernelEnvDefinition[] = [
  {
    id: 'rxrl/SeqTask-v0',
    kernel: (kw) => new SeqTaskKernel(kw as SeqTaskOptions),
    kwargTypes: { task: 'string', length: 'number', base: 'number', reward: 'string', prompt: 'string' },
    // Episodes end by themselves after the answer's last digit (at most 65 steps).
    maxEpisodeSteps: 100,
    description: 'emit the answer to a digit-sequence prompt one digit at a time, reward at the end (task: reverse | sort | add; length; base; reward: exact | partial; prompt: always | first, the latter a memory task)',
  },
  {
    id: 'rxrl/KeyDoor-v0',
    kernel: (kw) => new KeyDoorKernel(kw as KeyDoorOptions),
    kwargTypes: { size: 'number', minSolution: 'number', view: 'number' },
    maxEpisodeSteps: KEY_DOOR_MAX_EPISODE_STEPS,
    description: 'two-room gridworld: pick up the key, open the door, reach the goal; reward 1 on success, solutions of 30+ steps (size; minSolution; view: 0 full | odd k for a k×k window)',
  },
  {
    id: 'rxrl/TMaze-v0',
    kernel: (kw) => new TMazeKernel(kw as TMazeOptions),
    kwargTypes: { length: 'number' },
    maxEpisodeSteps: T_MAZE_MAX_EPISODE_STEPS,
    description: 'T-maze memory task: a cue seen on the first step only says which way to turn at the end of the corridor; reward 1 for the right turn (length)',
  },
  {
    id: 'rxrl/TextQuest-v0',
    kernel: (kw) => new TextQuestKernel(kw as TextQuestOptions),
    kwargTypes: { rooms: 'number', doors: 'number', minSolution: 'number', invalidPenalty: 'number', observation: 'string' },
    maxEpisodeSteps: TEXT_QUEST_MAX_EPISODE_STEPS,
    description: 'text adventure: fetch keys, unlock doors, bring the gem to the altar; word observations, command actions, reward at the end, invalid commands penalised (rooms; doors; minSolution; invalidPenalty; observation: bow | tokens)',
  },
];

function registerKernelEnv(def: KernelEnvDefinition): void {
  const kernelOf = (kw: EnvKwargs): EnvKernel => {
    checkKwargs(def.id, kw, def.kwargTypes);
    return def.kernel(kw);
  };
  const common = {
    maxEpisodeSteps: def.maxEpisodeSteps,
    ...(def.rewardThreshold !== undefined ? { rewardThreshold: def.rewardThreshold } : {}),
  };
  register({
    id: def.id,
    ...common,
    description: def.description,
    entryPoint: (kw) => new KernelEnv(kernelOf(kw)),
    vectorEntryPoint: (n, kw, spec) => new KernelVectorEnv(kernelOf(kw), n, { ...spec, spec }),
  });
  const { noVel } = def;
  if (noVel === undefined) return;
  register({
    id: noVel.id,
    ...common,
    description: `${def.id} with velocities hidden (observation entries ${noVel.hidden.join(', ')}), a POMDP`,
    entryPoint: (kw) => new MaskObservation(new KernelEnv(kernelOf(kw)), noVel.hidden),
    vectorEntryPoint: (n, kw, spec) => new VectorMaskObservation(new KernelVectorEnv(kernelOf(kw), n, { ...spec, spec }), noVel.hidden),
  });
}

/** Registers the built-in environments once; later calls do nothing. */
export function registerBuiltinEnvs(): void {
  if (registeredIds().includes('CartPole-v1')) return;
  for (const def of CLASSIC) registerKernelEnv(def);
  registerLocomotionEnvs();
  for (const def of REACH) registerKernelEnv(def);
  for (const def of TASKS) registerKernelEnv(def);
}
