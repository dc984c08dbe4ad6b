import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { spaceFromJSON, type Space, type SpaceJSON } from '../../core/spaces.js';
import type { EnvSpec } from '../env.js';
import { GymnasiumError, GymnasiumProcessError, GymnasiumPythonError, GymnasiumSetupError, GymnasiumTimeoutError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { encodeFrame, PROTOCOL } from './protocol.js';
import { describePython, SERVER_SCRIPT, setupHint } from './python.js';
import { quiet } from './lifecycle.js';
import { ServerProcess } from './server-process.js';

/** What the server reports about an env once it has built it. */
export interface EnvDescription {
  readonly observationSpace: Space<unknown>;
  readonly actionSpace: Space<unknown>;
  /** The spaces as the server sent them (rxrl's JSON plus Gymnasium's dtypes). */
  readonly observationSpaceJSON: SpaceJSON;
  readonly actionSpaceJSON: SpaceJSON;
  /** rxrl's spec: id `gymnasium:…`, Gymnasium's time limit and reward threshold, the kwargs. */
  readonly spec: EnvSpec;
  readonly versions: { readonly python: string; readonly gymnasium: string; readonly numpy: string };
}

interface DescribeJSON {
  readonly protocol: number;
  readonly observation_space: SpaceJSON;
  readonly action_space: SpaceJSON;
  readonly spec: { readonly id?: string; readonly maxEpisodeSteps?: number; readonly rewardThreshold?: number };
  readonly versions: EnvDescription['versions'];
}

/** The `make` request of an env. */
function makeRequest(id: string, options: ResolvedOptions, numEnvs: number | null): Record<string, unknown> {
  return { op: 'make', protocol: PROTOCOL, id, kwargs: options.kwargs, num_envs: numEnvs, max_episode_steps: options.maxEpisodeSteps ?? null, spin_us: options.spinMicros };
}

function toDescription(envId: string, gymId: string, options: ResolvedOptions, d: DescribeJSON): EnvDescription {
  if (d.protocol !== PROTOCOL) throw new GymnasiumSetupError(`${envId}: the server script speaks protocol ${d.protocol}, rxrl ${PROTOCOL}; it comes from another rxrl version (${SERVER_SCRIPT})`, envId);
  let observationSpace: Space<unknown>;
  let actionSpace: Space<unknown>;
  try {
    observationSpace = spaceFromJSON(d.observation_space);
    actionSpace = spaceFromJSON(d.action_space);
  } catch (e) {
    throw new GymnasiumError(`${envId}: the env's spaces cannot be represented in rxrl: ${(e as Error).message}`, envId);
  }
  const spec: EnvSpec = {
    id: `gymnasium:${gymId}`,
    ...(d.spec.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: d.spec.maxEpisodeSteps } : {}),
    ...(d.spec.rewardThreshold !== undefined ? { rewardThreshold: d.spec.rewardThreshold } : {}),
    kwargs: options.kwargs,
  };
  return { observationSpace, actionSpace, observationSpaceJSON: d.observation_space, actionSpaceJSON: d.action_space, spec, versions: d.versions };
}

/** Starts one server process and sends its `make` request; the promise resolves once the env is built. */
export function launch(envId: string, gymId: string, options: ResolvedOptions, numEnvs: number | null): { process: ServerProcess; ready: Promise<EnvDescription> } {
  const process = new ServerProcess({ python: options.python, envId, pythonPath: options.pythonPath, stderr: options.stderr, spinMicros: options.spinMicros });
  const ready = process.request('make', encodeFrame(makeRequest(gymId, options, numEnvs)), options.startTimeoutMs).then(
    (frame) => toDescription(envId, gymId, options, frame.header as unknown as DescribeJSON),
    (e: unknown) => {
      throw startError(envId, gymId, e);
    },
  );
  // Marked handled at once: in make()'s path nobody awaits it until the first reset().
  return { process, ready: quiet(ready) };
}

/** Adds what to do to a failure while starting. */
function startError(envId: string, gymId: string, e: unknown): unknown {
  if (e instanceof GymnasiumPythonError && e.pythonType !== 'SetupError') {
    const hint =
      e.pythonType === 'NameNotFound' || e.pythonType === 'NamespaceNotFound' || e.pythonType === 'VersionNotFound'
        ? ` (ids are Gymnasium's, e.g. gymnasium:CartPole-v1; for your own env use gymnasium:my_module:MyEnv, the module importable from the current directory or the pythonPath option)`
        : e.pythonType === 'ModuleNotFoundError' || e.pythonType === 'DependencyNotInstalled'
          ? ` (install the missing package into that Python, e.g. \`.venv-bridge/bin/pip install "gymnasium[mujoco]"\` for MuJoCo envs)`
          : '';
    return new GymnasiumPythonError(`${e.message.split('\n')[0]}${hint}\n${e.message.split('\n').slice(1).join('\n')}`.trimEnd(), e.envId, e.pythonType, e.pythonMessage, e.pythonTraceback);
  }
  if (e instanceof GymnasiumTimeoutError) {
    return new GymnasiumTimeoutError(`${envId}: starting the Python server and building ${gymId} took longer than ${e.timeoutMs} ms; raise startTimeoutMs if importing the env is that slow`, envId, 'start', e.timeoutMs);
  }
  return e;
}

/** Descriptions already fetched by {@link describeSync}, by interpreter, id and options. */
const described = new Map<string, EnvDescription>();

/**
 * The spaces and spec of an env, learned synchronously by running the server once with
 * `--describe` (cached per interpreter, id and kwargs). `make()` is synchronous and must return
 * an env whose spaces are known, so it pays this one extra Python start;
 * `GymnasiumEnv.create()` / `GymnasiumVectorEnv.create()` do not.
 */
export function describeSync(envId: string, gymId: string, options: ResolvedOptions): EnvDescription {
  const key = JSON.stringify([options.python.command, gymId, options.kwargs, options.maxEpisodeSteps ?? null, options.pythonPath]);
  const cached = described.get(key);
  if (cached !== undefined) return cached;
  const answer = runDiagnostic(envId, options, '--describe', JSON.stringify(makeRequest(gymId, options, null)), `describing ${gymId}`);
  const error = pythonErrorOf(answer);
  if (error !== undefined) {
    const trace = error.traceback.trim() !== '' ? `\nPython traceback:\n${error.traceback.trimEnd()}` : '';
    throw startError(envId, gymId, new GymnasiumPythonError(`${envId}: creating the env raised ${error.type} in Python: ${error.message}${trace}`, envId, error.type, error.message, error.traceback));
  }
  const description = toDescription(envId, gymId, options, answer as unknown as DescribeJSON);
  described.set(key, description);
  return description;
}

/** An error object in a diagnostic's answer. */
interface DiagnosticError {
  readonly type: string;
  readonly message: string;
  readonly traceback: string;
  readonly versions?: { readonly python: string; readonly executable: string };
}

function pythonErrorOf(answer: Record<string, unknown>): DiagnosticError | undefined {
  return answer['error'] as DiagnosticError | undefined;
}

/**
 * Runs the server script once with a diagnostic flag (`--describe`, `--list`) and returns its JSON
 * answer; a missing interpreter, a timeout, a script that does not run and a missing gymnasium
 * (SetupError) throw errors that name the fix. Other Python errors are left in the answer.
 */
export function runDiagnostic(envId: string, options: Pick<ResolvedOptions, 'python' | 'pythonPath' | 'startTimeoutMs'>, flag: string, input: string, what: string): Record<string, unknown> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  env['PYTHONPATH'] = [...options.pythonPath.map((p) => path.resolve(p)), process.cwd(), ...(process.env['PYTHONPATH'] ?? '').split(path.delimiter).filter((p) => p !== '')].join(path.delimiter);
  const r = spawnSync(options.python.command, [SERVER_SCRIPT, flag], {
    input,
    encoding: 'utf8',
    timeout: options.startTimeoutMs,
    env,
    maxBuffer: 256 * 1024 * 1024,
    windowsHide: true,
  });
  const stderr = (r.stderr ?? '').trim().split('\n').slice(-20).join('\n');
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GymnasiumSetupError(`${envId}: no Python interpreter: ${describePython(options.python)} does not exist. Fix: ${setupHint()}`, envId);
    if (code === 'ETIMEDOUT') throw new GymnasiumTimeoutError(`${envId}: ${what} took longer than ${options.startTimeoutMs} ms; raise startTimeoutMs if importing the env is that slow`, envId, 'start', options.startTimeoutMs);
    throw new GymnasiumProcessError(`${envId}: could not run ${describePython(options.python)}: ${r.error.message}`, envId, null, null, stderr);
  }
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new GymnasiumProcessError(
      `${envId}: ${describePython(options.python)} could not run the bridge's server script (exit ${r.status ?? r.signal}). Fix: ${setupHint()}${stderr !== '' ? `\nLast lines on its stderr:\n${stderr}` : ''}`,
      envId,
      r.status,
      r.signal,
      stderr,
    );
  }
  const error = pythonErrorOf(answer);
  if (error?.type === 'SetupError') {
    const version = error.versions !== undefined ? ` (Python ${error.versions.python} at ${error.versions.executable})` : '';
    throw new GymnasiumSetupError(`${envId}: ${error.message}${version}. Fix: ${setupHint()}`, envId);
  }
  return answer;
}

/** Whether two descriptions have the same spaces (the server's answer against the described one). */
export function sameSpaces(a: EnvDescription, b: EnvDescription): boolean {
  return JSON.stringify([a.observationSpaceJSON, a.actionSpaceJSON]) === JSON.stringify([b.observationSpaceJSON, b.actionSpaceJSON]);
}
