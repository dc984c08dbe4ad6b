/**
 * Tensor backend selection for TensorFlow.js.
 *
 * rxrl computes with `@tensorflow/tfjs`, whose engine can run on several backends:
 *
 * - `tensorflow` — the TensorFlow C library through `@tensorflow/tfjs-node-gpu` or
 *   `@tensorflow/tfjs-node`. Both are optional and not dependencies of rxrl (their installers
 *   download libtensorflow); `npm run setup:native` builds `@tensorflow/tfjs-node` offline.
 * - `wasm` — `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD where the runtime has it).
 * - `cpu` — plain JavaScript, always available.
 *
 * {@link initBackend} picks and activates one. Everything that computes with tfjs should await
 * it once before building models.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors.js';

/** A tensor backend rxrl can run on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** What {@link initBackend} accepts: a backend, or `'auto'` for the best that loads. */
export type BackendRequest = BackendName | 'auto';
/** Every value {@link initBackend} accepts, in the order `'auto'` tries the backends. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The backend {@link initBackend} activated. */
export interface BackendInfo {
  readonly name: BackendName;
  /** Why this backend: `requested`, or for `'auto'` which backends were skipped and why. */
  readonly reason: string;
  /** `wasm` only: whether the SIMD build of the WebAssembly module was loaded. */
  readonly simd?: boolean;
  /** Version of {@link BackendInfo.package}. */
  readonly version: string;
  /** The package that provides the backend: `@tensorflow/tfjs-node(-gpu)`, `@tensorflow/tfjs-backend-wasm` or `-cpu`. */
  readonly package: string;
  /** `tensorflow` only: version of the TensorFlow C library it runs on. */
  readonly tensorflowVersion?: string;
}

/** Fix printed when the native backend is missing or broken. */
const NATIVE_FIX = 'run `npm run setup:native` to build @tensorflow/tfjs-node offline (again after each `npm ci`)';
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

const require = createRequire(import.meta.url);

/** Outcome of loading one backend: kept, so each backend is loaded at most once per process. */
interface Loaded extends Omit<BackendInfo, 'reason'> {
  /** Something the user should know although the backend works; appended to the reason. */
  readonly note?: string;
}

function withReason({ note, ...loaded }: Loaded, reason: string): BackendInfo {
  return { ...loaded, reason: note === undefined ? reason : `${reason}; note: ${note}` };
}

/** Thrown inside loaders: the backend cannot be used, with a one-line reason and a fix. */
class Unavailable extends Error {
  constructor(
    readonly reason: string,
    readonly fix: string,
  ) {
    super(reason);
  }
}

const loads = new Map<BackendName, Promise<Loaded>>();
let autoChoice: Promise<BackendInfo> | undefined;
/** What initBackend last activated and logged, so repeated calls stay silent. */
let lastActivated: BackendName | undefined;

/**
 * Loads and activates a tensor backend, and returns which one runs.
 *
 * `'auto'` (the default) takes the first of `tensorflow`, `wasm`, `cpu` that loads and logs, in
 * one line, the choice and why faster ones were skipped. A named backend that cannot load throws
 * a {@link ConfigError} naming it, the reason and the fix. Idempotent: each backend is loaded at
 * most once per process, `'auto'` decides once, and repeated calls only re-activate (and log only
 * when the active backend changes).
 *
 * Side effects, all through supported switches:
 * - before loading `tensorflow`: `TF_ENABLE_ONEDNN_OPTS=0` (faster at RL's small batches, and
 *   avoids a oneDNN convolution-gradient bug) and `TF_CPP_MIN_LOG_LEVEL=1` (hides TensorFlow's
 *   start-up INFO lines), each only if the environment does not set it already;
 * - on `cpu`: tfjs's production mode (`tf.enableProdMode()`), the only supported way to silence its
 *   "install our node backend" banner. It also silences tfjs's other console warnings; call
 *   `tf.env().set('PROD', false)` afterwards to get them back.
 *
 * `@tensorflow/tfjs-node` registers its kernels into the `@tensorflow/tfjs` it resolves. rxrl
 * checks, before importing it, that this is the tfjs-core rxrl uses (same version; the same
 * files once deduplicated) and refuses a mismatched version with a ConfigError.
 */
export async function initBackend(requested: BackendRequest = 'auto', log: (msg: string) => void = defaultLog): Promise<BackendInfo> {
  if (!(BACKEND_REQUESTS as readonly unknown[]).includes(requested)) {
    throw new ConfigError(
      `initBackend: unknown tensor backend ${JSON.stringify(requested)}; expected one of ${BACKEND_REQUESTS.map((r) => `'${r}'`).join(', ')}`,
    );
  }
  let info: BackendInfo;
  if (requested === 'auto') {
    autoChoice ??= chooseAuto();
    try {
      info = await autoChoice;
    } catch (err) {
      autoChoice = undefined;
      throw err;
    }
  } else {
    let loaded: Loaded;
    try {
      loaded = await load(requested);
    } catch (err) {
      if (err instanceof Unavailable) {
        throw new ConfigError(`tensor backend '${requested}' cannot be used: ${err.reason}. Fix: ${err.fix}`);
      }
      throw err;
    }
    info = withReason(loaded, 'requested');
  }
  await activate(info.name);
  if (lastActivated !== info.name) {
    lastActivated = info.name;
    log(describeBackend(info));
  }
  return info;
}

/** One-line description of a backend choice, as initBackend logs it. */
export function describeBackend(info: BackendInfo): string {
  const details = [
    `${info.package} ${info.version}`,
    ...(info.tensorflowVersion !== undefined ? [`TensorFlow ${info.tensorflowVersion}`] : []),
    ...(info.simd !== undefined ? [info.simd ? 'SIMD' : 'no SIMD'] : []),
  ];
  return `rxrl: tensor backend ${info.name} (${details.join(', ')}) — ${info.reason}`;
}

function defaultLog(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

async function chooseAuto(): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      const loaded = await load(name);
      return withReason(loaded, skipped.length === 0 ? 'auto: the fastest backend' : `auto; skipped ${skipped.join('; ')}`);
    } catch (err) {
      if (!(err instanceof Unavailable)) throw err;
      skipped.push(`${name}: ${err.reason}, fix: ${err.fix}`);
    }
  }
  // cpu is registered by @tensorflow/tfjs itself, so this only happens if something removed it.
  throw new ConfigError(`initBackend: no tensor backend could be loaded; ${skipped.join('; ')}`);
}

function load(name: BackendName): Promise<Loaded> {
  let pending = loads.get(name);
  if (pending === undefined) {
    pending = name === 'tensorflow' ? loadTensorflow() : name === 'wasm' ? loadWasm() : loadCpu();
    loads.set(name, pending);
  }
  return pending;
}

async function activate(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
    throw new ConfigError(`tensor backend '${name}' loaded but tf.setBackend('${name}') failed (tfjs printed the reason above)`);
  }
  await tf.ready();
  if (name === 'cpu') tf.enableProdMode();
}

async function loadCpu(): Promise<Loaded> {
  if (tf.findBackendFactory('cpu') === null) {
    throw new Unavailable('@tensorflow/tfjs has no cpu backend registered', 'reinstall @tensorflow/tfjs (`npm ci`)');
  }
  return { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', version: tf.version['tfjs-backend-cpu'] };
}

let wasmPathsSet = false;

async function loadWasm(): Promise<Loaded> {
  const fix = 'reinstall @tensorflow/tfjs-backend-wasm (`npm ci`)';
  let entry: string;
  try {
    entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  } catch {
    throw new Unavailable('@tensorflow/tfjs-backend-wasm is not installed', fix);
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    // Tell the loader where the .wasm files are, whatever bundler or test runner loaded the JS.
    const dir = path.dirname(entry);
    const missing = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length > 0) throw new Unavailable(`${missing.join(' and ')} missing in ${dir}`, fix);
    wasm.setWasmPaths(dir + path.sep);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) {
    throw new Unavailable('the WebAssembly module failed to initialise (tfjs printed the error above)', fix);
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', simd: simd === true, version: wasm.version_wasm };
}

interface TfjsCore {
  readonly path: string;
  readonly version: string;
}

/** The @tensorflow/tfjs-core that `@tensorflow/tfjs`, resolved from `fromFile`, uses. */
function tfjsCoreFrom(fromFile: string): TfjsCore {
  const tfjsEntry = createRequire(fromFile).resolve('@tensorflow/tfjs');
  const corePkg = createRequire(tfjsEntry).resolve('@tensorflow/tfjs-core/package.json');
  const version = (JSON.parse(readFileSync(corePkg, 'utf8')) as { version: string }).version;
  return { path: path.dirname(corePkg), version };
}

interface NativeModule {
  readonly version: Readonly<Record<string, string>>;
}

async function loadTensorflow(): Promise<Loaded> {
  const problems: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    let pkgJson: string;
    try {
      pkgJson = require.resolve(`${pkg}/package.json`);
    } catch {
      continue; // not installed; the other package may be
    }
    const pkgVersion = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
    // Same tfjs-core? tfjs keeps its engine and kernel registry on globalThis, so two copies of
    // one version still share them, but a second copy of another version would mix code.
    const ours = tfjsCoreFrom(require.resolve('@tensorflow/tfjs'));
    let theirs: TfjsCore;
    try {
      theirs = tfjsCoreFrom(pkgJson);
    } catch {
      problems.push(`${pkg} ${pkgVersion} cannot resolve @tensorflow/tfjs`);
      continue;
    }
    if (theirs.version !== ours.version || theirs.version !== tf.version_core) {
      throw new Unavailable(
        `${pkg} ${pkgVersion} uses @tensorflow/tfjs-core ${theirs.version} (${theirs.path}) but rxrl uses ${tf.version_core} (${ours.path}), so its kernels would run against another tfjs-core`,
        `install ${pkg}@${tf.version_core}, the version matching @tensorflow/tfjs (\`npm run setup:native\` does), and check that \`npm ls @tensorflow/tfjs-core\` lists one version`,
      );
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      // TensorFlow reads these when its library loads, i.e. during the import below.
      process.env['TF_ENABLE_ONEDNN_OPTS'] ??= '0';
      process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '1';
      const previous = tf.getBackend();
      try {
        const specifier: string = pkg; // a variable: tsc needs no types for this optional package
        const mod = (await import(specifier)) as NativeModule;
        const core = mod.version['tfjs-core'];
        if (core !== tf.version_core) {
          throw new Error(`it loaded @tensorflow/tfjs-core ${String(core)}, not rxrl's ${tf.version_core}`);
        }
        if (tf.findBackendFactory('tensorflow') === null) {
          throw new Error(`it did not register a 'tensorflow' backend in the tfjs-core rxrl uses (${ours.path})`);
        }
      } catch (err) {
        const first = ((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '').replace(/[\s.]+$/, '');
        problems.push(`${pkg} ${pkgVersion} failed to load: ${first.slice(0, 300)}`);
        // tfjs-node selects its backend on import; do not leave a broken one active.
        if (previous !== undefined && tf.getBackend() !== previous) await tf.setBackend(previous);
        continue;
      }
    }
    if (!(await tf.setBackend('tensorflow'))) {
      problems.push(`${pkg} ${pkgVersion} is installed but its backend failed to initialise (tfjs printed the error above)`);
      continue;
    }
    const binding = (tf.backend() as unknown as { binding?: { TF_Version?: unknown } }).binding;
    const tfVersion = binding?.TF_Version;
    return {
      name: 'tensorflow',
      version: pkgVersion,
      package: pkg,
      ...(typeof tfVersion === 'string' ? { tensorflowVersion: tfVersion } : {}),
      ...(theirs.path !== ours.path
        ? {
            note: `${pkg} loads its own copy of @tensorflow/tfjs-core ${theirs.version} (${theirs.path}); it works because tfjs keeps one engine on globalThis, but \`npm dedupe\` would save the second copy`,
          }
        : {}),
    };
  }
  throw new Unavailable(problems.length > 0 ? problems.join('; ') : '@tensorflow/tfjs-node is not installed', NATIVE_FIX);
}
