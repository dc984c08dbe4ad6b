import { spawnSync } from 'node:child_process';
import { resolvePython } from '../../src/envs/gymnasium/index.js';
import { createDataset, type OfflineDataset } from '../../src/data/index.js';
import { Rng } from '../../src/core/rng.js';

/** The Python that has h5py (the bridge's venv first, as `resolvePython()` finds it), or why there is none. */
export function h5pyPython(): { readonly python: string } | { readonly skip: string } {
  const { command } = resolvePython();
  const probe = spawnSync(command, ['-c', 'import h5py, numpy'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error !== undefined) return { skip: `${command} did not run (${probe.error.message})` };
  if (probe.status !== 0) return { skip: `h5py does not import in ${command}: ${probe.stderr.trim().split('\n').at(-1) ?? ''}` };
  return { python: command };
}

/** Runs a Python snippet, throwing with its stderr when it fails. */
export function runPython(python: string, code: string, args: readonly string[] = []): string {
  const r = spawnSync(python, ['-c', code, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Empty per-column lists of a dataset under construction. */
function transitionLists() {
  return { obs: [] as number[], next: [] as number[], actions: [] as number[], rewards: [] as number[], terminals: [] as number[], timeouts: [] as number[] };
}

/**
 * A chain MDP of 5 states (one-hot observations), actions left/right, data from the uniform
 * policy starting in state 0, episodes of at most 20 steps cut by a time limit. Reward 1 for
 * entering state 4; with `terminal`, entering it also ends the episode.
 */
export function chainDataset(seed: string, episodes: number, terminal: boolean) {
  const S = 5;
  const rng = new Rng(seed);
  const { obs, next, actions, rewards, terminals, timeouts } = transitionLists();
  const onehot = (s: number) => Array.from({ length: S }, (_, j) => (j === s ? 1 : 0));
  for (let ep = 0; ep < episodes; ep++) {
    let s = 0;
    for (let t = 0; t < 20; t++) {
      const a = rng.int(2);
      const s2 = a === 1 ? Math.min(S - 1, s + 1) : Math.max(0, s - 1);
      const end = terminal && s2 === S - 1;
      obs.push(...onehot(s));
      next.push(...onehot(s2));
      actions.push(a);
      rewards.push(s2 === S - 1 ? 1 : 0);
      terminals.push(end ? 1 : 0);
      timeouts.push(!end && t === 19 ? 1 : 0);
      s = s2;
      if (end) break;
    }
  }
  return createDataset({ observations: obs, nextObservations: next, actions: Int32Array.from(actions), rewards, terminals, timeouts });
}

/** A dataset of `episodes` random episodes (lengths 3–9, alternately terminated and cut), seeded. */
export function randomDataset(seed: number, episodes = 5, obsDim = 4, actDim = 2): OfflineDataset {
  const rng = new Rng(seed);
  const { obs, next, actions, rewards, terminals, timeouts } = transitionLists();
  for (let e = 0; e < episodes; e++) {
    const length = 3 + rng.int(7);
    let o = Array.from({ length: obsDim }, () => rng.normal());
    for (let t = 0; t < length; t++) {
      const n = o.map((v) => v + 0.1 * rng.normal());
      obs.push(...o);
      next.push(...n);
      for (let j = 0; j < actDim; j++) actions.push(rng.uniformRange(-1, 1));
      rewards.push(rng.normal());
      const last = t === length - 1;
      terminals.push(last && e % 2 === 0 ? 1 : 0);
      timeouts.push(last && e % 2 === 1 ? 1 : 0);
      o = n;
    }
  }
  return createDataset({
    observations: Float32Array.from(obs),
    nextObservations: Float32Array.from(next),
    actions: Float32Array.from(actions),
    rewards: Float32Array.from(rewards),
    terminals: Uint8Array.from(terminals),
    timeouts: Uint8Array.from(timeouts),
    observationShape: [obsDim],
    metadata: { envId: 'rxrl/Hopper-v0', recipe: 'test', seed },
  });
}

/** The bytes of a typed array, for bit-exact comparisons (NaN payloads and −0 included). */
export const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
