/**
 * The Python Gymnasium bridge: any Gymnasium environment (MuJoCo, Box2D, Atari, your own) in a
 * Python child process, behind rxrl's async Env/VectorEnv API. Importing this module routes
 * `make('gymnasium:ID')` to it.
 */
import { registerNamespace } from '../registry.js';
import { gymnasiumNamespace } from './namespace.js';

registerNamespace('gymnasium', gymnasiumNamespace);

export { GymnasiumEnv, gymnasiumId } from './gymnasium-env.js';
export { GymnasiumVectorEnv } from './gymnasium-vector-env.js';
export { GymnasiumError, GymnasiumProcessError, GymnasiumPythonError, GymnasiumSetupError, GymnasiumTimeoutError } from './errors.js';
export type { GymnasiumOptions, GymnasiumVectorOptions } from './options.js';
export type { RenderedFrame, RenderResult } from './render.js';
export { gymnasiumSeed } from './convert.js';
export { listGymnasiumEnvs, type GymnasiumListing } from './list.js';
export { liveServerCount } from './server-process.js';
export { probePython, resolvePython, SERVER_SCRIPT, type PythonChoice, type PythonProbe, type PythonSource, type ProbeResult } from './python.js';
