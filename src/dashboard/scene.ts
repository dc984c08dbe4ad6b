import type { VectorEnv } from '../envs/vector/vector-env.js';
import { LocomotionVectorEnv } from '../envs/locomotion/locomotion-env.js';
import { KernelVectorEnv } from '../envs/vector/kernel-vector-env.js';
import { renderFrameSvg } from '../render/svg-frame.js';
import type { Scene } from './protocol.js';

/** The env ids (NoVel variants included) whose raw observation gives a classic-control scene. */
export function classicScene(envId: string, obs: ArrayLike<number>): Scene | null {
  const id = envId.replace(/NoVel(?=-v\d+$)/, '');
  const o = (i: number) => obs[i] as number;
  const noVel = id !== envId;
  switch (id) {
    case 'CartPole-v0':
    case 'CartPole-v1':
      // Full: [x, ẋ, θ, θ̇]; without velocities: [x, θ].
      return { kind: 'cartpole', x: o(0), theta: noVel ? o(1) : o(2) };
    case 'Pendulum-v1':
      return { kind: 'pendulum', theta: Math.atan2(o(1), o(0)) };
    case 'MountainCar-v0':
    case 'MountainCarContinuous-v0':
      return { kind: 'mountaincar', position: o(0) };
    case 'Acrobot-v1':
      return { kind: 'acrobot', theta1: Math.atan2(o(1), o(0)), theta2: Math.atan2(o(3), o(2)) };
    default:
      return null;
  }
}

/** The scene of copy 0 of `base` (the env without wrappers) whose raw observation is `obs`, or null when it cannot be drawn. */
export function sceneOf(envId: string, base: VectorEnv, obs: ArrayLike<number>): Scene | null {
  // A registered env may itself be wrapped (the NoVel variants): look for the physics below.
  for (let e: unknown = base; e !== undefined; e = (e as { env?: unknown }).env) {
    if (e instanceof LocomotionVectorEnv) return { kind: 'svg', svg: renderFrameSvg(e.core.model, e.render(0), { width: 480, height: 320 }) };
    if (e instanceof KernelVectorEnv) {
      const text = e.renderText(0);
      if (text !== null) return { kind: 'text', text };
    }
  }
  return classicScene(envId, obs);
}
