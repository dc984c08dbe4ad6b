import { afterEach, describe, expect, it } from 'vitest';
import { EnvStateError, UnknownEnvError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { assertEnvOk, checkEnv } from '../../src/envs/check-env.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from '../../src/envs/env.js';
import { make, register, unregister } from '../../src/envs/registry.js';
import type { VectorStepResult } from '../../src/envs/vector/vector-env.js';

/** A user's environment, written the way a user would: walk a 1-D line to reach +goal. */
class LineWalk implements Env<Float32Array, number> {
  readonly observationSpace = new Box(-10, 10, [2]);
  readonly actionSpace = new Discrete(2);
  spec: EnvSpec | undefined;
  protected position = 0;
  protected rng = new Rng(0);

  constructor(readonly goal = 3) {}

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    this.position = this.rng.uniformRange(-1, 1);
    return { observation: this.obs(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    this.position += action === 1 ? 1 : -1;
    const terminated = this.position >= this.goal;
    return { observation: this.obs(), reward: terminated ? 1 : -0.1, terminated, truncated: false, info: {} };
  }

  close(): void {}

  protected obs(): Float32Array {
    return Float32Array.of(this.position, this.goal);
  }
}

/** Broken: its observation leaves the declared Box. */
class OutOfBounds extends LineWalk {
  protected override obs(): Float32Array {
    return Float32Array.of(this.position * 100, this.goal);
  }
}

/** Broken: the reset ignores the seed (state drawn from a counter that persists across resets). */
let globalCounter = 0;
class IgnoresSeed extends LineWalk {
  override reset(): ResetResult<Float32Array> {
    this.position = (globalCounter++ % 7) / 10;
    return { observation: this.obs(), info: {} };
  }
}

/** Broken: a NaN reward and a non-boolean flag. */
class BadStep extends LineWalk {
  override step(action: number): StepResult<Float32Array> {
    const r = super.step(action);
    return { ...r, reward: Number.NaN, terminated: 0 as unknown as boolean };
  }
}

/** An asynchronous user env (as a bridged env would be). */
class AsyncLineWalk implements Env<Float32Array, number> {
  private readonly inner = new LineWalk();
  readonly observationSpace = this.inner.observationSpace;
  readonly actionSpace = this.inner.actionSpace;
  spec: EnvSpec | undefined;
  async reset(options?: ResetOptions): Promise<ResetResult<Float32Array>> {
    await new Promise((r) => setTimeout(r, 0));
    return this.inner.reset(options);
  }
  async step(action: number): Promise<StepResult<Float32Array>> {
    await Promise.resolve();
    return this.inner.step(action);
  }
  close(): void {}
}

const ids: string[] = [];
function registerTest(id: string, entryPoint: () => Env<Float32Array, number>, maxEpisodeSteps = 20): void {
  register({ id, entryPoint, maxEpisodeSteps, rewardThreshold: 1 });
  ids.push(id);
}
afterEach(() => {
  for (const id of ids.splice(0)) unregister(id);
});

describe('a user env', () => {
  it('registers, is made with a TimeLimit and its spec, and passes checkEnv', async () => {
    registerTest('test/LineWalk-v0', () => new LineWalk());
    const env = make('test/LineWalk-v0');
    expect(env.spec).toMatchObject({ id: 'test/LineWalk-v0', maxEpisodeSteps: 20, rewardThreshold: 1 });
    const report = await checkEnv(env);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.stepsChecked).toBe(200); // two seeded rollouts of 100 steps, compared
    // The time limit from the registration truncates: always stepping left never terminates.
    env.reset({ seed: 1 });
    let last: StepResult<unknown> | undefined;
    for (let t = 0; t < 20; t++) last = env.step(0) as StepResult<unknown>;
    expect(last?.truncated).toBe(true);
    expect(last?.terminated).toBe(false);
  });

  it('passes kwargs from make() to the constructor', () => {
    register({ id: 'test/LineWalkKw-v0', entryPoint: (kw) => new LineWalk(kw['goal'] as number), kwargs: { goal: 3 } });
    ids.push('test/LineWalkKw-v0');
    const env = make('test/LineWalkKw-v0', { goal: 5 });
    const { observation } = env.reset({ seed: 0 }) as ResetResult<Float32Array>;
    expect(observation[1]).toBe(5);
  });

  it('vectorises with SyncVectorEnv: autoreset, final observations, seeds per copy', () => {
    registerTest('test/LineWalk-v0', () => new LineWalk(), 4);
    const venv = make('test/LineWalk-v0', { numEnvs: 3 });
    const { observations } = venv.reset({ seed: 7 }) as { observations: Float32Array };
    // Copy i equals a single env reset with the derived seed `7/i`.
    for (let i = 0; i < 3; i++) {
      const single = make('test/LineWalk-v0');
      const r = single.reset({ seed: `7/${i}` }) as ResetResult<Float32Array>;
      expect(observations[i * 2]).toBe(r.observation[0]);
    }
    const actions = Int32Array.of(1, 0, 1);
    let result = venv.step(actions) as VectorStepResult;
    for (let t = 1; t < 4; t++) result = venv.step(actions) as typeof result;
    // Copy 1 walked left for 4 steps: truncated by the limit of 4; its final obs is the pre-reset one.
    expect(result.truncated[1]).toBe(1);
    expect(result.finalObservations[2]).toBeLessThan(-2);
    expect(Math.abs(result.observations[2] as number)).toBeLessThanOrEqual(1);
  });

  it('vectorises an async env, awaiting the copies together', async () => {
    registerTest('test/AsyncLineWalk-v0', () => new AsyncLineWalk(), 5);
    const venv = make('test/AsyncLineWalk-v0', { numEnvs: 2 });
    const reset = venv.reset({ seed: 1 });
    expect(reset).toBeInstanceOf(Promise);
    await reset;
    const step = await venv.step(Int32Array.of(1, 1));
    expect(step.rewards.length).toBe(2);
    expect(await checkEnv(make('test/AsyncLineWalk-v0'))).toMatchObject({ ok: true });
  });

  it('checkEnv names the fault of broken envs', async () => {
    const oob = await checkEnv(new OutOfBounds());
    expect(oob.ok).toBe(false);
    expect(oob.problems[0]?.message).toMatch(/observation is not in observationSpace Box\(-10, 10, \[2\]\): entry 0 = .* is outside \[-10, 10\]/);

    const seedless = await checkEnv(new IgnoresSeed());
    expect(seedless.problems.map((p) => p.check)).toContain('determinism');
    expect(seedless.problems[0]?.message).toMatch(/draw all randomness from the seed/);

    const bad = await checkEnv(new BadStep());
    const messages = bad.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/reward must be a finite number, got NaN/);
    expect(messages).toMatch(/terminated must be a boolean, got 0/);
    await expect(assertEnvOk(new BadStep())).rejects.toThrow(/problem\(s\) found/);
  });

  it('unknown ids list close matches', () => {
    registerTest('test/LineWalk-v0', () => new LineWalk());
    expect(() => make('test/LineWalk-v1')).toThrow(UnknownEnvError);
    expect(() => make('test/LineWalk-v1')).toThrow(/Did you mean "test\/LineWalk-v0"/);
  });

  it('SyncVectorEnv refuses to step before reset', () => {
    registerTest('test/LineWalk-v0', () => new LineWalk());
    const venv = make('test/LineWalk-v0', { numEnvs: 2 });
    expect(() => venv.step(Int32Array.of(0, 1))).toThrow(EnvStateError);
  });
});
