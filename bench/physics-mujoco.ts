/**
 * MuJoCo's official WebAssembly build (`@mujoco/mujoco`, single-threaded) on the same MJCF files
 * as rxrl's locomotion tasks, for `bench/physics.ts`'s side-by-side: B `MjData` of one `MjModel`
 * stepped in a loop on one core with seeded uniform random controls, `frameSkip` × `mj_step` per
 * env step, and Gymnasium's episode logic (reset with `mj_resetData` when the task's health rule
 * fails or after 1000 env steps). No observations or rewards are computed, so these numbers are
 * an upper bound for a MuJoCo-wasm env; rxrl's include them.
 *
 * The package is a devDependency loaded with a dynamic `import()`, so the bench still runs (and
 * says why) where it is missing or fails to load.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HealthRule } from '../src/envs/locomotion/index.js';
import { Rng } from '../src/core/rng.js';

/** The npm package measured. */
export const MUJOCO_PACKAGE = '@mujoco/mujoco';

/**
 * Arena (constraint and stack memory) of each `MjData`. MuJoCo's default for these models is
 * 6–14 MB per `MjData`, and wasm32's heap stops at 2 GB: about 150 `MjData` fit, not 1024. The
 * tasks use at most ~40 KB (`maxuse_arena` + `maxuse_stack` under random controls), so 256 KB
 * leaves >6× headroom; {@link MujocoRun.maxArenaUse} reports the use of every run, and arena overflow would
 * show up as MuJoCo warnings in {@link MujocoRun.warnings}.
 */
export const ARENA_BYTES = 256 * 1024;

// The parts of the Embind module this bench uses (the package ships full typings; this small
// interface keeps the bench compiling and running when the package is absent).
interface MjOption {
  timestep: number;
  integrator: number;
}
interface MjModel {
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly narena: number;
  readonly opt: MjOption;
  readonly actuator_ctrlrange: Float64Array;
  delete(): void;
}
interface MjWarningStat {
  readonly number: number;
  delete(): void;
}
interface MjWarningStatVec {
  size(): number;
  get(i: number): MjWarningStat | undefined;
}
interface MjData {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
  readonly maxuse_arena: number;
  readonly maxuse_stack: number;
  readonly warning: MjWarningStatVec;
  delete(): void;
}
interface MujocoModule {
  readonly FS: {
    mkdirTree(path: string, mode?: number): void;
    writeFile(path: string, data: string): void;
  };
  readonly MjModel: { from_xml_path(path: string): MjModel };
  readonly MjData: new (model: MjModel) => MjData;
  mj_step(m: MjModel, d: MjData): void;
  mj_resetData(m: MjModel, d: MjData): void;
  mj_versionString(): string;
}

/** A loaded MuJoCo-wasm module, or why there is none. */
export type MujocoLoad = { readonly ok: true; readonly mj: MujocoModule; readonly version: string } | { readonly ok: false; readonly reason: string };

/** Loads and instantiates the wasm module (≈0.5 s); never throws, a failure comes back as `reason`. */
export async function loadMujoco(specifier: string = MUJOCO_PACKAGE): Promise<MujocoLoad> {
  try {
    const imported: unknown = await import(specifier);
    const factory = (imported as { default?: unknown }).default;
    if (typeof factory !== 'function') return { ok: false, reason: `${specifier} has no default export (the Emscripten module factory)` };
    const mj = (await (factory as () => Promise<unknown>)()) as MujocoModule;
    if (typeof mj.mj_step !== 'function' || typeof mj.MjModel?.from_xml_path !== 'function') return { ok: false, reason: `${specifier} loaded but lacks mj_step / MjModel.from_xml_path` };
    return { ok: true, mj, version: mj.mj_versionString() };
  } catch (e: unknown) {
    return { ok: false, reason: `${specifier}: ${e instanceof Error ? e.message : String(e)}`.split('\n')[0] as string };
  }
}

/** What to run: one task's model and step settings. */
export interface MujocoBenchOptions {
  /** MJCF file on the host; written into the wasm virtual file system to be loaded there. */
  readonly xmlPath: string;
  /** `mj_step` calls per env step. */
  readonly frameSkip: number;
  /** Overrides the XML's `<option timestep>` (s); the XML's own when absent. */
  readonly timestep?: number;
  /** Number of `MjData` (worlds), stepped one after another. */
  readonly B: number;
  /** Measuring time after warm-up (s). */
  readonly seconds: number;
  /** Seed of the random controls (a `seedrandom` Alea stream through the project's `Rng`). */
  readonly seed: string;
  /** Health rule of the task on the world's qpos/qvel (called with B = 1, w = 0); `null`: never unhealthy. */
  readonly healthy?: HealthRule | null;
  /** Episode length limit (env steps) before a reset; Gymnasium's 1000 by default. */
  readonly maxEpisodeSteps?: number;
}

/** One measurement. */
export interface MujocoRun {
  readonly envStepsPerSecond: number;
  /** Substep (s) and integrator (0 Euler, 1 RK4, 2 implicit, 3 implicitfast) as run. */
  readonly timestep: number;
  readonly integrator: number;
  /** Resets (unhealthy or time limit) during the measurement. */
  readonly resets: number;
  /** Largest `maxuse_arena` + `maxuse_stack` of any world (bytes), against {@link ARENA_BYTES}. */
  readonly maxArenaUse: number;
  /** MuJoCo warnings raised (contact/constraint buffer full, bad qacc, …) summed over worlds. */
  readonly warnings: number;
}

/**
 * The XML with the arena capped at {@link ARENA_BYTES}: a `<size memory>` element first inside
 * `<mujoco>` (MJCF accepts repeated `<size>` elements; `memory` sets `narena`, overriding half_cheetah's `nstack`).
 */
function withArena(xml: string): string {
  const patched = xml.replace(/<mujoco\b[^>]*>/, (open) => `${open}<size memory="${ARENA_BYTES}"/>`);
  if (patched === xml) throw new Error('no <mujoco> element in the XML');
  return patched;
}

const loaded = new Map<string, string>();

/** Writes the (arena-capped) XML into the virtual FS once per host path; returns its path there. */
function virtualPath(mj: MujocoModule, xmlPath: string): string {
  let vpath = loaded.get(xmlPath);
  if (vpath === undefined) {
    vpath = `/rxrl-bench/${loaded.size}/${path.basename(xmlPath)}`;
    mj.FS.mkdirTree(path.posix.dirname(vpath));
    mj.FS.writeFile(vpath, withArena(readFileSync(xmlPath, 'utf8')));
    loaded.set(xmlPath, vpath);
  }
  return vpath;
}

/** Env-steps per second of B MuJoCo-wasm worlds over about `seconds`, one core. */
export function mujocoEnvStepsPerSecond(mj: MujocoModule, options: MujocoBenchOptions): MujocoRun {
  const { B, frameSkip, seconds } = options;
  const healthy = options.healthy ?? null;
  const maxEpisodeSteps = options.maxEpisodeSteps ?? 1000;
  const model = mj.MjModel.from_xml_path(virtualPath(mj, options.xmlPath));
  const datas: MjData[] = [];
  try {
    const opt = model.opt; // a reference into the model, not a copy
    if (options.timestep !== undefined) opt.timestep = options.timestep;
    const { nq, nv, nu } = model;
    for (let w = 0; w < B; w++) datas.push(new mj.MjData(model));
    // Typed-array views into the wasm heap, taken after every allocation: growing the heap
    // detaches earlier views (writes to them would silently go nowhere). Stepping allocates nothing.
    const qpos = datas.map((d) => d.qpos);
    const qvel = datas.map((d) => d.qvel);
    const ctrl = datas.map((d) => d.ctrl);
    // Eight pre-drawn control batches (as bench/physics.ts does for rxrl): no RNG in the timing.
    const range = model.actuator_ctrlrange;
    const rng = new Rng(options.seed);
    const batches = Array.from({ length: 8 }, () =>
      Float64Array.from({ length: B * nu }, (_, i) => rng.uniformRange(range[2 * (i % nu)] as number, range[2 * (i % nu) + 1] as number)),
    );
    const episodeStep = new Int32Array(B);
    const counter = new Int32Array(B);
    let resets = 0;
    const envStep = (w: number): void => {
      const d = datas[w] as MjData;
      (ctrl[w] as Float64Array).set((batches[(counter[w] as number) % 8] as Float64Array).subarray(w * nu, (w + 1) * nu));
      counter[w] = (counter[w] as number) + 1;
      for (let k = 0; k < frameSkip; k++) mj.mj_step(model, d);
      const t = (episodeStep[w] as number) + 1;
      if (t >= maxEpisodeSteps || (healthy !== null && !healthy(qpos[w] as Float64Array, qvel[w] as Float64Array, 1, 0, nq, nv))) {
        mj.mj_resetData(model, d);
        episodeStep[w] = 0;
        resets++;
      } else episodeStep[w] = t;
    };
    // Warm-up: every world once (first touch of its memory) and at least 0.2 s, which also lets
    // V8 tier the hot wasm functions up from its baseline compiler (the first run measured ~10×
    // too slow without it).
    const warmEnd = performance.now() + 200;
    for (let i = 0; i < B || performance.now() < warmEnd; i++) envStep(i % B);
    resets = 0;
    let w = 0;
    let steps = 0;
    const start = performance.now();
    const deadline = start + seconds * 1000;
    do {
      for (let i = 0; i < 16; i++) {
        envStep(w);
        w = w + 1 === B ? 0 : w + 1;
      }
      steps += 16;
    } while (performance.now() < deadline);
    const elapsed = (performance.now() - start) / 1000;
    if ((ctrl[0] as Float64Array).length !== nu) throw new Error('MjData views were detached by heap growth during the run');
    let maxArenaUse = 0;
    let warnings = 0;
    for (const d of datas) {
      maxArenaUse = Math.max(maxArenaUse, d.maxuse_arena + d.maxuse_stack);
      const vec = d.warning; // a reference into the MjData (deleting it frees MuJoCo's memory)
      for (let i = 0; i < vec.size(); i++) {
        const stat = vec.get(i);
        if (stat !== undefined) {
          warnings += stat.number;
          stat.delete(); // `get` returns a copy
        }
      }
    }
    return { envStepsPerSecond: steps / elapsed, timestep: opt.timestep, integrator: opt.integrator, resets, maxArenaUse, warnings };
  } finally {
    // Embind handles live on the wasm heap, not the JS one: free them, or 1024 worlds per run
    // exhaust the 2 GB heap after a few runs.
    for (const d of datas) d.delete();
    model.delete();
  }
}

/**
 * Steps each model for `seconds` before anything is measured. V8 first runs wasm with its
 * baseline compiler and optimises hot functions in the background: MuJoCo-wasm ran ~8× slower for
 * the first ~0.5 s of a process here, which the per-run warm-up alone does not cover.
 */
export function warmUpMujoco(mj: MujocoModule, xmlPaths: readonly string[], seconds = 0.5): void {
  for (const xmlPath of xmlPaths) mujocoEnvStepsPerSecond(mj, { xmlPath, frameSkip: 1, B: 1, seconds, seed: 'warm-up' });
}
