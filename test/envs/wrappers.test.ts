import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvStateError, InvalidActionError, SpaceMismatchError } from '../../src/core/errors.js';
import { isPromiseLike, type MaybePromise } from '../../src/core/maybe-promise.js';
import { Box, Dict, Discrete, type Space } from '../../src/core/spaces.js';
import type { Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from '../../src/envs/env.js';
import {
  EMPTY_INFO,
  type BatchedActions,
  type VectorEnv,
  type VectorResetOptions,
  type VectorResetResult,
  type VectorStepResult,
} from '../../src/envs/vector/vector-env.js';
import {
  ClipAction,
  FlattenObservation,
  FrameStack,
  MaskObservation,
  NormalizeObservation,
  NormalizeReward,
  RecordEpisodeStatistics,
  RescaleAction,
  RunningMeanStd,
  TimeLimit,
  TransformObservation,
  TransformReward,
  VectorClipAction,
  VectorFrameStack,
  VectorMaskObservation,
  VectorNormalizeObservation,
  VectorNormalizeReward,
  VectorRecordEpisodeStatistics,
  VectorRescaleAction,
  VectorWrapper,
  Wrapper,
  type EpisodeStatistics,
} from '../../src/envs/wrappers/index.js';

// ---------------------------------------------------------------------------
// Toy environments: small, deterministic, fully known trajectories.
// ---------------------------------------------------------------------------

/** Observation of a toy env at step `t` of episode `ep` (copy `copy` for the vector env). */
function toyObs(copy: number, ep: number, t: number): Float32Array {
  return Float32Array.of(copy * 10 + t, 0.5 * t * t + ep, Math.sin(copy + 3 * t + ep));
}

/** Reward of the step that reaches `t`. */
function toyReward(copy: number, t: number): number {
  return copy + 1 + 0.25 * t * (t % 3);
}

const FROZEN_INFO: Info = Object.freeze({});

/** Sync env: 3-D Box observations, 2-D Box(-2, 2) actions, terminates after `episodeLength` steps. */
class ToyEnv implements Env<Float32Array, Float32Array> {
  readonly observationSpace = new Box([-10, -20, -30], [10, 20, 30]);
  readonly actionSpace = new Box(-2, 2, [2]);
  spec: EnvSpec | undefined = { id: 'Toy-v0' };
  lastAction: Float32Array | undefined;
  closed = false;
  private t = 0;
  private ep = -1;

  constructor(readonly episodeLength = 1000) {}

  reset(_options?: ResetOptions): ResetResult<Float32Array> {
    this.t = 0;
    this.ep++;
    return { observation: toyObs(0, this.ep, 0), info: FROZEN_INFO };
  }

  step(action: Float32Array): StepResult<Float32Array> {
    this.lastAction = action;
    this.t++;
    return {
      observation: toyObs(0, this.ep, this.t),
      reward: toyReward(0, this.t),
      terminated: this.t >= this.episodeLength,
      truncated: false,
      info: FROZEN_INFO,
    };
  }

  close(): void {
    this.closed = true;
  }
}

/** The same env, answering with promises (like a bridged env). */
class AsyncToyEnv implements Env<Float32Array, Float32Array> {
  readonly inner: ToyEnv;
  spec: EnvSpec | undefined = undefined;

  constructor(episodeLength = 1000) {
    this.inner = new ToyEnv(episodeLength);
  }

  get observationSpace(): Space<Float32Array> {
    return this.inner.observationSpace;
  }

  get actionSpace(): Space<Float32Array> {
    return this.inner.actionSpace;
  }

  async reset(options?: ResetOptions): Promise<ResetResult<Float32Array>> {
    await Promise.resolve();
    return this.inner.reset(options);
  }

  async step(action: Float32Array): Promise<StepResult<Float32Array>> {
    await Promise.resolve();
    return this.inner.step(action);
  }

  async close(): Promise<void> {}
}

/**
 * Minimal same-step-autoreset vector env: copy i terminates (or, where `truncates[i]`,
 * is truncated) every `lengths[i]` steps. Arrays are preallocated and reused.
 */
class ToyVectorEnv implements VectorEnv {
  readonly singleObservationSpace = new Box([-10, -20, -30], [10, 20, 30]);
  readonly singleActionSpace = new Box(-2, 2, [2]);
  readonly observationSize = 3;
  readonly actionSize = 2;
  readonly spec: EnvSpec | undefined = undefined;
  readonly numEnvs: number;
  lastActions: Float32Array | undefined;
  readonly t: Int32Array;
  readonly ep: Int32Array;
  readonly result: VectorStepResult;
  private readonly obs: Float32Array;
  private readonly finalObs: Float32Array;
  private readonly rewards: Float64Array;
  private readonly term: Uint8Array;
  private readonly trunc: Uint8Array;
  private readonly finalInfos: (Info | undefined)[];
  private readonly infos: Info[];

  constructor(
    readonly lengths: readonly number[],
    readonly truncates: readonly boolean[] = lengths.map(() => false),
  ) {
    const n = lengths.length;
    this.numEnvs = n;
    this.t = new Int32Array(n);
    this.ep = new Int32Array(n);
    this.obs = new Float32Array(n * 3);
    this.finalObs = new Float32Array(n * 3);
    this.rewards = new Float64Array(n);
    this.term = new Uint8Array(n);
    this.trunc = new Uint8Array(n);
    this.finalInfos = new Array<Info | undefined>(n).fill(undefined);
    this.infos = new Array<Info>(n).fill(EMPTY_INFO);
    this.result = {
      observations: this.obs,
      rewards: this.rewards,
      terminated: this.term,
      truncated: this.trunc,
      finalObservations: this.finalObs,
      finalInfos: this.finalInfos,
      infos: this.infos,
    };
  }

  reset(_options?: VectorResetOptions): VectorResetResult {
    for (let i = 0; i < this.numEnvs; i++) {
      this.t[i] = 0;
      this.ep[i] = 0;
      this.obs.set(toyObs(i, 0, 0), i * 3);
    }
    return { observations: this.obs, infos: this.infos };
  }

  step(actions: BatchedActions): VectorStepResult {
    this.lastActions = Float32Array.from(actions);
    for (let i = 0; i < this.numEnvs; i++) {
      const t = ++this.t[i]!;
      this.rewards[i] = toyReward(i, t);
      const done = t >= this.lengths[i]!;
      this.term[i] = done && !this.truncates[i] ? 1 : 0;
      this.trunc[i] = done && this.truncates[i] ? 1 : 0;
      this.finalInfos[i] = done ? EMPTY_INFO : undefined;
      if (done) {
        this.finalObs.set(toyObs(i, this.ep[i]!, t), i * 3);
        this.t[i] = 0;
        this.ep[i]!++;
        this.obs.set(toyObs(i, this.ep[i]!, 0), i * 3);
      } else {
        this.obs.set(toyObs(i, this.ep[i]!, t), i * 3);
      }
    }
    return this.result;
  }

  close(): void {}
}

/** Resolves a value that the test knows is synchronous, failing loudly if it is a promise. */
function sync<T>(x: MaybePromise<T>): T {
  if (isPromiseLike(x)) throw new Error('expected a plain value, got a promise');
  return x;
}

/** Slow reference of RunningMeanStd: plain mean and population variance merged with the (0, 1, 1e-4) prior. */
function referenceStats(rows: readonly ArrayLike<number>[], size: number, prior = 1e-4): { mean: number[]; var: number[]; count: number } {
  const n = rows.length;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let j = 0; j < size; j++) {
    const xs = rows.map((r) => r[j]!);
    const m = n === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / n;
    const v = n === 0 ? 0 : xs.reduce((a, b) => a + (b - m) ** 2, 0) / n;
    const total = prior + n;
    mean.push((m * n) / total);
    variance.push((prior * 1 + n * v + (m * m * prior * n) / total) / total);
  }
  return { mean, var: variance, count: prior + n };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) expect(actual[j]).toBeCloseTo(expected[j]!, digits);
}

const zeroAction = (): Float32Array => new Float32Array(2);

// ---------------------------------------------------------------------------

describe('Wrapper / VectorWrapper', () => {
  it('forwards spaces, spec, close and exposes unwrapped through several layers', () => {
    const base = new ToyEnv();
    const w = new Wrapper(new Wrapper(base));
    expect(w.observationSpace).toBe(base.observationSpace);
    expect(w.actionSpace).toBe(base.actionSpace);
    expect(w.spec?.id).toBe('Toy-v0');
    expect(w.unwrapped).toBe(base);
    const r = sync(w.reset());
    expect(r.observation).toEqual(toyObs(0, 0, 0));
    w.spec = { id: 'Other-v0' };
    expect(w.spec.id).toBe('Other-v0');
    expect(base.spec?.id).toBe('Toy-v0');
    sync(w.close());
    expect(base.closed).toBe(true);
  });

  it('VectorWrapper forwards everything and unwraps', () => {
    const base = new ToyVectorEnv([2, 3]);
    const w = new VectorWrapper(new VectorWrapper(base));
    expect(w.numEnvs).toBe(2);
    expect(w.observationSize).toBe(3);
    expect(w.actionSize).toBe(2);
    expect(w.singleObservationSpace).toBe(base.singleObservationSpace);
    expect(w.unwrapped).toBe(base);
    sync(w.reset());
    expect(sync(w.step(new Float32Array(4)))).toBe(base.result);
  });
});

describe('TimeLimit', () => {
  it('truncates at exactly maxEpisodeSteps and restarts the count at reset', () => {
    const env = new TimeLimit(new ToyEnv(), 5);
    for (let episode = 0; episode < 2; episode++) {
      sync(env.reset());
      for (let t = 1; t <= 5; t++) {
        const r = sync(env.step(zeroAction()));
        expect(r.truncated).toBe(t === 5);
        expect(r.terminated).toBe(false);
        expect(env.elapsedSteps).toBe(t);
      }
    }
  });

  it('reports both flags when the episode terminates at the limit, as Gymnasium', () => {
    const env = new TimeLimit(new ToyEnv(3), 3);
    sync(env.reset());
    sync(env.step(zeroAction()));
    sync(env.step(zeroAction()));
    const r = sync(env.step(zeroAction()));
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(true);
  });

  it('does not throw when stepped past the end (Gymnasium) and keeps truncating', () => {
    const env = new TimeLimit(new ToyEnv(), 1);
    sync(env.reset());
    expect(sync(env.step(zeroAction())).truncated).toBe(true);
    expect(sync(env.step(zeroAction())).truncated).toBe(true);
  });

  it('rejects a non-positive or fractional limit', () => {
    expect(() => new TimeLimit(new ToyEnv(), 0)).toThrow(ConfigError);
    expect(() => new TimeLimit(new ToyEnv(), 2.5)).toThrow(/maxEpisodeSteps must be an integer >= 1, got 2.5/);
  });
});

describe('RecordEpisodeStatistics', () => {
  it('reports return, length and time on the last step only, without mutating the inner info', () => {
    const env = new RecordEpisodeStatistics(new ToyEnv(4));
    sync(env.reset());
    const rewards: number[] = [];
    let last: StepResult<Float32Array> | undefined;
    for (let t = 1; t <= 4; t++) {
      last = sync(env.step(zeroAction()));
      rewards.push(last.reward);
      if (t < 4) expect(last.info['episode']).toBeUndefined();
    }
    const ep = last!.info['episode'] as EpisodeStatistics;
    expect(ep.r).toBeCloseTo(rewards.reduce((a, b) => a + b, 0), 12);
    expect(ep.l).toBe(4);
    expect(ep.t).toBeGreaterThanOrEqual(0);
    expect(ep.t).toBeLessThan(60);
    expect(FROZEN_INFO).toEqual({});
    expect(env.episodeCount).toBe(1);
  });

  it('restarts its counters at reset', () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new ToyEnv(), 3));
    sync(env.reset());
    sync(env.step(zeroAction()));
    sync(env.reset());
    let r: StepResult<Float32Array> | undefined;
    for (let t = 0; t < 3; t++) r = sync(env.step(zeroAction()));
    expect(r!.truncated).toBe(true);
    expect((r!.info['episode'] as EpisodeStatistics).l).toBe(3);
    expect((r!.info['episode'] as EpisodeStatistics).r).toBeCloseTo(toyReward(0, 1) + toyReward(0, 2) + toyReward(0, 3), 12);
  });

  it('refuses to overwrite an existing episode entry (applied twice)', () => {
    const env = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new ToyEnv(1)));
    sync(env.reset());
    expect(() => env.step(zeroAction())).toThrow(EnvStateError);
  });

  it('vector: puts statistics in new finalInfos objects and passes quiet steps through untouched', () => {
    const base = new ToyVectorEnv([2, 3]);
    const env = new VectorRecordEpisodeStatistics(base);
    sync(env.reset());
    const sums = [0, 0];
    const seen: Array<[number, EpisodeStatistics]> = [];
    for (let step = 1; step <= 6; step++) {
      const r = sync(env.step(new Float32Array(4)));
      let anyDone = false;
      for (let i = 0; i < 2; i++) {
        sums[i]! += r.rewards[i]!;
        if (r.terminated[i]) {
          anyDone = true;
          const ep = r.finalInfos[i]!['episode'] as EpisodeStatistics;
          expect(ep.l).toBe(base.lengths[i]);
          expect(ep.r).toBeCloseTo(sums[i]!, 12);
          sums[i] = 0;
          seen.push([i, ep]);
        } else {
          expect(r.finalInfos[i]).toBeUndefined();
        }
      }
      // Nothing finished: the inner result itself, no new object.
      if (!anyDone) expect(r).toBe(base.result);
    }
    expect(seen.map(([i]) => i)).toEqual([0, 1, 0, 0, 1]);
    expect(env.episodeCount).toBe(5);
    // The shared frozen info was not touched.
    expect(Object.keys(EMPTY_INFO)).toEqual([]);
  });
});

describe('ClipAction and RescaleAction', () => {
  it('ClipAction clips into the inner bounds and exposes an unbounded space', () => {
    const inner = new ToyEnv();
    const env = new ClipAction(inner);
    expect((env.actionSpace as Box).isBounded()).toBe(false);
    sync(env.reset());
    sync(env.step(Float32Array.of(5, -0.5)));
    expect(Array.from(inner.lastAction!)).toEqual([2, -0.5]);
    expect(() => env.step(Float32Array.of(1))).toThrow(InvalidActionError);
  });

  it('RescaleAction maps [min, max] linearly onto [low, high]', () => {
    const inner = new ToyEnv();
    const env = new RescaleAction(inner, -1, 1);
    const space = env.actionSpace as Box;
    expect(Array.from(space.low)).toEqual([-1, -1]);
    expect(Array.from(space.high)).toEqual([1, 1]);
    sync(env.reset());
    const cases: Array<[number, number]> = [
      [-1, -2],
      [1, 2],
      [0, 0],
      [0.5, 1],
    ];
    for (const [a, expected] of cases) {
      sync(env.step(Float32Array.of(a, a)));
      expect(inner.lastAction![0]).toBeCloseTo(expected, 6);
    }
    // Outside [min, max]: mapped, then clipped into the inner bounds (Gymnasium 1.x).
    sync(env.step(Float32Array.of(3, -3)));
    expect(Array.from(inner.lastAction!)).toEqual([2, -2]);
    const asym = new RescaleAction(new ToyEnv(), [0, 0], [1, 4]);
    const innerAsym = asym.env as ToyEnv;
    sync(asym.step(Float32Array.of(0.25, 1)));
    expect(Array.from(innerAsym.lastAction!)).toEqual([-1, -1]);
  });

  it('rejects non-Box, unbounded and inverted ranges with typed errors', () => {
    class DiscreteActions extends ToyEnv {
      readonly discrete = new Discrete(3);
    }
    const d = new DiscreteActions();
    const discreteEnv = { ...d, actionSpace: d.discrete } as unknown as Env<Float32Array, Float32Array>;
    expect(() => new RescaleAction(discreteEnv, -1, 1)).toThrow(SpaceMismatchError);
    expect(() => new RescaleAction(discreteEnv, -1, 1)).toThrow(/RescaleAction needs a Box action space, got Discrete\(3\)/);
    const unbounded = new ClipAction(new ToyEnv());
    expect(() => new RescaleAction(unbounded, -1, 1)).toThrow(/bounded Box/);
    expect(() => new RescaleAction(new ToyEnv(), 1, 1)).toThrow(ConfigError);
  });

  it('vector versions transform every row into a reused buffer', () => {
    const base = new ToyVectorEnv([5, 5]);
    const clip = new VectorClipAction(base);
    sync(clip.reset());
    sync(clip.step(Float32Array.of(3, -3, 1, -1)));
    expect(Array.from(base.lastActions!)).toEqual([2, -2, 1, -1]);
    expect(() => clip.step(new Float32Array(3))).toThrow(InvalidActionError);

    const rescale = new VectorRescaleAction(base, 0, 1);
    sync(rescale.step(Float32Array.of(0, 1, 0.5, 0.75)));
    expect(Array.from(base.lastActions!)).toEqual([-2, 2, 0, 1]);
  });
});

describe('RunningMeanStd', () => {
  const rowsArb = (size: number) =>
    fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: size, maxLength: size }), { minLength: 1, maxLength: 40 });

  it('merging batches equals one update over their concatenation (Chan et al.)', () => {
    fc.assert(
      fc.property(rowsArb(2), fc.array(fc.nat(), { maxLength: 6 }), (rows, cuts) => {
        const whole = new RunningMeanStd(2);
        whole.update(rows.flat(), rows.length);
        const parts = new RunningMeanStd(2);
        const bounds = [...new Set(cuts.map((c) => c % (rows.length + 1)))].sort((a, b) => a - b);
        let start = 0;
        for (const end of [...bounds, rows.length]) {
          parts.update(rows.slice(start, end).flat(), end - start);
          start = end;
        }
        expect(parts.count).toBeCloseTo(whole.count, 9);
        for (let j = 0; j < 2; j++) {
          const scale = 1 + Math.abs(whole.mean[j]!) + whole.var[j]!;
          expect(Math.abs(parts.mean[j]! - whole.mean[j]!)).toBeLessThan(1e-9 * scale);
          expect(Math.abs(parts.var[j]! - whole.var[j]!)).toBeLessThan(1e-9 * scale * scale);
        }
      }),
    );
  });

  it('matches the slow reference including the 1e-4 prior', () => {
    fc.assert(
      fc.property(rowsArb(3), (rows) => {
        const rms = new RunningMeanStd(3);
        for (const row of rows) rms.update(row, 1);
        const ref = referenceStats(rows, 3);
        expect(rms.count).toBeCloseTo(ref.count, 9);
        for (let j = 0; j < 3; j++) {
          expect(rms.mean[j]).toBeCloseTo(ref.mean[j]!, 6);
          expect(Math.abs(rms.var[j]! - ref.var[j]!)).toBeLessThan(1e-6 * (1 + ref.var[j]!));
        }
      }),
    );
  });

  it('getState/setState round-trips through JSON and validates', () => {
    const a = new RunningMeanStd(2);
    a.update([1, 2, 3, 5, -1, 0.5], 3);
    const b = new RunningMeanStd(2);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
    expect(Array.from(b.var)).toEqual(Array.from(a.var));
    expect(b.count).toBe(a.count);
    expect(() => new RunningMeanStd(3).setState(a.getState())).toThrow(/length 2 .* expected 3/);
    expect(() => b.setState({ mean: [0, 0], var: [1, -1], count: 1 })).toThrow(ConfigError);
  });
});

describe('NormalizeObservation', () => {
  /** Records the raw observations below the normaliser. */
  function spied(episodeLength = 7): { env: NormalizeObservation<Float32Array>; raw: Float32Array[] } {
    const raw: Float32Array[] = [];
    const spy = new TransformObservation(new ToyEnv(episodeLength), (o: Float32Array) => {
      raw.push(o);
      return o;
    });
    return { env: new NormalizeObservation(spy), raw };
  }

  it('statistics and outputs match a slow reference over every seen observation', () => {
    const { env, raw } = spied();
    let out = sync(env.reset()).observation;
    for (let t = 0; t < 20; t++) {
      const r = sync(env.step(zeroAction()));
      out = r.observation;
      if (r.terminated) out = sync(env.reset()).observation;
    }
    const ref = referenceStats(raw, 3);
    expectClose(env.obsRms.mean, ref.mean, 9);
    expectClose(env.obsRms.var, ref.var, 9);
    expect(env.obsRms.count).toBeCloseTo(ref.count, 9);
    const last = raw[raw.length - 1]!;
    expectClose(
      out,
      ref.mean.map((m, j) => (last[j]! - m) / Math.sqrt(ref.var[j]! + 1e-8)),
      5,
    );
    const space = env.observationSpace as Box;
    expect(space.shape).toEqual([3]);
    expect(space.isBounded()).toBe(false);
  });

  it('frozen statistics do not change and still normalise', () => {
    const { env, raw } = spied();
    sync(env.reset());
    for (let t = 0; t < 5; t++) sync(env.step(zeroAction()));
    const before = env.getState();
    env.updateStats = false;
    const r = sync(env.step(zeroAction()));
    expect(env.getState()).toEqual(before);
    const last = raw[raw.length - 1]!;
    expectClose(
      r.observation,
      before.obsRms.mean.map((m, j) => (last[j]! - m) / Math.sqrt(before.obsRms.var[j]! + 1e-8)),
      5,
    );
    const frozenAtStart = new NormalizeObservation(new ToyEnv(), { updateStats: false });
    sync(frozenAtStart.reset());
    expect(frozenAtStart.obsRms.count).toBe(1e-4);
  });

  it('getState/setState round trip reproduces the outputs', () => {
    const { env } = spied();
    sync(env.reset());
    for (let t = 0; t < 6; t++) sync(env.step(zeroAction()));
    const state = JSON.parse(JSON.stringify(env.getState()));
    const restored = new NormalizeObservation(new ToyEnv(), { updateStats: false });
    restored.setState(state);
    expect(restored.getState()).toEqual(env.getState());
    const fresh = sync(new ToyEnv().reset()).observation;
    const expected = Array.from(fresh, (x, j) => (x - state.obsRms.mean[j]) / Math.sqrt(state.obsRms.var[j] + 1e-8));
    expectClose(sync(restored.reset()).observation, expected, 5);
    expect(() => restored.setState({ obsRms: { mean: [0], var: [1], count: 1 } })).toThrow(ConfigError);
  });

  it('clips when asked and reports the clipped space', () => {
    const env = new NormalizeObservation(new ToyEnv(), { clip: 0.5 });
    sync(env.reset());
    for (let t = 0; t < 10; t++) {
      for (const v of sync(env.step(zeroAction())).observation) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    }
    expect(Array.from((env.observationSpace as Box).high)).toEqual([0.5, 0.5, 0.5]);
    expect(() => new NormalizeObservation(new ToyEnv(), { clip: 0 })).toThrow(ConfigError);
  });

  it('vector: statistics over all rows, finalObservations of finished copies normalised without updating', () => {
    const base = new ToyVectorEnv([2, 3, 4], [false, true, false]);
    const env = new VectorNormalizeObservation(base);
    const raw: number[][] = [];
    const rowsOf = (a: Float32Array) => [0, 1, 2].map((i) => Array.from(a.subarray(i * 3, i * 3 + 3)));
    sync(env.reset());
    raw.push(...rowsOf(base.result.observations)); // the raw batch, via the base env's shared buffer
    let checkedFinal = 0;
    let prevObs: Float32Array | undefined;
    for (let step = 0; step < 9; step++) {
      const r = sync(env.step(new Float32Array(6)));
      raw.push(...rowsOf(base.result.observations));
      const ref = referenceStats(raw, 3);
      expectClose(env.obsRms.mean, ref.mean, 9);
      expect(env.obsRms.count).toBeCloseTo(ref.count, 9);
      for (let i = 0; i < 3; i++) {
        const expectedRow = (src: Float32Array) => ref.mean.map((m, j) => (src[i * 3 + j]! - m) / Math.sqrt(ref.var[j]! + 1e-8));
        expectClose(r.observations.subarray(i * 3, i * 3 + 3), expectedRow(base.result.observations), 4);
        if (r.terminated[i] || r.truncated[i]) {
          expectClose(r.finalObservations.subarray(i * 3, i * 3 + 3), expectedRow(base.result.finalObservations), 4);
          checkedFinal++;
        }
      }
      // The same preallocated buffers every step.
      if (prevObs !== undefined) expect(r.observations).toBe(prevObs);
      expect(r.observations).not.toBe(base.result.observations);
      prevObs = r.observations;
    }
    expect(checkedFinal).toBeGreaterThanOrEqual(8);
  });
});

describe('NormalizeReward', () => {
  /** Slow reference: discounted return per episode, all returns so far, var with the prior. */
  class RewardReference {
    private g: number[];
    private readonly returns: number[] = [];
    constructor(
      n: number,
      private readonly gamma: number,
    ) {
      this.g = new Array<number>(n).fill(0);
    }
    step(rewards: readonly number[], done: readonly boolean[]): number[] {
      this.g = this.g.map((g, i) => g * this.gamma + rewards[i]!);
      this.returns.push(...this.g);
      const v = referenceStats(
        this.returns.map((x) => [x]),
        1,
      ).var[0]!;
      const out = rewards.map((r) => r / Math.sqrt(v + 1e-8));
      this.g = this.g.map((g, i) => (done[i] ? 0 : g));
      return out;
    }
  }

  it.each([
    ['terminated', 4, 10],
    ['truncated', 10, 3],
  ])('single: matches the slow reference across %s episode ends', (_kind, episodeLength, limit) => {
    const inner = new TimeLimit(new ToyEnv(episodeLength), limit);
    const env = new NormalizeReward(inner, { gamma: 0.9 });
    const ref = new RewardReference(1, 0.9);
    sync(env.reset());
    let ends = 0;
    for (let t = 0; t < 15; t++) {
      const r = sync(env.step(zeroAction()));
      // The toy env's step counter equals the TimeLimit's since both restart at reset.
      const raw = toyReward(0, inner.elapsedSteps);
      const [expected] = ref.step([raw], [r.terminated || r.truncated]);
      expect(r.reward).toBeCloseTo(expected!, 9);
      if (r.terminated || r.truncated) {
        ends++;
        sync(env.reset());
      }
    }
    expect(ends).toBeGreaterThanOrEqual(3);
    expect(env.returnRms.count).toBeCloseTo(1e-4 + 15, 9);
  });

  it('single: frozen statistics, clip and state round trip', () => {
    const env = new NormalizeReward(new ToyEnv(), { clip: 0.3 });
    sync(env.reset());
    for (let t = 0; t < 5; t++) expect(Math.abs(sync(env.step(zeroAction())).reward)).toBeLessThanOrEqual(0.3);
    const state = JSON.parse(JSON.stringify(env.getState()));
    env.updateStats = false;
    const r = sync(env.step(zeroAction()));
    expect(env.getState()).toEqual(state);
    expect(r.reward).toBeCloseTo(Math.min(0.3, toyReward(0, 6) / Math.sqrt(state.returnRms.var[0] + 1e-8)), 9);
    const other = new NormalizeReward(new ToyEnv());
    other.setState(state);
    expect(other.getState()).toEqual(state);
    expect(() => other.setState({ returnRms: { mean: [0, 0], var: [1, 1], count: 1 } })).toThrow(ConfigError);
    expect(() => new NormalizeReward(new ToyEnv(), { gamma: 1.5 })).toThrow(/gamma must be a number in \[0, 1\], got 1.5/);
  });

  it('vector: matches the slow reference with per-copy accumulators reset on episode end', () => {
    const base = new ToyVectorEnv([2, 3, 5], [false, true, false]);
    const env = new VectorNormalizeReward(base, { gamma: 0.95 });
    const ref = new RewardReference(3, 0.95);
    sync(env.reset());
    let prev: Float64Array | undefined;
    for (let step = 0; step < 12; step++) {
      const r = sync(env.step(new Float32Array(6)));
      const raw = Array.from(base.result.rewards);
      const done = [0, 1, 2].map((i) => r.terminated[i] === 1 || r.truncated[i] === 1);
      expectClose(r.rewards, ref.step(raw, done), 9);
      if (prev !== undefined) expect(r.rewards).toBe(prev);
      prev = r.rewards;
    }
  });
});

describe('TransformObservation, TransformReward, FlattenObservation', () => {
  it('transforms rewards and observations (with a declared space) and flattens a Dict', () => {
    const dictSpace = new Dict({ pos: new Box(-10, 10, [1]), cell: new Discrete(3) });
    const toDict = new TransformObservation(
      new ToyEnv(),
      (o: Float32Array): Record<string, unknown> => ({ pos: Float32Array.of(o[0]!), cell: Math.round(o[0]!) % 3 }),
      dictSpace,
    );
    expect(toDict.observationSpace).toBe(dictSpace);
    const flat = new FlattenObservation(new TransformReward(toDict, (r) => 2 * r));
    const space = flat.observationSpace as Box;
    // Sorted keys: cell (one-hot of 3), then pos.
    expect(space.shape).toEqual([4]);
    expect(Array.from(space.low)).toEqual([0, 0, 0, -10]);
    expect(Array.from(space.high)).toEqual([1, 1, 1, 10]);
    expect(Array.from(sync(flat.reset()).observation)).toEqual([1, 0, 0, 0]);
    sync(flat.step(zeroAction()));
    const r = sync(flat.step(zeroAction()));
    expect(Array.from(r.observation)).toEqual([0, 0, 1, 2]);
    expect(r.reward).toBe(2 * toyReward(0, 2));
  });
});

describe('FrameStack', () => {
  it('stacks oldest first and pads at reset with the first observation', () => {
    const env = new FrameStack(new ToyEnv(), 3);
    const space = env.observationSpace as Box;
    expect(space.shape).toEqual([3, 3]);
    expect(Array.from(space.low.subarray(3, 6))).toEqual([-10, -20, -30]);
    const o = (t: number) => Array.from(toyObs(0, 0, t));
    expect(Array.from(sync(env.reset()).observation)).toEqual([...o(0), ...o(0), ...o(0)]);
    expect(Array.from(sync(env.step(zeroAction())).observation)).toEqual([...o(0), ...o(0), ...o(1)]);
    expect(Array.from(sync(env.step(zeroAction())).observation)).toEqual([...o(0), ...o(1), ...o(2)]);
    const r3 = sync(env.step(zeroAction())).observation;
    expect(Array.from(r3)).toEqual([...o(1), ...o(2), ...o(3)]);
    // Returned arrays are not aliased to the internal stack.
    sync(env.step(zeroAction()));
    expect(Array.from(r3)).toEqual([...o(1), ...o(2), ...o(3)]);
    const o1 = (t: number) => Array.from(toyObs(0, 1, t));
    expect(Array.from(sync(env.reset()).observation)).toEqual([...o1(0), ...o1(0), ...o1(0)]);
  });

  it('rejects k < 1 and non-Box observations', () => {
    expect(() => new FrameStack(new ToyEnv(), 0)).toThrow(/FrameStack k must be an integer >= 1, got 0/);
    const discreteObs = new TransformObservation(new ToyEnv(), () => 0, new Discrete(2));
    expect(() => new FrameStack(discreteObs as unknown as Env<Float32Array, unknown>, 2)).toThrow(SpaceMismatchError);
  });

  it('vector: restarts the stack of a finished copy and stacks its final frames', () => {
    const base = new ToyVectorEnv([2, 5]);
    const env = new VectorFrameStack(base, 3);
    expect(env.observationSize).toBe(9);
    const o = (i: number, ep: number, t: number) => Array.from(toyObs(i, ep, t));
    const row = (a: Float32Array, i: number) => Array.from(a.subarray(i * 9, i * 9 + 9));
    const r0 = sync(env.reset());
    expect(row(r0.observations, 1)).toEqual([...o(1, 0, 0), ...o(1, 0, 0), ...o(1, 0, 0)]);
    const r1 = sync(env.step(new Float32Array(4)));
    expect(row(r1.observations, 0)).toEqual([...o(0, 0, 0), ...o(0, 0, 0), ...o(0, 0, 1)]);
    const r2 = sync(env.step(new Float32Array(4)));
    expect(r2.terminated[0]).toBe(1);
    expect(row(r2.finalObservations, 0)).toEqual([...o(0, 0, 0), ...o(0, 0, 1), ...o(0, 0, 2)]);
    expect(row(r2.observations, 0)).toEqual([...o(0, 1, 0), ...o(0, 1, 0), ...o(0, 1, 0)]);
    expect(row(r2.observations, 1)).toEqual([...o(1, 0, 0), ...o(1, 0, 1), ...o(1, 0, 2)]);
    const r3 = sync(env.step(new Float32Array(4)));
    expect(row(r3.observations, 0)).toEqual([...o(0, 1, 0), ...o(0, 1, 0), ...o(0, 1, 1)]);
    expect(r3.observations).toBe(r2.observations);
  });
});

describe('MaskObservation', () => {
  it('removes the hidden entries (CartPole-style POMDP) and narrows the space', () => {
    const env = new MaskObservation(new ToyEnv(), [1]);
    const space = env.observationSpace as Box;
    expect(space.shape).toEqual([2]);
    expect(Array.from(space.low)).toEqual([-10, -30]);
    expect(Array.from(space.high)).toEqual([10, 30]);
    const full = toyObs(0, 0, 1);
    sync(env.reset());
    expect(Array.from(sync(env.step(zeroAction())).observation)).toEqual([full[0], full[2]]);
  });

  it('rejects out-of-range, duplicate and all-hiding index lists', () => {
    expect(() => new MaskObservation(new ToyEnv(), [3])).toThrow(/hidden index 3 is out of range: the observation has 3 entries/);
    expect(() => new MaskObservation(new ToyEnv(), [-1])).toThrow(ConfigError);
    expect(() => new MaskObservation(new ToyEnv(), [1, 1])).toThrow(/listed twice/);
    expect(() => new MaskObservation(new ToyEnv(), [0, 1, 2])).toThrow(/hide all 3 entries/);
  });

  it('vector: masks observations and final observations', () => {
    const base = new ToyVectorEnv([1, 3]);
    const env = new VectorMaskObservation(base, [0, 2]);
    expect(env.observationSize).toBe(1);
    expect(Array.from(sync(env.reset()).observations)).toEqual([toyObs(0, 0, 0)[1], toyObs(1, 0, 0)[1]]);
    const r = sync(env.step(new Float32Array(4)));
    expect(r.terminated[0]).toBe(1);
    expect(r.finalObservations[0]).toBe(toyObs(0, 0, 1)[1]);
    expect(Array.from(r.observations)).toEqual([toyObs(0, 1, 0)[1], toyObs(1, 0, 1)[1]]);
  });
});

describe('sync and async inner envs', () => {
  function stack(env: Env<Float32Array, Float32Array>): Env<Float32Array, Float32Array> {
    const masked = new MaskObservation(new ClipAction(new RescaleAction(env, -1, 1)), [2]);
    return new RecordEpisodeStatistics(
      new TimeLimit(new NormalizeReward(new NormalizeObservation(new FrameStack(masked, 2), { clip: 10 })), 4),
    );
  }

  it('a sync inner env gives plain values, an async one promises, with identical results', async () => {
    const s = stack(new ToyEnv(6));
    const a = stack(new AsyncToyEnv(6));
    const sr = s.reset();
    const ar = a.reset();
    expect(isPromiseLike(sr)).toBe(false);
    expect(ar).toBeInstanceOf(Promise);
    expect((await ar).observation).toEqual(sync(sr).observation);
    for (let t = 0; t < 10; t++) {
      const act = Float32Array.of(0.3, -0.7);
      const ss = s.step(act);
      const as = a.step(act);
      expect(isPromiseLike(ss)).toBe(false);
      expect(as).toBeInstanceOf(Promise);
      const x = sync(ss);
      const y = await as;
      expect(y.observation).toEqual(x.observation);
      expect(y.reward).toBe(x.reward);
      expect(y.truncated).toBe(x.truncated);
      const xe = x.info['episode'] as EpisodeStatistics | undefined;
      const ye = y.info['episode'] as EpisodeStatistics | undefined;
      expect(ye?.l).toBe(xe?.l);
      expect(ye?.r).toBe(xe?.r);
      if (x.terminated || x.truncated) {
        sync(s.reset());
        await a.reset();
      }
    }
    expect(isPromiseLike(a.close())).toBe(true);
  });
});
