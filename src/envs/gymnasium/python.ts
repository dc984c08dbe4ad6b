import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The server script shipped with the package (`python/rxrl_gym_server.py`, beside `src/` and `dist/`). */
export const SERVER_SCRIPT = fileURLToPath(new URL('../../../python/rxrl_gym_server.py', import.meta.url));

/** The package root (where `package.json` and the project's `.venv-bridge/` live in a checkout). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The project's virtual environment, created by `npm run setup:bridge`. */
export const VENV_DIR = '.venv-bridge';

/** Where a Python interpreter came from, for messages and `rxrl doctor`. */
export type PythonSource = 'option' | 'RXRL_PYTHON' | 'venv' | 'PATH';

/** A Python interpreter to run the server with. */
export interface PythonChoice {
  /** Path or command name. */
  readonly command: string;
  readonly source: PythonSource;
}

function venvPython(root: string): string {
  return process.platform === 'win32' ? path.join(root, VENV_DIR, 'Scripts', 'python.exe') : path.join(root, VENV_DIR, 'bin', 'python');
}

/**
 * The Python that runs bridged envs: `explicit` (the `python` option or `--python`), else
 * `$RXRL_PYTHON`, else `.venv-bridge/` in the current directory or in rxrl's own folder (made by
 * `npm run setup:bridge`), else `python3` from the PATH.
 */
export function resolvePython(explicit?: string): PythonChoice {
  if (explicit !== undefined && explicit !== '') return { command: explicit, source: 'option' };
  const fromEnv = process.env['RXRL_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return { command: fromEnv, source: 'RXRL_PYTHON' };
  for (const root of new Set([process.cwd(), PACKAGE_ROOT])) {
    const candidate = venvPython(root);
    if (existsSync(candidate)) return { command: candidate, source: 'venv' };
  }
  return { command: process.platform === 'win32' ? 'python' : 'python3', source: 'PATH' };
}

/** How to get a working Python, for error messages. */
export function setupHint(): string {
  return `run \`npm run setup:bridge\` in rxrl's folder (creates ${VENV_DIR}/ with gymnasium), or point RXRL_PYTHON (or --python / the \`python\` option) at a Python that has gymnasium 1.x (\`python -m pip install "gymnasium[mujoco]"\`)`;
}

/** Describes a {@link PythonChoice} for messages: `python3 (from the PATH)`. */
export function describePython(choice: PythonChoice): string {
  const from = { option: 'the python option', RXRL_PYTHON: '--python or $RXRL_PYTHON', venv: `the project's ${VENV_DIR}`, PATH: 'the PATH' }[choice.source];
  return `${choice.command} (from ${from})`;
}

/** What `python rxrl_gym_server.py --probe` reports; a package that did not import is `null` with its error beside it. */
export interface PythonProbe {
  readonly python: string;
  readonly executable: string;
  readonly protocol: number;
  readonly numpy: string | null;
  readonly gymnasium: string | null;
  readonly mujoco: string | null;
  readonly numpy_error?: string;
  readonly gymnasium_error?: string;
  readonly mujoco_error?: string;
}

/** Result of {@link probePython}: the versions, or why the interpreter could not be run. */
export type ProbeResult = { readonly ok: true; readonly probe: PythonProbe } | { readonly ok: false; readonly reason: string };

/** Runs the server script's `--probe` with `choice` (synchronously; about a second when mujoco is installed). */
export function probePython(choice: PythonChoice, timeoutMs = 60_000): ProbeResult {
  const r = spawnSync(choice.command, [SERVER_SCRIPT, '--probe'], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? `${describePython(choice)} does not exist` : `${describePython(choice)} could not be run: ${r.error.message}` };
  }
  if (r.status !== 0) return { ok: false, reason: `${describePython(choice)} exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  try {
    return { ok: true, probe: JSON.parse(r.stdout) as PythonProbe };
  } catch {
    return { ok: false, reason: `${describePython(choice)} printed no version report: ${r.stdout.slice(0, 200)}` };
  }
}
