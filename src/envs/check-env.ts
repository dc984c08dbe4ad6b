import { describeValue, EnvCheckError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { describeSpace, type Space } from '../core/spaces.js';
import type { AnyEnv, ResetResult, StepResult } from './env.js';

/** One problem found by {@link checkEnv}. */
export interface EnvProblem {
  /** Which check found it, e.g. `reset`, `step`, `determinism`, `spaces`. */
  readonly check: string;
  /** What was expected, what came, and how to fix it. */
  readonly message: string;
}

/** Result of {@link checkEnv}. */
export interface EnvCheckReport {
  readonly envId: string;
  readonly problems: readonly EnvProblem[];
  /** Steps taken while checking. */
  readonly stepsChecked: number;
  readonly ok: boolean;
}

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Random actions to take per rollout (default 100). */
  readonly steps?: number;
  /** Seed of the determinism check and the action sampling (default 123). */
  readonly seed?: number;
}

function isSpace(x: unknown): x is Space<unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return ['sample', 'contains', 'explainMismatch', 'flattenInto', 'unflatten', 'toJSON'].every((m) => typeof s[m] === 'function') && typeof s['flatDim'] === 'number';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** Index and value of the first NaN or ±Infinity in a numeric array, if any. */
function firstNonFinite(x: unknown): { index: number; value: number } | null {
  if (!(ArrayBuffer.isView(x) || Array.isArray(x))) return null;
  const arr = x as ArrayLike<unknown>;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v === 'number' && !Number.isFinite(v)) return { index: i, value: v };
  }
  return null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
  }
  return a === b;
}

/**
 * Checks an environment the way Gymnasium's `check_env` does, and more: well-formed spaces,
 * the shapes and types of what `reset` and `step` return, observations inside the observation
 * space (naming the entry, value and bounds), no NaN or Infinity, action-space sampling, and
 * that `reset({seed})` followed by the same actions replays identically.
 *
 * Works on synchronous and asynchronous envs. Returns every problem found; use
 * {@link assertEnvOk} to throw instead.
 */
export async function checkEnv(env: AnyEnv, options: CheckEnvOptions = {}): Promise<EnvCheckReport> {
  const envId = env.spec?.id ?? env.constructor.name;
  const problems: EnvProblem[] = [];
  const add = (check: string, message: string) => problems.push({ check, message });
  const steps = options.steps ?? 100;
  const seed = options.seed ?? 123;
  let stepsChecked = 0;

  const obsSpace: unknown = env.observationSpace;
  const actSpace: unknown = env.actionSpace;
  if (!isSpace(obsSpace)) add('spaces', `observationSpace must be a Space (Box, Discrete, …), got ${describeValue(obsSpace)}; set it in the constructor`);
  if (!isSpace(actSpace)) add('spaces', `actionSpace must be a Space (Box, Discrete, …), got ${describeValue(actSpace)}; set it in the constructor`);
  if (problems.length > 0) return { envId, problems, stepsChecked, ok: false };
  const observationSpace = obsSpace as Space<unknown>;
  const actionSpace = actSpace as Space<unknown>;

  const actionRng = new Rng(seed).split('actions');
  for (let i = 0; i < 100; i++) {
    const a = actionSpace.sample(actionRng);
    const why = actionSpace.explainMismatch(a);
    if (why !== null) {
      add('spaces', `actionSpace.sample() returned ${describeValue(a)}, which its own contains() rejects: ${why}`);
      break;
    }
  }

  const checkObservation = (where: string, obs: unknown): void => {
    const bad = firstNonFinite(obs);
    if (bad !== null) add(where, `observation entry ${bad.index} is ${bad.value}; observations must be finite`);
    const why = observationSpace.explainMismatch(obs);
    if (why !== null) add(where, `observation is not in observationSpace ${describeSpace(observationSpace)}: ${why}`);
  };

  const checkReset = (r: unknown): r is ResetResult<unknown> => {
    if (!isPlainObject(r) || !('observation' in r) || !('info' in r)) {
      add('reset', `reset() must return { observation, info }, got ${describeValue(r)}`);
      return false;
    }
    if (!isPlainObject(r['info'])) add('reset', `reset() info must be a plain object, got ${describeValue(r['info'])}`);
    checkObservation('reset', r['observation']);
    return true;
  };

  const checkStep = (r: unknown, stepIndex: number): r is StepResult<unknown> => {
    const where = `step ${stepIndex}`;
    if (!isPlainObject(r)) {
      add('step', `${where}: step() must return { observation, reward, terminated, truncated, info }, got ${describeValue(r)}`);
      return false;
    }
    const missing = ['observation', 'reward', 'terminated', 'truncated', 'info'].filter((k) => !(k in r));
    if (missing.length > 0) {
      add('step', `${where}: step() result lacks ${missing.join(', ')}; it must return { observation, reward, terminated, truncated, info }`);
      return false;
    }
    if (typeof r['reward'] !== 'number' || !Number.isFinite(r['reward'])) add('step', `${where}: reward must be a finite number, got ${describeValue(r['reward'])}`);
    if (typeof r['terminated'] !== 'boolean') add('step', `${where}: terminated must be a boolean, got ${describeValue(r['terminated'])}`);
    if (typeof r['truncated'] !== 'boolean') add('step', `${where}: truncated must be a boolean, got ${describeValue(r['truncated'])}`);
    if (!isPlainObject(r['info'])) add('step', `${where}: info must be a plain object, got ${describeValue(r['info'])}`);
    checkObservation(where, r['observation']);
    return true;
  };

  /** One seeded rollout; returns its trace for the determinism comparison, or null if it broke. */
  const rollout = async (): Promise<unknown[] | null> => {
    const rng = new Rng(seed).split('rollout');
    const trace: unknown[] = [];
    let first: unknown;
    try {
      first = await env.reset({ seed });
    } catch (err) {
      add('reset', `reset({ seed: ${seed} }) threw: ${(err as Error).message}`);
      return null;
    }
    if (!checkReset(first)) return null;
    trace.push(first.observation);
    for (let t = 0; t < steps; t++) {
      const action = actionSpace.sample(rng);
      let r: unknown;
      try {
        r = await env.step(action);
      } catch (err) {
        add('step', `step ${t} with action ${describeValue(action)} threw: ${(err as Error).message}`);
        return null;
      }
      stepsChecked++;
      if (!checkStep(r, t)) return null;
      trace.push(r.observation, r.reward, r.terminated, r.truncated);
      if (r.terminated || r.truncated) {
        const again = await env.reset();
        if (!checkReset(again)) return null;
        trace.push(again.observation);
      }
      if (problems.length > 10) return null;
    }
    return trace;
  };

  const first = await rollout();
  if (first !== null && problems.length === 0) {
    const second = await rollout();
    if (second !== null) {
      const at = first.findIndex((v, i) => !sameValue(v, second[i]));
      if (at >= 0 || first.length !== second.length) {
        add('determinism', `two rollouts after reset({ seed: ${seed} }) with the same actions differ at trace item ${at} (${describeValue(first[at])} vs ${describeValue(second[at])}); draw all randomness from the seed given to reset()`);
      }
    }
  }
  return { envId, problems, stepsChecked, ok: problems.length === 0 };
}

/** Runs {@link checkEnv} and throws {@link EnvCheckError} listing every problem. */
export async function assertEnvOk(env: AnyEnv, options: CheckEnvOptions = {}): Promise<EnvCheckReport> {
  const report = await checkEnv(env, options);
  if (!report.ok) throw new EnvCheckError(formatEnvCheckReport(report));
  return report;
}

/** Human-readable rendering of a report. */
export function formatEnvCheckReport(report: EnvCheckReport): string {
  if (report.ok) return `${report.envId}: all checks passed (${report.stepsChecked} steps)`;
  const lines = report.problems.map((p) => `  - [${p.check}] ${p.message}`);
  return `${report.envId}: ${report.problems.length} problem(s) found:\n${lines.join('\n')}`;
}
