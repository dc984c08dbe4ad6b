import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { GymnasiumError, GymnasiumProcessError, GymnasiumPythonError, GymnasiumSetupError, GymnasiumTimeoutError } from './errors.js';
import { encodeFrame, FrameReader, type Frame } from './protocol.js';
import { describePython, SERVER_SCRIPT, setupHint, type PythonChoice } from './python.js';

/** How a server process is started. */
export interface SpawnOptions {
  readonly python: PythonChoice;
  /** The bridged id, for messages (`gymnasium:CartPole-v1`). */
  readonly envId: string;
  /** Extra entries for the child's PYTHONPATH (e.g. the folder of a `module:Class` env). */
  readonly pythonPath: readonly string[];
  /** `inherit` passes the child's stderr through; `buffer` keeps its tail for error messages. */
  readonly stderr: 'buffer' | 'inherit';
  /** How long to keep the event loop polling for an answer before sleeping until it comes, in µs (see `GymnasiumOptions.spinMicros`). */
  readonly spinMicros: number;
}

/** Bytes of stderr kept for error messages. */
const STDERR_TAIL = 16 * 1024;

/** Every server process alive in this Node process, killed on `process.exit`. */
const live = new Set<ServerProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all there is time for. The server also
  // exits on its own when its stdin closes, and (Linux) when its parent dies.
  process.on('exit', () => {
    for (const p of live) p.kill();
  });
}

/** Number of server processes this Node process has started that have not exited yet. */
export function liveServerCount(): number {
  return live.size;
}

type Pending = {
  readonly op: string;
  readonly resolve: (frame: Frame) => void;
  readonly reject: (error: Error) => void;
};

/**
 * One `rxrl_gym_server.py` child and its single outstanding request. It holds no reference to
 * the env that uses it, so that env can be garbage-collected (its finalizer then kills this).
 *
 * While no request is outstanding the child's handles are unref'd: an idle bridged env does not
 * keep Node running, and the exit hook then kills the child.
 */
export class ServerProcess {
  readonly child: ChildProcess;
  /** The child's pid (0 if spawning failed). */
  readonly pid: number;
  /** Resolves once the child has exited (or could not be started). */
  readonly exited: Promise<void>;
  private readonly reader = new FrameReader();
  private readonly stdin: Writable;
  private readonly stdout: Readable;
  private pending: Pending | null = null;
  private stderrTail = '';
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;
  private timeoutMs = 0;
  private spinUntil = 0;
  private alive = true;
  private closing = false;
  /** Set once the process is unusable; every later request fails with it. */
  failure: GymnasiumError | undefined;

  constructor(private readonly options: SpawnOptions) {
    // No sound device is needed for rendering: without this SDL (pygame) prints ALSA errors.
    const env: NodeJS.ProcessEnv = { SDL_AUDIODRIVER: 'dummy', PYGAME_HIDE_SUPPORT_PROMPT: '1', ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
    const extra = [...options.pythonPath.map((p) => path.resolve(p)), process.cwd()];
    env['PYTHONPATH'] = [...extra, ...(process.env['PYTHONPATH'] ?? '').split(path.delimiter).filter((p) => p !== '')].join(path.delimiter);
    this.child = spawn(options.python.command, [SERVER_SCRIPT], {
      stdio: ['pipe', 'pipe', options.stderr === 'inherit' ? 'inherit' : 'pipe'],
      env,
      windowsHide: true,
    });
    this.pid = this.child.pid ?? 0;
    this.stdin = this.child.stdin as Writable;
    this.stdout = this.child.stdout as Readable;
    live.add(this);
    installExitHook();

    this.exited = new Promise<void>((resolve) => {
      this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.onExit(code, signal);
        resolve();
      });
    });
    this.child.once('error', (err: NodeJS.ErrnoException) => {
      // Spawning failed (no such interpreter): 'close' follows.
      this.fail(
        err.code === 'ENOENT'
          ? new GymnasiumSetupError(`${options.envId}: no Python interpreter: ${describePython(options.python)} does not exist. Fix: ${setupHint()}`, options.envId)
          : new GymnasiumProcessError(`${options.envId}: could not start ${describePython(options.python)}: ${err.message}`, options.envId, null, null, ''),
      );
    });
    this.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // EPIPE when the child died mid-write: the 'close' handler reports it.
    this.stdin.on('error', () => {});
    // Only the outstanding read keeps Node alive (stdout is ref'd while a request waits).
    (this.stdin as Writable & { unref?: () => void }).unref?.();
    (this.child.stderr as (Readable & { unref?: () => void }) | null)?.unref?.();
    this.child.unref();
    this.idle();
  }

  /** The last lines the child wrote to stderr. */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.alive;
  }

  /**
   * Sends one frame and resolves with the answer's frame; a Python exception rejects with
   * {@link GymnasiumPythonError}, a dead process with {@link GymnasiumProcessError}, no answer
   * within `timeoutMs` with {@link GymnasiumTimeoutError} (after killing the process).
   */
  request(op: string, frame: Uint8Array, timeoutMs: number): Promise<Frame> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending !== null) return Promise.reject(new GymnasiumError(`${this.options.envId}: ${op}() called while ${this.pending.op}() is still running; await each call before the next`, this.options.envId));
    return new Promise<Frame>((resolve, reject) => {
      this.pending = { op, resolve, reject };
      this.busy(timeoutMs);
      this.stdin.write(frame);
      if (this.options.spinMicros > 0) {
        this.spinUntil = performance.now() + this.options.spinMicros / 1000;
        setImmediate(this.spin);
      }
    });
  }

  /**
   * Keeps the event loop turning while an answer is due: with an immediate queued, libuv polls
   * the pipe without sleeping, so the answer is read as soon as it lands instead of after a
   * wake-up. Stops at the answer or after `spinMicros`.
   */
  private readonly spin = (): void => {
    if (this.pending !== null && performance.now() < this.spinUntil) setImmediate(this.spin);
  };

  /**
   * Asks the server to close its envs and exit; kills it if it has not exited after `graceMs`.
   * Resolves once the process is gone. Idempotent.
   */
  async close(graceMs: number): Promise<void> {
    if (!this.closing && this.alive) {
      this.closing = true;
      if (this.pending === null && this.failure === undefined) {
        // The server closes its envs, answers and exits; the answer is not awaited.
        this.stdin.write(encodeFrame({ op: 'close' }));
      }
      this.stdin.end();
      this.child.ref();
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }

  /** Kills the process now (SIGKILL). Synchronous: usable from `process.on('exit')` and finalizers. */
  kill(): void {
    if (!this.alive) return;
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  private busy(timeoutMs: number): void {
    this.deadline = performance.now() + timeoutMs;
    // One timer per process, re-armed per request (refresh() keeps its delay): cheaper than a
    // new setTimeout per step. It is unref'd: the outstanding read keeps Node alive.
    if (this.timer === undefined || this.timeoutMs !== timeoutMs) {
      clearTimeout(this.timer);
      this.timeoutMs = timeoutMs;
      this.timer = setTimeout(() => this.checkDeadline(), timeoutMs);
      this.timer.unref();
    } else {
      this.timer.refresh();
    }
    (this.stdout as Readable & { ref?: () => void }).ref?.();
  }

  private idle(): void {
    (this.stdout as Readable & { unref?: () => void }).unref?.();
  }

  private checkDeadline(): void {
    if (this.pending === null) return;
    const left = this.deadline - performance.now();
    if (left > 1) {
      this.timer?.refresh();
      return;
    }
    const op = this.pending.op;
    this.fail(
      new GymnasiumTimeoutError(
        `${this.options.envId}: ${op}() got no answer from the Python server (pid ${this.pid}) within ${this.timeoutMs} ms, so the process was killed. If the env is just slow, raise the limit (the \`timeoutMs\` option, or \`startTimeoutMs\` for starting); otherwise the env hangs in Python.${this.stderrSuffix()}`,
        this.options.envId,
        op,
        this.timeoutMs,
      ),
    );
    this.kill();
  }

  private onData(chunk: Buffer): void {
    try {
      this.reader.push(chunk, (frame) => this.onFrame(frame));
    } catch (e) {
      this.fail(new GymnasiumProcessError(`${this.options.envId}: the Python server (pid ${this.pid}) sent bytes that are not a frame (${(e as Error).message}); is the server script from another rxrl version?${this.stderrSuffix()}`, this.options.envId, null, null, this.stderrTail));
      this.kill();
    }
  }

  private onFrame(frame: Frame): void {
    const p = this.pending;
    if (p === null) return; // a stray frame after a timeout: the process is being killed anyway
    this.pending = null;
    this.idle();
    const error = frame.header?.['error'] as PythonErrorJSON | undefined;
    if (error === undefined) {
      p.resolve(frame);
      return;
    }
    p.reject(this.pythonError(p.op, error));
  }

  private pythonError(op: string, e: PythonErrorJSON): GymnasiumError {
    const id = this.options.envId;
    if (e.type === 'SetupError') {
      const version = e.versions !== undefined ? ` (Python ${e.versions.python} at ${e.versions.executable})` : '';
      return new GymnasiumSetupError(`${id}: ${e.message}${version}. Fix: ${setupHint()}`, id);
    }
    if (e.type === 'ProtocolError') return new GymnasiumSetupError(`${id}: ${e.message}`, id);
    const where = op === 'make' ? 'creating the env' : `${op}()`;
    const trace = e.traceback.trim() !== '' ? `\nPython traceback:\n${e.traceback.trimEnd()}` : '';
    return new GymnasiumPythonError(`${id}: ${where} raised ${e.type} in Python: ${e.message}${trace}`, id, e.type, e.message, e.traceback);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.alive = false;
    live.delete(this);
    clearTimeout(this.timer);
    if (this.closing && this.failure === undefined) {
      this.failure = new GymnasiumError(`${this.options.envId}: the env was closed`, this.options.envId);
      this.pending?.reject(this.failure);
      this.pending = null;
      return;
    }
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    const during = this.pending !== null ? ` during ${this.pending.op}()` : '';
    this.fail(
      new GymnasiumProcessError(
        `${this.options.envId}: the Python server (pid ${this.pid}, ${describePython(this.options.python)}) ${how}${during}. The env cannot continue: close it and make a new one.${this.stderrSuffix()}`,
        this.options.envId,
        code,
        signal,
        this.stderrTail,
      ),
    );
  }

  /** Marks the process unusable with `error` (the first failure wins) and rejects the outstanding request. */
  private fail(error: GymnasiumError): void {
    this.failure ??= error;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.failure);
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    if (tail === '') return '';
    const lines = tail.split('\n').slice(-20).join('\n');
    return `\nLast lines on its stderr:\n${lines}`;
  }
}

/** The error object the server sends. */
interface PythonErrorJSON {
  readonly type: string;
  readonly module: string;
  readonly message: string;
  readonly traceback: string;
  readonly versions?: { readonly python: string; readonly executable: string };
}
