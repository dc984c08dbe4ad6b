import { RxrlError } from '../../core/errors.js';

/** Base class of every failure of the Gymnasium bridge. `envId` is the bridged id, e.g. `gymnasium:CartPole-v1`. */
export class GymnasiumError extends RxrlError {
  constructor(
    message: string,
    readonly envId: string,
  ) {
    super(message);
  }
}

/** A Python exception raised by the environment (in `gymnasium.make`, `reset`, `step`, `render` or `close`). */
export class GymnasiumPythonError extends GymnasiumError {
  constructor(
    message: string,
    envId: string,
    /** The exception's class name, e.g. `ValueError` or `NameNotFound`. */
    readonly pythonType: string,
    /** The exception's message alone. */
    readonly pythonMessage: string,
    /** The complete Python traceback, as `traceback.format_exception` prints it. */
    readonly pythonTraceback: string,
  ) {
    super(message, envId);
  }
}

/** The server process could not start, or died (crash, kill, out of memory). The env is unusable: close it and make a new one. */
export class GymnasiumProcessError extends GymnasiumError {
  constructor(
    message: string,
    envId: string,
    /** The process's exit code, when it exited on its own. */
    readonly exitCode: number | null,
    /** The signal that ended it, when one did. */
    readonly signal: NodeJS.Signals | null,
    /** The last lines the process wrote to stderr. */
    readonly stderr: string,
  ) {
    super(message, envId);
  }
}

/** A request got no answer within its time limit; the process was killed. */
export class GymnasiumTimeoutError extends GymnasiumError {
  constructor(
    message: string,
    envId: string,
    /** The operation that hung: `start`, `reset`, `step`, `render` or `close`. */
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(message, envId);
  }
}

/** The Python side is missing or unusable (no interpreter, no gymnasium, a version mismatch). The message names the fix. */
export class GymnasiumSetupError extends GymnasiumError {}
