import { availableParallelism } from 'node:os';
import { ConfigError } from '../../core/errors.js';
import { closeMatches } from '../../core/text.js';
import { resolvePython, type PythonChoice } from './python.js';

/** Options of a bridged env ({@link GymnasiumEnv.create}, `make('gymnasium:ID', options)`). */
export interface GymnasiumOptions {
  /** Python interpreter; default `$RXRL_PYTHON`, else `.venv-bridge/bin/python`, else `python3`. */
  readonly python?: string;
  /** Keyword arguments of `gymnasium.make(id, **kwargs)` (or of the class, for `module:Class`). JSON values only. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** `gymnasium.make(id, max_episode_steps=…)`: overrides the registered time limit. */
  readonly maxEpisodeSteps?: number;
  /** Folders added to the server's `PYTHONPATH`, for `module:Class` envs outside the current directory. */
  readonly pythonPath?: readonly string[];
  /** Longest wait for one `reset()`, `step()`, `render()` or `close()`, in ms (default 60 000). A request that takes longer kills the process. */
  readonly timeoutMs?: number;
  /** Longest wait for the server to import Gymnasium and build the envs, in ms (default 120 000). */
  readonly startTimeoutMs?: number;
  /**
   * Clip `Box` actions to the action space's bounds before sending them (default true), as
   * rxrl's built-in envs and Stable-Baselines3 do; Gymnasium envs mostly do not clip themselves.
   * NaN and infinite actions are rejected either way.
   */
  readonly clipActions?: boolean;
  /** The server's stderr: kept for error messages (`'buffer'`, default) or passed through (`'inherit'`). */
  readonly stderr?: 'buffer' | 'inherit';
  /**
   * How long each side polls for the other's next frame before it sleeps, in µs. Waking a
   * process that sleeps in a read costs tens of µs per round trip on some machines (virtual CPUs
   * especially), more than a cheap env's step; polling avoids it at the price of up to this much
   * CPU time per wait. Default {@link DEFAULT_SPIN_MICROS} when Node and the server processes
   * fit the machine's cores (P + 1 ≤ `os.availableParallelism()`), else 0: polling would take
   * CPU time from the envs. 0 never polls.
   */
  readonly spinMicros?: number;
}

/** Options of a bridged vector env ({@link GymnasiumVectorEnv.create}, `make('gymnasium:ID', { numEnvs })`). */
export interface GymnasiumVectorOptions extends GymnasiumOptions {
  /** Number of env copies, N ≥ 1. */
  readonly numEnvs: number;
  /**
   * Server processes P, 1 ≤ P ≤ N (default 1). The copies are split evenly; each process steps
   * its copies in Gymnasium's `SyncVectorEnv`, and the processes step in parallel, so P up to the
   * number of cores pays for envs whose step costs more than the pipe (MuJoCo; not CartPole).
   */
  readonly processes?: number;
}

/** Option values after defaults and checks. */
export interface ResolvedOptions {
  readonly python: PythonChoice;
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly maxEpisodeSteps: number | undefined;
  readonly pythonPath: readonly string[];
  readonly timeoutMs: number;
  readonly startTimeoutMs: number;
  readonly clipActions: boolean;
  readonly stderr: 'buffer' | 'inherit';
  readonly processes: number;
  readonly spinMicros: number;
}

/**
 * Default polling time per wait, in µs: longer than CartPole's step with 8 copies (≈ 75 µs
 * here) and than a small policy's forward pass on the Node side, far shorter than a MuJoCo step
 * batch, where the wake-up matters little. Measured with `npm run bench:bridge`.
 */
export const DEFAULT_SPIN_MICROS = 200;

const KEYS = ['python', 'kwargs', 'maxEpisodeSteps', 'pythonPath', 'timeoutMs', 'startTimeoutMs', 'clipActions', 'stderr', 'numEnvs', 'processes', 'spinMicros'] as const;

function positiveInt(where: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`${where}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks `options` (every key known, every value of the right type) and fills in the defaults. */
export function resolveOptions(where: string, options: Readonly<Record<string, unknown>>, numEnvs: number | null): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if ((KEYS as readonly string[]).includes(key) || options[key] === undefined) continue;
    const near = closeMatches(key, [...KEYS]);
    const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
    throw new ConfigError(`${where}: unknown option "${key}".${hint} Gymnasium's own keyword arguments go in \`kwargs\`: { kwargs: { ${key}: … } }. Options: ${KEYS.join(', ')}`);
  }
  const o = options as Partial<GymnasiumVectorOptions>;
  if (o.python !== undefined && typeof o.python !== 'string') throw new ConfigError(`${where}: python must be a path, got ${JSON.stringify(o.python)}`);
  const kwargs = o.kwargs ?? {};
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) throw new ConfigError(`${where}: kwargs must be an object of keyword arguments, got ${JSON.stringify(kwargs)}`);
  try {
    JSON.stringify(kwargs);
  } catch (e) {
    throw new ConfigError(`${where}: kwargs must be JSON values (they are sent to Python): ${(e as Error).message}`);
  }
  const pythonPath = o.pythonPath ?? [];
  if (!Array.isArray(pythonPath) || pythonPath.some((p) => typeof p !== 'string')) throw new ConfigError(`${where}: pythonPath must be an array of folder paths`);
  if (o.clipActions !== undefined && typeof o.clipActions !== 'boolean') throw new ConfigError(`${where}: clipActions must be true or false`);
  if (o.stderr !== undefined && o.stderr !== 'buffer' && o.stderr !== 'inherit') throw new ConfigError(`${where}: stderr must be "buffer" or "inherit", got ${JSON.stringify(o.stderr)}`);
  const processes = positiveInt(where, 'processes', o.processes, 1);
  if (numEnvs === null && o.processes !== undefined && processes !== 1) throw new ConfigError(`${where}: processes needs numEnvs (a single env runs in one process)`);
  if (numEnvs !== null && processes > numEnvs) throw new ConfigError(`${where}: processes (${processes}) cannot exceed numEnvs (${numEnvs}); each process runs at least one copy`);
  const spinMicros = o.spinMicros ?? (processes + 1 <= availableParallelism() ? DEFAULT_SPIN_MICROS : 0);
  if (typeof spinMicros !== 'number' || !Number.isFinite(spinMicros) || spinMicros < 0) throw new ConfigError(`${where}: spinMicros must be a number of µs ≥ 0, got ${JSON.stringify(o.spinMicros)}`);
  return {
    python: resolvePython(o.python),
    kwargs,
    maxEpisodeSteps: o.maxEpisodeSteps === undefined ? undefined : positiveInt(where, 'maxEpisodeSteps', o.maxEpisodeSteps, 1),
    pythonPath,
    timeoutMs: positiveInt(where, 'timeoutMs', o.timeoutMs, 60_000),
    startTimeoutMs: positiveInt(where, 'startTimeoutMs', o.startTimeoutMs, 120_000),
    clipActions: o.clipActions ?? true,
    stderr: o.stderr ?? 'buffer',
    processes,
    spinMicros,
  };
}
