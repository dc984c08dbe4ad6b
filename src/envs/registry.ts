import { ConfigError, UnknownEnvError } from '../core/errors.js';
import { closeMatches } from '../core/text.js';
import type { AnyEnv, EnvSpec } from './env.js';
import { TimeLimit } from './wrappers/time-limit.js';
import { SyncVectorEnv } from './vector/sync-vector-env.js';
import type { VectorEnv } from './vector/vector-env.js';

/** Keyword arguments passed to an env's constructor. */
export type EnvKwargs = Readonly<Record<string, unknown>>;

/** How a registered environment is built. */
export interface EnvRegistration {
  /** Unique id, Gymnasium style: `Name-vN`, optionally namespaced (`rxrl/KeyDoor-v0`). */
  readonly id: string;
  /** Builds one env (without its time limit: `make()` adds `TimeLimit` from `maxEpisodeSteps`). */
  readonly entryPoint: (kwargs: EnvKwargs) => AnyEnv;
  /**
   * Optional native batched implementation, used by `make(id, { numEnvs })`. It must apply
   * `maxEpisodeSteps` itself and behave like N time-limited copies of `entryPoint`.
   */
  readonly vectorEntryPoint?: (numEnvs: number, kwargs: EnvKwargs, spec: EnvSpec) => VectorEnv;
  readonly maxEpisodeSteps?: number;
  readonly rewardThreshold?: number;
  /** Default keyword arguments, overridden by those given to `make()`. */
  readonly kwargs?: EnvKwargs;
  /** One line shown by `rxrl envs`. */
  readonly description?: string;
}

/** How `make(id, { numEnvs })` vectorises: the env's native batched form, N instances in this thread, or N worker threads. */
export type Vectorization = 'auto' | 'native' | 'sync' | 'worker';

/** Options of {@link make} that are not env keyword arguments. */
export interface MakeOptionsBase {
  /** Override the registered time limit (`null` removes it). */
  readonly maxEpisodeSteps?: number | null;
}

/** Options of {@link make} for a single env. Any other key is passed to the env as a keyword argument. */
export interface MakeOptions extends MakeOptionsBase {
  readonly numEnvs?: undefined;
  /** Applied in order, outermost last, after `TimeLimit`. */
  readonly wrappers?: readonly ((env: AnyEnv) => AnyEnv)[];
  readonly [kwarg: string]: unknown;
}

/** Options of {@link make} for a vector env. Any other key is passed to each copy as a keyword argument. */
export interface MakeVecOptions extends MakeOptionsBase {
  readonly numEnvs: number;
  readonly vectorization?: Vectorization;
  /** Vector wrappers, applied in order, outermost last. */
  readonly wrappers?: readonly ((env: VectorEnv) => VectorEnv)[];
  readonly [kwarg: string]: unknown;
}

const RESERVED = new Set(['numEnvs', 'wrappers', 'maxEpisodeSteps', 'vectorization']);
const registry = new Map<string, EnvRegistration>();

/**
 * A family of envs addressed as `prefix:name` and built on demand rather than registered one by
 * one (the Python bridge's `gymnasium:CartPole-v1`). Registered ids take precedence.
 */
export interface EnvNamespace {
  /** What `registration("prefix:name")` returns (spec data: time limit, reward threshold). */
  registration(name: string): EnvRegistration;
  /** Builds `prefix:name` for `make()`, which passes its options unchanged. */
  make(name: string, options: Readonly<Record<string, unknown>>): AnyEnv | VectorEnv;
}

const namespaces = new Map<string, EnvNamespace>();

/** Routes ids `prefix:…` that are not registered to `namespace` (e.g. `gymnasium`). */
export function registerNamespace(prefix: string, namespace: EnvNamespace): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(prefix)) throw new ConfigError(`registerNamespace: prefix "${prefix}" must be a word (letters, digits, _ and -)`);
  namespaces.set(prefix, namespace);
}

/** The namespace and name of an unregistered `prefix:name` id, if its prefix has a namespace. */
function namespaceOf(id: string): { namespace: EnvNamespace; name: string } | undefined {
  if (registry.has(id)) return undefined;
  const colon = id.indexOf(':');
  if (colon < 1) return undefined;
  const namespace = namespaces.get(id.slice(0, colon));
  return namespace === undefined ? undefined : { namespace, name: id.slice(colon + 1) };
}

/** Registers an environment so `make()` can build it with the same wrappers, vectorisation and checks as the built-ins. */
export function register(registration: EnvRegistration, options: { readonly override?: boolean } = {}): void {
  if (!/^[A-Za-z0-9_./:-]+$/.test(registration.id)) throw new ConfigError(`register: env id "${registration.id}" may only contain letters, digits and _ . / : -`);
  if (registry.has(registration.id) && options.override !== true) {
    throw new ConfigError(`register: env id "${registration.id}" is already registered; pass { override: true } to replace it`);
  }
  const { maxEpisodeSteps } = registration;
  if (maxEpisodeSteps !== undefined && (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1)) {
    throw new ConfigError(`register: maxEpisodeSteps of "${registration.id}" must be a positive integer, got ${maxEpisodeSteps}`);
  }
  registry.set(registration.id, registration);
}

/** Removes a registration (e.g. a test's temporary env). Returns whether it existed. */
export function unregister(id: string): boolean {
  return registry.delete(id);
}

/** Ids of every registered environment, sorted. */
export function registeredIds(): string[] {
  return [...registry.keys()].sort();
}

/** The registration of `id`; throws {@link UnknownEnvError} listing close matches. */
export function registration(id: string): EnvRegistration {
  const found = registry.get(id);
  if (found !== undefined) return found;
  const ns = namespaceOf(id);
  if (ns !== undefined) return ns.namespace.registration(ns.name);
  const near = closeMatches(id, registeredIds());
  const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
  const prefixed = [...namespaces.keys()].map((p) => `"${p}:${id}"`);
  const other = prefixed.length > 0 && !id.includes(':') ? ` Envs of other libraries are addressed as ${prefixed.join(' or ')}.` : '';
  throw new UnknownEnvError(`Unknown env id "${id}".${hint} Registered: ${registeredIds().length} envs (list them with \`npx rxrl envs\`).${other}`);
}

function splitOptions(reg: EnvRegistration, options: Readonly<Record<string, unknown>>): { kwargs: EnvKwargs; spec: EnvSpec } {
  const kwargs: Record<string, unknown> = { ...reg.kwargs };
  for (const [k, v] of Object.entries(options)) if (!RESERVED.has(k) && v !== undefined) kwargs[k] = v;
  const override = options['maxEpisodeSteps'] as number | null | undefined;
  const maxEpisodeSteps = override === null ? undefined : (override ?? reg.maxEpisodeSteps);
  if (maxEpisodeSteps !== undefined && (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1)) {
    throw new ConfigError(`make("${reg.id}"): maxEpisodeSteps must be a positive integer or null, got ${String(maxEpisodeSteps)}`);
  }
  const spec: EnvSpec = {
    id: reg.id,
    ...(maxEpisodeSteps !== undefined ? { maxEpisodeSteps } : {}),
    ...(reg.rewardThreshold !== undefined ? { rewardThreshold: reg.rewardThreshold } : {}),
    kwargs,
  };
  return { kwargs, spec };
}

function makeSingle(reg: EnvRegistration, kwargs: EnvKwargs, spec: EnvSpec): AnyEnv {
  const base = reg.entryPoint(kwargs);
  base.spec = spec;
  const env = spec.maxEpisodeSteps !== undefined ? new TimeLimit(base, spec.maxEpisodeSteps) : base;
  env.spec = spec;
  return env;
}

/**
 * Builds a registered environment, Gymnasium's `gym.make`. With `numEnvs` it returns a
 * {@link VectorEnv}: the native batched form where the env has one, otherwise `numEnvs`
 * instances in a {@link SyncVectorEnv}. Keys other than the documented options are passed
 * to the env as keyword arguments.
 *
 * Ids of a registered namespace are routed to it: `gymnasium:ID` builds Gymnasium's env in a
 * Python process (`GymnasiumEnv`, or `GymnasiumVectorEnv` with `numEnvs`; its keyword arguments
 * go in `kwargs`).
 *
 * @example
 * const env = make('CartPole-v1');
 * const venv = make('Pendulum-v1', { numEnvs: 8, g: 9.81 });
 * const hopper = make('gymnasium:Hopper-v5', { numEnvs: 8, processes: 2 });
 */
export function make(id: string, options: MakeVecOptions): VectorEnv;
export function make(id: string, options?: MakeOptions): AnyEnv;
export function make(id: string, options: MakeOptions | MakeVecOptions = {}): AnyEnv | VectorEnv {
  const ns = namespaceOf(id);
  if (ns !== undefined) return ns.namespace.make(ns.name, options);
  const reg = registration(id);
  const { kwargs, spec } = splitOptions(reg, options);
  if (options.numEnvs === undefined) {
    const wrappers = (options.wrappers ?? []) as readonly ((env: AnyEnv) => AnyEnv)[];
    return wrappers.reduce((env, wrap) => wrap(env), makeSingle(reg, kwargs, spec));
  }
  const vecOptions = options as MakeVecOptions;
  const { numEnvs } = vecOptions;
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new ConfigError(`make("${id}"): numEnvs must be a positive integer, got ${String(numEnvs)}`);
  const mode = vecOptions.vectorization ?? 'auto';
  let venv: VectorEnv;
  if (mode === 'native' || (mode === 'auto' && reg.vectorEntryPoint !== undefined)) {
    if (reg.vectorEntryPoint === undefined) throw new ConfigError(`make("${id}"): vectorization "native" is not available for this env; use "sync" or "worker"`);
    venv = reg.vectorEntryPoint(numEnvs, kwargs, spec);
  } else if (mode === 'worker') {
    throw new ConfigError(`make("${id}"): vectorization "worker" is created with WorkerVectorEnv.create(), which is asynchronous`);
  } else {
    venv = new SyncVectorEnv(Array.from({ length: numEnvs }, () => makeSingle(reg, kwargs, spec)));
  }
  return (vecOptions.wrappers ?? []).reduce((v, wrap) => wrap(v), venv);
}
