/**
 * Expert state trajectories for imitation through physics (ILD): one episode of a locomotion
 * env as its physical states (qpos then qvel before every step), the actions taken and the raw
 * rewards, stored as JSON (`format: "rxrl-expert-trajectory"`). Recording needs only a policy
 * that acts on the env's observations and a way to read the env's physical state.
 * @module
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import { isPromiseLike } from '../../core/maybe-promise.js';
import { locomotionAssetPath } from '../../envs/locomotion/tasks.js';
import type { VectorEnv, VectorResetResult, VectorStepResult } from '../../envs/vector/vector-env.js';
import type { PolicyActor } from '../../loop/agent.js';

/** One recorded expert episode. */
export interface ExpertTrajectory {
  readonly format: 'rxrl-expert-trajectory';
  readonly version: 1;
  /** Env id it was recorded on. */
  readonly env: string;
  /** Where it came from (policy, run folder, seed). */
  readonly source: string;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  /** Steps recorded, N. */
  readonly length: number;
  /** Sum of the raw rewards of the recorded steps. */
  readonly return: number;
  /** [N × (nq + nv)] the state before each step: qpos then qvel. */
  readonly states: Float64Array;
  /** [N × nu] the actions. */
  readonly actions: Float64Array;
  /** [N] raw rewards. */
  readonly rewards: Float64Array;
}

/** Bundled expert trajectories by env id, as asset paths (`src/envs/locomotion/assets/`, copied into `dist/`). */
const BUNDLED: Readonly<Record<string, string>> = {
  'rxrl/Hopper-v0': 'experts/hopper-ppo.json',
};

/** The bundled expert trajectory file of `envId`, or null. */
export function bundledExpertPath(envId: string): string | null {
  const asset = BUNDLED[envId];
  return asset === undefined ? null : locomotionAssetPath(asset);
}

/** Significant digits stored: 1e-8 relative, far below anything imitation can resolve, and a third the size of full doubles. */
const DIGITS = 9;

/** Writes a trajectory as JSON with rows of numbers (rounded to {@link DIGITS} significant digits). */
export function writeExpertTrajectory(file: string, t: ExpertTrajectory): void {
  const rows = (a: Float64Array, width: number) => Array.from({ length: a.length / width }, (_, i) => Array.from(a.subarray(i * width, (i + 1) * width), (x) => Number(x.toPrecision(DIGITS))));
  const json = {
    format: t.format,
    version: t.version,
    env: t.env,
    source: t.source,
    nq: t.nq,
    nv: t.nv,
    nu: t.nu,
    length: t.length,
    return: t.return,
    states: rows(t.states, t.nq + t.nv),
    actions: rows(t.actions, t.nu),
    rewards: Array.from(t.rewards, (x) => Number(x.toPrecision(DIGITS))),
  };
  // One row per line: readable diffs, a few hundred KB for a 1000-step hopper episode.
  const text = JSON.stringify(json, null, 1).replace(/\[\n\s+([^\]\[]*?)\n\s*\]/g, (_m, body: string) => `[${body.replace(/\n\s*/g, ' ')}]`);
  writeFileSync(file, `${text}\n`);
}

/** Reads and checks a trajectory file (a ConfigError naming the problem otherwise). */
export function readExpertTrajectory(file: string): ExpertTrajectory {
  if (!existsSync(file)) throw new ConfigError(`expert trajectory ${file} does not exist`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`expert trajectory ${file} is not JSON: ${(err as Error).message}`);
  }
  const bad = (what: string): never => {
    throw new ConfigError(`${file} is not an rxrl expert trajectory: ${what}`);
  };
  if (raw['format'] !== 'rxrl-expert-trajectory' || raw['version'] !== 1) bad(`format ${String(raw['format'])} version ${String(raw['version'])}`);
  const int = (k: string): number => {
    const v = raw[k];
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : bad(`"${k}" must be a positive integer`);
  };
  const nq = int('nq');
  const nv = int('nv');
  const nu = int('nu');
  const length = int('length');
  const matrix = (k: string, width: number, rows: number): Float64Array => {
    const v = raw[k];
    if (!Array.isArray(v) || v.length !== rows) return bad(`"${k}" must hold ${rows} rows`);
    const out = new Float64Array(rows * width);
    v.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== width) bad(`"${k}" row ${i} must hold ${width} numbers`);
      (row as unknown[]).forEach((x, j) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) bad(`"${k}"[${i}][${j}] is not a finite number`);
        out[i * width + j] = x as number;
      });
    });
    return out;
  };
  const rewards = raw['rewards'];
  if (!Array.isArray(rewards) || rewards.length !== length || !rewards.every((x) => typeof x === 'number' && Number.isFinite(x))) bad(`"rewards" must hold ${length} finite numbers`);
  return {
    format: 'rxrl-expert-trajectory',
    version: 1,
    env: typeof raw['env'] === 'string' ? raw['env'] : bad('"env" must be a string'),
    source: typeof raw['source'] === 'string' ? raw['source'] : '',
    nq,
    nv,
    nu,
    length,
    return: typeof raw['return'] === 'number' ? raw['return'] : bad('"return" must be a number'),
    states: matrix('states', nq + nv, length),
    actions: matrix('actions', nu, length),
    rewards: Float64Array.from(rewards as number[]),
  };
}

/** Options of {@link recordExpertTrajectory}. */
export interface RecordExpertOptions {
  readonly envId: string;
  readonly source: string;
  readonly seed: string;
  /** Stop after this many steps even if the episode goes on. */
  readonly maxSteps: number;
  readonly deterministic: boolean;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
}

/**
 * Runs one episode of `agent` on the one-copy vector env `env` and records it.
 * `physicalState()` returns the copy's current qpos then qvel (read before every step, so the
 * state that ends the episode, which the env replaces by the next episode's, is not kept);
 * `rawReward()` the raw reward of the last step (the env's own may be normalised).
 */
export async function recordExpertTrajectory(agent: PolicyActor, env: VectorEnv, physicalState: () => Float64Array, rawReward: () => number, o: RecordExpertOptions): Promise<ExpertTrajectory> {
  if (env.numEnvs !== 1) throw new RangeError(`recordExpertTrajectory needs a one-copy vector env, got ${env.numEnvs}`);
  const reset = env.reset({ seed: o.seed });
  const first: VectorResetResult = isPromiseLike(reset) ? await reset : reset;
  const obs = Float32Array.from(first.observations);
  const states: number[] = [];
  const actions: number[] = [];
  const rewards: number[] = [];
  for (let t = 0; t < o.maxSteps; t++) {
    states.push(...physicalState());
    const act = agent.act(obs, 1, o.deterministic);
    actions.push(...act.actions);
    const step = env.step(act.actions);
    const r: VectorStepResult = isPromiseLike(step) ? await step : step;
    rewards.push(rawReward());
    obs.set(r.observations);
    if (r.terminated[0] === 1 || r.truncated[0] === 1) break;
  }
  return {
    format: 'rxrl-expert-trajectory',
    version: 1,
    env: o.envId,
    source: o.source,
    nq: o.nq,
    nv: o.nv,
    nu: o.nu,
    length: rewards.length,
    return: rewards.reduce((a, b) => a + b, 0),
    states: Float64Array.from(states),
    actions: Float64Array.from(actions),
    rewards: Float64Array.from(rewards),
  };
}
