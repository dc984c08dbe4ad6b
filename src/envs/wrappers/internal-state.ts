import { ConfigError, InvalidActionError } from '../../core/errors.js';
import { Box, Discrete, HybridBox, type Space } from '../../core/spaces.js';
import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../vector/vector-env.js';
import { assignStepResult, checkFloatActions, checkObservationLength, emptyStepResult, requireBox, requireInteger, type Mutable } from './internal.js';
import { clipInto } from './clip-action.js';
import { VectorWrapper } from './wrapper.js';

/**
 * The extended MDP of a stochastic stateful policy (S2PG; ALGORITHMS.md §6): the policy's
 * internal state z becomes part of the state and the next internal state z' part of the action.
 * Observations are `[o, z, a_prev]` (the env's observation, the current internal state, the
 * previous action as the env applied it); actions are `[a, z']`. Only `a` reaches the env,
 * clipped to its Box bounds; z' is kept and shown with the next observation. z and a_prev are zero at
 * every episode start. A finished copy's `finalObservations` row is `[o_last, z', a]`, the extended
 * state to bootstrap from.
 *
 * An ordinary agent trained on this env with a policy over `[a, z']` is the stateful policy:
 * its log-prob is the joint log π(a, z' | o, z), the buffer stores z with the transition, and no
 * gradient flows through time. Place it outside any observation normaliser (z must not be
 * normalised). For a Box env the action space is one Box, `[a_low, −∞…]` to `[a_high, +∞…]`; for a
 * Discrete(K) env it is a {@link HybridBox} (a categorical first entry, then z'), and a_prev is
 * shown one-hot.
 */
export class VectorInternalState extends VectorWrapper {
  /** Internal-state entries per copy. */
  readonly stateDim: number;
  private readonly obsDim: number;
  /** Entries of a in the action ([a, z']) and of a_prev in the observation (one-hot K when discrete). */
  private readonly actDim: number;
  private readonly prevDim: number;
  /** K for a Discrete env (its actions go down as an Int32Array), null for a Box. */
  private readonly choices: number | null;
  /** The env's Box action space (its `a` is clipped into it), null for a Discrete env. */
  private readonly innerBox: Box | null;
  private readonly observationSpace: Box;
  private readonly actionSpace: Box;
  /** [N × stateDim] internal states and [N × actDim] previous actions of the running episodes. */
  private readonly z: Float32Array;
  private readonly aPrev: Float32Array;
  private readonly innerActions: Float32Array | Int32Array;
  private readonly obsOut: Float32Array;
  private readonly finalOut: Float32Array;
  private readonly out: Mutable<VectorStepResult> = emptyStepResult();

  constructor(env: VectorEnv, stateDim: number) {
    super(env);
    requireInteger(stateDim, 1, 'VectorInternalState stateDim');
    const actions = env.singleActionSpace;
    if (!(actions instanceof Box || (actions instanceof Discrete && actions.start === 0))) throw new ConfigError(`the internal-state env (S2PG) needs a Box or a Discrete action space starting at 0, got ${actions.constructor.name}`);
    const obs = requireBox(env.singleObservationSpace, 'VectorInternalState', 'observation');
    this.stateDim = stateDim;
    this.obsDim = env.observationSize;
    this.choices = actions instanceof Discrete ? actions.n : null;
    this.actDim = actions instanceof Box ? actions.flatDim : 1;
    this.prevDim = actions instanceof Box ? actions.flatDim : actions.n;
    this.innerBox = actions instanceof Box ? actions : null;
    const width = this.obsDim + stateDim + this.prevDim;
    const low = new Float32Array(width).fill(-Infinity);
    const high = new Float32Array(width).fill(Infinity);
    low.set(obs.low);
    high.set(obs.high);
    if (actions instanceof Box) {
      low.set(actions.low, this.obsDim + stateDim);
      high.set(actions.high, this.obsDim + stateDim);
      const aLow = new Float32Array(this.actDim + stateDim).fill(-Infinity);
      const aHigh = new Float32Array(this.actDim + stateDim).fill(Infinity);
      aLow.set(actions.low);
      aHigh.set(actions.high);
      this.actionSpace = new Box(aLow, aHigh, [this.actDim + stateDim]);
    } else {
      low.fill(0, this.obsDim + stateDim);
      high.fill(1, this.obsDim + stateDim);
      this.actionSpace = new HybridBox(actions.n, stateDim);
    }
    this.observationSpace = new Box(low, high, [width]);
    const N = env.numEnvs;
    this.z = new Float32Array(N * stateDim);
    this.aPrev = new Float32Array(N * this.prevDim);
    this.innerActions = this.choices === null ? new Float32Array(N * this.actDim) : new Int32Array(N);
    this.obsOut = new Float32Array(N * width);
    this.finalOut = new Float32Array(N * width);
  }

  override get singleObservationSpace(): Space<unknown> {
    return this.observationSpace;
  }

  override get singleActionSpace(): Space<unknown> {
    return this.actionSpace;
  }

  override get observationSize(): number {
    return this.obsDim + this.stateDim + this.prevDim;
  }

  override get actionSize(): number {
    return this.actDim + this.stateDim;
  }

  protected override ownSnapshot(): unknown {
    return { z: this.z.slice(), aPrev: this.aPrev.slice() };
  }

  protected override restoreOwnSnapshot(own: unknown): void {
    const s = own as { z: Float32Array; aPrev: Float32Array };
    this.z.set(s.z);
    this.aPrev.set(s.aPrev);
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    return thenMaybe(this.env.reset(options), (r) => {
      checkObservationLength(r.observations, this.numEnvs * this.obsDim, 'VectorInternalState');
      this.z.fill(0);
      this.aPrev.fill(0);
      for (let i = 0; i < this.numEnvs; i++) this.writeRow(this.obsOut, i, r.observations, i);
      return { observations: this.obsOut, infos: r.infos };
    });
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    const N = this.numEnvs;
    const { actDim: D, stateDim: Z, prevDim: P, choices: K } = this;
    checkFloatActions(actions, N * (D + Z), 'VectorInternalState');
    for (let i = 0; i < N; i++) {
      if (K !== null) {
        const a = actions[i * (D + Z)] as number;
        if (!Number.isInteger(a) || a < 0 || a >= K) throw new InvalidActionError(`VectorInternalState: copy ${i}'s action ${a} is not a choice in [0, ${K - 1}]`);
        this.innerActions[i] = a;
        this.aPrev.fill(0, i * P, (i + 1) * P);
        this.aPrev[i * P + a] = 1;
      } else {
        // The env gets a clipped to its bounds (as SB3 clips Box actions), and so does a_prev.
        const applied = this.innerActions as Float32Array;
        clipInto(actions, i * (D + Z), applied, i * D, this.innerBox as Box);
        for (let j = 0; j < D; j++) this.aPrev[i * D + j] = applied[i * D + j] as number;
      }
      for (let k = 0; k < Z; k++) this.z[i * Z + k] = actions[i * (D + Z) + D + k] as number;
    }
    return thenMaybe(this.env.step(this.innerActions), (r) => {
      checkObservationLength(r.observations, N * this.obsDim, 'VectorInternalState');
      for (let i = 0; i < N; i++) {
        if (r.terminated[i] || r.truncated[i]) {
          this.writeRow(this.finalOut, i, r.finalObservations, i);
          this.z.fill(0, i * Z, (i + 1) * Z);
          this.aPrev.fill(0, i * P, (i + 1) * P);
        }
        this.writeRow(this.obsOut, i, r.observations, i);
      }
      const out = assignStepResult(this.out, r);
      out.observations = this.obsOut;
      out.finalObservations = this.finalOut;
      return out;
    });
  }

  /** Row i of `dst`: the env's observation row `k` of `src`, then copy i's z and a_prev. */
  private writeRow(dst: Float32Array, i: number, src: Float32Array, k: number): void {
    const { obsDim: O, stateDim: Z, prevDim: P } = this;
    const base = i * (O + Z + P);
    for (let j = 0; j < O; j++) dst[base + j] = src[k * O + j] as number;
    for (let j = 0; j < Z; j++) dst[base + O + j] = this.z[i * Z + j] as number;
    for (let j = 0; j < P; j++) dst[base + O + Z + j] = this.aPrev[i * P + j] as number;
  }
}
