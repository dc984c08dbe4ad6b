import { describe, expect, it } from 'vitest';
import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead, type PolicyHead } from '../../src/algorithms/policy-head.js';
import { Rng } from '../../src/core/rng.js';

/**
 * ALGORITHMS.md §6 (e): a tiny T-maze whose cue is seen at t = 0 and needed at t = 2, with a
 * categorical internal state z ∈ {0, 1}. The policy is tabular: logits θ_a[o, z, a] of the action
 * head and θ_z[o, z, z'] of the state kernel. J(θ) is computed exactly by enumerating every
 * trajectory of the augmented MDP, and ∇J by forward-mode automatic differentiation of that
 * enumeration; the stateful policy-gradient theorem's expectation
 *
 *     Σ_t γ^t Σ_{s,z} P_t(s, z) Σ_{a,z'} π(a, z' | o, z) ∇log π(a, z' | o, z) Q_t(s, z, a, z')
 *
 * is computed exactly too, with ∇log π from the library's joint policy head (`kind: "joint"`).
 */

const OBS = 4; // 0 cue up, 1 cue down, 2 corridor, 3 junction
const Z = 2;
const A = 2; // at the junction: 0 up, 1 down (elsewhere actions change nothing)
const GAMMA = 0.9;
const actionSlot = (o: number, z: number, a: number) => (o * Z + z) * A + a;
const stateSlot = (o: number, z: number, z2: number) => OBS * Z * A + (o * Z + z) * Z + z2;
const P = OBS * Z * A + OBS * Z * Z;

/** A number with its gradient with respect to all P parameters (forward-mode autodiff). */
class Dual {
  constructor(
    readonly v: number,
    readonly g: Float64Array = new Float64Array(P),
  ) {}
  static param(theta: Float64Array, i: number): Dual {
    const d = new Dual(theta[i] as number);
    d.g[i] = 1;
    return d;
  }
  add(o: Dual): Dual {
    return new Dual(this.v + o.v, this.g.map((x, i) => x + (o.g[i] as number)));
  }
  mul(o: Dual): Dual {
    return new Dual(this.v * o.v, this.g.map((x, i) => x * o.v + this.v * (o.g[i] as number)));
  }
  scale(c: number): Dual {
    return new Dual(this.v * c, this.g.map((x) => x * c));
  }
  exp(): Dual {
    const e = Math.exp(this.v);
    return new Dual(e, this.g.map((x) => x * e));
  }
  div(o: Dual): Dual {
    return new Dual(this.v / o.v, this.g.map((x, i) => (x * o.v - this.v * (o.g[i] as number)) / (o.v * o.v)));
  }
}

/** Softmax of the `n` logits at the given slots, as duals. */
function softmax(theta: Float64Array, slots: number[]): Dual[] {
  const e = slots.map((s) => Dual.param(theta, s).exp());
  const sum = e.reduce((a, b) => a.add(b));
  return e.map((x) => x.div(sum));
}

/** π(a, z' | o, z) as a dual: the product of the two heads' probabilities. */
function jointProb(theta: Float64Array, o: number, z: number, a: number, z2: number): Dual {
  const pa = softmax(theta, [0, 1].map((k) => actionSlot(o, z, k)))[a] as Dual;
  const pz = softmax(theta, [0, 1].map((k) => stateSlot(o, z, k)))[z2] as Dual;
  return pa.mul(pz);
}

/** J(θ) = γ² P(the turn at the junction matches the cue), enumerated over cues, actions and internal states. */
function objective(theta: Float64Array): Dual {
  let j = new Dual(0);
  for (let cue = 0; cue < 2; cue++) {
    for (let a0 = 0; a0 < A; a0++) {
      for (let z1 = 0; z1 < Z; z1++) {
        const p0 = jointProb(theta, cue, 0, a0, z1).scale(0.5);
        for (let a1 = 0; a1 < A; a1++) {
          for (let z2 = 0; z2 < Z; z2++) {
            const p1 = p0.mul(jointProb(theta, 2, z1, a1, z2));
            for (let z3 = 0; z3 < Z; z3++) j = j.add(p1.mul(jointProb(theta, 3, z2, cue, z3)).scale(GAMMA * GAMMA));
          }
        }
      }
    }
  }
  return j;
}

type Categorical = Extract<PolicyHead, { kind: 'categorical' }>;

/** The joint head of one (o, z): π^a's and κ's logits rows and the sampled (a, z'). */
function heads(theta: Float64Array, o: number, z: number, a: number, z2: number): { kind: 'joint'; action: Categorical; state: Categorical } {
  const head = (slot: (k: number) => number, taken: number) => ({
    kind: 'categorical' as const,
    numActions: 2,
    logits: [0, 1].map((k) => theta[slot(k)] as number),
    actions: [taken],
    gradLogits: new Float64Array(2),
    scratchLogp: new Float64Array(2),
  });
  return { kind: 'joint', action: head((k) => actionSlot(o, z, k), a), state: head((k) => stateSlot(o, z, k), z2) };
}

/** π(a, z' | o, z) and its score ∇log π from the library's joint head gradient (or the action head's alone). */
function score(theta: Float64Array, o: number, z: number, a: number, z2: number, joint: boolean): { p: number; grad: Float64Array } {
  const h = heads(theta, o, z, a, z2);
  prepareHead(h, 1);
  const p = Math.exp(headLogProb(h, 0));
  accumulateHeadGrad(h, 0, 1, 0);
  const grad = new Float64Array(P);
  for (let k = 0; k < 2; k++) {
    grad[actionSlot(o, z, k)] = h.action.gradLogits[k] as number;
    if (joint) grad[stateSlot(o, z, k)] = h.state.gradLogits[k] as number;
  }
  return { p, grad };
}

/** The theorem's expectation, exactly: occupancies forward, Q backward, scores from the library. */
function theoremGradient(theta: Float64Array, joint: boolean): Float64Array {
  const pi = (o: number, z: number, a: number, z2: number) => score(theta, o, z, a, z2, true).p;
  // Values backward: V2(cue, z2) = P(turn = cue); Q1 = γ·V2(cue, z2); Q0 = γ·V1(cue, z1).
  const q2 = (cue: number, _z: number, a: number) => (a === cue ? 1 : 0);
  const v2 = (cue: number, z: number) => [0, 1].flatMap((a) => [0, 1].map((z3) => pi(3, z, a, z3) * q2(cue, z, a))).reduce((s, x) => s + x, 0);
  const q1 = (cue: number, z2: number) => GAMMA * v2(cue, z2);
  const v1 = (cue: number, z: number) => [0, 1].flatMap((a) => [0, 1].map((z2) => pi(2, z, a, z2) * q1(cue, z2))).reduce((s, x) => s + x, 0);
  const q0 = (cue: number, z1: number) => GAMMA * v1(cue, z1);
  // Occupancies forward: P0(cue, z = 0) = ½; P1(cue, z1); P2(cue, z2).
  const p1 = (cue: number, z1: number) => 0.5 * [0, 1].reduce((s, a) => s + pi(cue, 0, a, z1), 0);
  const p2 = (cue: number, z2: number) => [0, 1].reduce((s, z1) => s + p1(cue, z1) * [0, 1].reduce((t, a) => t + pi(2, z1, a, z2), 0), 0);
  const grad = new Float64Array(P);
  const add = (weight: number, o: number, z: number, a: number, z2: number, q: number) => {
    const s = score(theta, o, z, a, z2, joint);
    for (let i = 0; i < P; i++) grad[i] = (grad[i] as number) + weight * s.p * (s.grad[i] as number) * q;
  };
  for (let cue = 0; cue < 2; cue++) {
    for (let a = 0; a < A; a++) {
      for (let zn = 0; zn < Z; zn++) {
        add(0.5, cue, 0, a, zn, q0(cue, zn));
        for (let z = 0; z < Z; z++) {
          add(GAMMA * p1(cue, z), 2, z, a, zn, q1(cue, zn));
          add(GAMMA * GAMMA * p2(cue, z), 3, z, a, zn, q2(cue, z, a));
        }
      }
    }
  }
  return grad;
}

describe('stochastic stateful policy gradient (S2PG)', () => {
  const rng = new Rng('s2pg-exact');
  const theta = Float64Array.from({ length: P }, () => rng.normal());

  it('the theorem’s exact expectation with the joint log-prob equals the autodiff gradient of the enumerated J (1e-8)', () => {
    const autodiff = objective(theta).g;
    const theorem = theoremGradient(theta, true);
    for (let i = 0; i < P; i++) expect(Math.abs((theorem[i] as number) - (autodiff[i] as number))).toBeLessThan(1e-8);
    // The kernel's parameters carry gradient: memory is what the task rewards.
    let kernelNorm = 0;
    for (let o = 0; o < OBS; o++) for (let z = 0; z < Z; z++) for (let k = 0; k < Z; k++) kernelNorm += Math.abs(autodiff[stateSlot(o, z, k)] as number);
    expect(kernelNorm).toBeGreaterThan(1e-3);
  });

  it('dropping the kernel’s log-prob from the score loses the internal state’s gradient (the pitfall)', () => {
    const autodiff = objective(theta).g;
    const actionOnly = theoremGradient(theta, false);
    let err = 0;
    for (let i = 0; i < P; i++) err = Math.max(err, Math.abs((actionOnly[i] as number) - (autodiff[i] as number)));
    expect(err).toBeGreaterThan(1e-3);
  });

  it('the joint log-prob and entropy are the sums of the heads’', () => {
    const h = heads(theta, 2, 1, 0, 1);
    prepareHead(h, 1);
    const logSoftmax = (l: number[], k: number) => (l[k] as number) - Math.log(l.reduce((s, x) => s + Math.exp(x), 0));
    const la = h.action.logits as number[];
    const lz = h.state.logits as number[];
    expect(headLogProb(h, 0)).toBeCloseTo(logSoftmax(la, 0) + logSoftmax(lz, 1), 12);
    const entropy = (l: number[]) => -[0, 1].reduce((s, k) => s + Math.exp(logSoftmax(l, k)) * logSoftmax(l, k), 0);
    expect(headEntropy(h, 0)).toBeCloseTo(entropy(la) + entropy(lz), 12);
  });
});
