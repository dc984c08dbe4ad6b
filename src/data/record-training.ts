/**
 * Recording the transitions of a training run (D4RL's medium-replay is the replay buffer of
 * the run that trained the medium policy) without touching the training loop.
 *
 * `train()` exposes episodes and updates as events, not transitions, and builds its envs from
 * an env id. So the recording goes in at the env: the private namespace `rxrl-record:ID` builds
 * exactly `make(ID)`, and, when a recording has been armed with {@link recordNextVectorEnv}, puts a
 * {@link TransitionRecorder} directly above the first vector env it builds — the training env,
 * which `train()` builds before its evaluation env — so the recorder sees raw observations and
 * rewards below the run's normalisers. Everything else about the run is unchanged.
 *
 * A run trained under `rxrl-record:ID` keeps that id in its checkpoints; it resolves to the
 * plain `ID` in any process that loads rxrl's data module (the `rxrl` CLI and `import 'rxrl'`
 * do), so the run can be evaluated, resumed and used as a dataset policy as usual.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import type { AnyEnv } from '../envs/env.js';
import '../envs/index.js';
import { make, registerNamespace, registration, type MakeOptions, type MakeVecOptions } from '../envs/registry.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { TransitionRecorder } from './transition-recorder.js';
import type { TransitionSink } from './transitions.js';

/** The namespace prefix of recorded envs. */
export const RECORD_NAMESPACE = 'rxrl-record';

/** `rxrl-record:ID` for `ID`. */
export function recordedEnvId(id: string): string {
  return `${RECORD_NAMESPACE}:${id}`;
}

/** `ID` for `rxrl-record:ID` (any other id unchanged). */
export function unrecordedEnvId(id: string): string {
  const prefix = `${RECORD_NAMESPACE}:`;
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}

/** Sinks waiting for the next vector env built under each inner id, first armed first served. */
const armed = new Map<string, ((env: VectorEnv) => TransitionSink)[]>();

/** A pending recording; {@link disarm} it if the run never builds its env. */
export interface ArmedRecording {
  /** The env id to train on: `rxrl-record:ID`. */
  readonly envId: string;
  /** Withdraws the recording if it has not started. */
  disarm(): void;
}

/**
 * Arms a recording: the next vector env built as `rxrl-record:ID` gets a {@link TransitionRecorder}
 * whose sink `makeSink` creates from that env (so the sink can size itself from its spaces).
 * Train on the returned `envId`.
 *
 * @example
 * let builder: DatasetBuilder | undefined;
 * const rec = recordNextVectorEnv('rxrl/Hopper-v0', (env) => (builder = new DatasetBuilder({ … })));
 * const run = train({ config: { ...config, env: rec.envId } });
 */
export function recordNextVectorEnv(id: string, makeSink: (env: VectorEnv) => TransitionSink): ArmedRecording {
  registration(id); // fail now, with the registry's message, for an unknown id
  const queue = armed.get(id) ?? [];
  queue.push(makeSink);
  armed.set(id, queue);
  return {
    envId: recordedEnvId(id),
    disarm() {
      const q = armed.get(id);
      const k = q?.indexOf(makeSink) ?? -1;
      if (q !== undefined && k >= 0) q.splice(k, 1);
    },
  };
}

function build(name: string, options: Readonly<Record<string, unknown>>): AnyEnv | VectorEnv {
  if (name.startsWith(`${RECORD_NAMESPACE}:`)) throw new ConfigError(`${RECORD_NAMESPACE}: nested recording ids are not supported ("${name}")`);
  if (options['numEnvs'] === undefined) return make(name, options as MakeOptions);
  const env = make(name, options as MakeVecOptions);
  const makeSink = armed.get(name)?.shift();
  return makeSink === undefined ? env : new TransitionRecorder(env, makeSink(env));
}

registerNamespace(RECORD_NAMESPACE, {
  registration: (name) => ({ ...registration(name), id: recordedEnvId(name) }),
  make: build,
});
