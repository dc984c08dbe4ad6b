import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALGORITHMS } from '../agents/algorithms.js';
import { ConfigError } from '../core/errors.js';
import '../envs/index.js';
import { registration } from '../envs/registry.js';

/**
 * What a sweep runs: every (algo, env, seed) combination, each for `steps` env steps with a
 * deterministic evaluation every `evalEvery` steps. Recorded in `OUT/sweep.json`; a sweep folder
 * only ever holds runs of one definition. Analysis settings (threshold) and scheduling
 * (workers) are not part of it.
 */
export interface SweepDefinition {
  readonly algos: readonly string[];
  readonly envs: readonly string[];
  /** Number of seeds; the runs use seeds 0 … seeds − 1. */
  readonly seeds: number;
  readonly steps: number;
  readonly evalEvery: number;
  readonly evalEpisodes: number;
}

/** One run of a sweep. */
export interface SweepRun {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  /** `<algo>-<env>-s<seed>`, its folder name under `OUT/runs/`. */
  readonly name: string;
}

export const SWEEP_FILE = 'sweep.json';
const FORMAT = 'rxrl-sweep';

/** Checks a definition: known algorithms and envs, no duplicates, positive counts. */
export function validateDefinition(def: SweepDefinition): void {
  if (def.algos.length === 0) throw new ConfigError('bench: expected at least one algorithm in --algos');
  if (def.envs.length === 0) throw new ConfigError('bench: expected at least one env in --envs');
  const algos: readonly string[] = ALGORITHMS;
  for (const a of def.algos) if (!algos.includes(a)) throw new ConfigError(`bench: unknown algorithm "${a}"; available: ${ALGORITHMS.join(', ')}`);
  for (const e of def.envs) registration(e); // throws UnknownEnvError naming the closest id
  for (const [what, list] of [['--algos', def.algos], ['--envs', def.envs]] as const) {
    const dup = list.find((x, i) => list.indexOf(x) !== i);
    if (dup !== undefined) throw new ConfigError(`bench: "${dup}" appears twice in ${what}`);
  }
  if (!Number.isInteger(def.seeds) || def.seeds <= 0) throw new ConfigError(`bench: expected --seeds to be a positive integer, got ${def.seeds}`);
  if (!Number.isInteger(def.steps) || def.steps <= 0) throw new ConfigError(`bench: expected --steps to be a positive integer, got ${def.steps}`);
  if (!Number.isInteger(def.evalEvery) || def.evalEvery <= 0) throw new ConfigError(`bench: expected --eval-every to be a positive integer, got ${def.evalEvery}`);
  if (!Number.isInteger(def.evalEpisodes) || def.evalEpisodes <= 0) throw new ConfigError(`bench: expected --eval-episodes to be a positive integer, got ${def.evalEpisodes}`);
}

/** A run's name, `<algo>-<env>-s<seed>`: its folder under a sweep's `runs/` (and under `runs/` for `rxrl train`). */
export const runName = (algo: string, env: string, seed: number): string => `${algo}-${env}-s${seed}`;

/** Every run of the sweep, algorithm-major, then env, then seed. */
export function sweepRuns(def: SweepDefinition): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const algo of def.algos) for (const env of def.envs) for (let seed = 0; seed < def.seeds; seed++) runs.push({ algo, env, seed, name: runName(algo, env, seed) });
  return runs;
}

/** The fields in which two definitions differ, as `field: old → new` (empty when equal; list order is ignored). */
export function definitionDifferences(saved: SweepDefinition, wanted: SweepDefinition): string[] {
  const diffs: string[] = [];
  const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  if (!sameSet(saved.algos, wanted.algos)) diffs.push(`algos: ${saved.algos.join(',')} → ${wanted.algos.join(',')}`);
  if (!sameSet(saved.envs, wanted.envs)) diffs.push(`envs: ${saved.envs.join(',')} → ${wanted.envs.join(',')}`);
  for (const key of ['seeds', 'steps', 'evalEvery', 'evalEpisodes'] as const) {
    if (saved[key] !== wanted[key]) diffs.push(`${key}: ${saved[key]} → ${wanted[key]}`);
  }
  return diffs;
}

function readSaved(file: string): SweepDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  const o = raw as Partial<SweepDefinition> & { format?: unknown };
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (o?.format !== FORMAT || !strings(o.algos) || !strings(o.envs) || typeof o.seeds !== 'number' || typeof o.steps !== 'number' || typeof o.evalEvery !== 'number' || typeof o.evalEpisodes !== 'number') {
    throw new ConfigError(`${file} is not an rxrl sweep definition (format "${FORMAT}")`);
  }
  return { algos: o.algos as string[], envs: o.envs as string[], seeds: o.seeds, steps: o.steps, evalEvery: o.evalEvery, evalEpisodes: o.evalEpisodes };
}

/**
 * Prepares the sweep folder `out`: creates it and writes `sweep.json`, or, when it already
 * holds a sweep, checks that it is the same definition (else a ConfigError naming every
 * difference). A folder that exists but is neither empty nor a sweep folder is refused.
 */
export function prepareSweepFolder(out: string, def: SweepDefinition): void {
  validateDefinition(def);
  const file = path.join(out, SWEEP_FILE);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new ConfigError(`bench: --out ${out} exists and is not a folder`);
    if (existsSync(file)) {
      const diffs = definitionDifferences(readSaved(file), def);
      if (diffs.length > 0) throw new ConfigError(`bench: ${out} holds a different sweep (${diffs.join('; ')}); use another --out folder or repeat the original definition`);
      return;
    }
    if (readdirSync(out).length > 0) throw new ConfigError(`bench: --out ${out} is not empty and holds no ${SWEEP_FILE}; refusing to write a sweep into it`);
  }
  try {
    mkdirSync(path.join(out, 'runs'), { recursive: true });
  } catch (err) {
    throw new ConfigError(`bench: cannot create --out ${out}: ${(err as Error).message}`);
  }
  writeFileSync(file, `${JSON.stringify({ format: FORMAT, version: 1, ...def }, null, 2)}\n`);
}

export const runDir = (out: string, run: SweepRun): string => path.join(out, 'runs', run.name);
export const isFinished = (out: string, run: SweepRun): boolean => existsSync(path.join(runDir(out, run), 'summary.json'));

/**
 * The runs still to do. A finished run (its `summary.json` exists) is kept and never rerun.
 * Anything else — a run interrupted by a killed sweep, or one that failed (`error.json`) — is
 * cleared and started again from scratch: runs are deterministic given their seed, so a
 * restart gives the same result a resume would, and the run folder never mixes two attempts.
 */
export function pendingRuns(out: string, def: SweepDefinition): SweepRun[] {
  const pending: SweepRun[] = [];
  for (const run of sweepRuns(def)) {
    if (isFinished(out, run)) continue;
    rmSync(runDir(out, run), { recursive: true, force: true });
    pending.push(run);
  }
  return pending;
}
