import { describe, expect, it } from 'vitest';
import { actorCriticRanges } from '../../src/agents/param-segments.js';
import { PolicyCurvature } from '../../src/agents/policy-curvature.js';
import { TrpoAgent } from '../../src/agents/trpo-agent.js';
import { resolveTrpoConfig } from '../../src/agents/trpo-config.js';
import { backtrackingLineSearch, conjugateGradient, trpoStepScale, type LineSearchResult, type TrialResult } from '../../src/algorithms/trpo.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { RolloutBuffer } from '../../src/data/rollout-buffer.js';
import { categorical, diagGaussian } from '../../src/nn/distributions.js';

const A = [
  [4, 1, 0],
  [1, 3, 1],
  [0, 1, 2],
];
const matVec = (x: Float64Array, out: Float64Array) => {
  for (let i = 0; i < 3; i++) out[i] = (A[i] as number[]).reduce((s, a, j) => s + a * (x[j] as number), 0);
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * (b[i] as number), 0);

describe('conjugate gradient and the step length', () => {
  it('solves A·x = b (A = [[4,1,0],[1,3,1],[0,1,2]], b = [1,2,3]) to x = [2/9, 1/9, 13/9] within 3 iterations', () => {
    const b = Float64Array.of(1, 2, 3);
    const x = new Float64Array(3);
    const result = conjugateGradient(matVec, b, x, 3, 0);
    expect(result.iterations).toBe(3);
    const ax = new Float64Array(3);
    matVec(x, ax);
    expect(Math.max(...ax.map((v, i) => Math.abs(v - (b[i] as number))))).toBeLessThan(1e-10);
    expect(x[0]).toBeCloseTo(2 / 9, 12);
    expect(x[1]).toBeCloseTo(1 / 9, 12);
    expect(x[2]).toBeCloseTo(13 / 9, 12);
  });

  it('stops early once the residual is below the tolerance, and at x = 0 for b = 0', () => {
    const x = new Float64Array(3);
    expect(conjugateGradient(matVec, new Float64Array(3), x, 10, 1e-10).iterations).toBe(0);
    expect(Array.from(x)).toEqual([0, 0, 0]);
    // A multiple of an eigenvector-free diagonal system converges in one step.
    const diag = (v: Float64Array, out: Float64Array) => out.set(v.map((e) => 2 * e));
    expect(conjugateGradient(diag, Float64Array.of(1, 1, 1), x, 10, 1e-20).iterations).toBe(1);
  });

  it('β = √(2δ / xᵀAx) = 0.0646997 for F = A, g = b, δ = 0.01, and ½(βx)ᵀA(βx) = δ', () => {
    const x = new Float64Array(3);
    conjugateGradient(matVec, Float64Array.of(1, 2, 3), x, 10, 1e-14);
    const ax = new Float64Array(3);
    matVec(x, ax);
    const beta = trpoStepScale(x, ax, 0.01);
    expect(beta).toBeCloseTo(0.0646997, 7);
    expect(0.5 * beta * beta * dot(x, ax)).toBeCloseTo(0.01, 14);
  });
});

describe('backtracking line search', () => {
  const settings = { maxKl: 0.01, shrink: 0.5, maxTrials: 4 };

  it('tries s^j and accepts the first trial with KL ≤ δ and no loss of objective', () => {
    const scales: number[] = [];
    const r = backtrackingLineSearch(
      (scale) => {
        scales.push(scale);
        return { objective: 1 - scale, kl: 0.02 * scale }; // KL ok from 0.5 on; objective ≥ 0.4 from 0.5 on
      },
      0.4,
      settings,
    );
    expect(scales).toEqual([1, 0.5]);
    expect(r).toEqual({ accepted: 1, trials: 2, last: { objective: 0.5, kl: 0.01 } });
  });

  it('reports −1 after J trials when none passes (the caller restores θ_old)', () => {
    const r = backtrackingLineSearch(() => ({ objective: -1, kl: 0 }), 0, settings);
    expect(r.accepted).toBe(-1);
    expect(r.trials).toBe(4);
  });
});

describe('the full TRPO step on a mean-only linear-Gaussian policy (damping 0)', () => {
  it('lands exactly on the trust-region boundary: KL(old ‖ new) = δ ± 1e-6', () => {
    const In = 3;
    const D = 2;
    const B = 12;
    const lsOffset = In * D + D;
    const P = lsOffset + D;
    const curv = new PolicyCurvature({ layers: [{ inSize: In, outSize: D, offset: 0, activation: 'identity' }], distribution: 'gaussian', outputSize: D, logStd: { kind: 'state-independent', offset: lsOffset }, paramCount: P });
    const rng = new Rng(9);
    const theta = Float64Array.from({ length: P }, () => rng.normal());
    const x = Float64Array.from({ length: B * In }, () => rng.normal());
    curv.prepare(theta, x, B);
    // A gradient in the mean weights only: the step never touches the log-std, and the KL of two
    // Gaussians with equal σ is exactly quadratic in the means, which are linear in θ.
    const g = Float64Array.from({ length: P }, (_, i) => (i < lsOffset ? rng.normal() : 0));
    const dir = new Float64Array(P);
    conjugateGradient((v, out) => curv.fisherVectorProduct(v, out), g, dir, 50, 1e-30);
    const fDir = new Float64Array(P);
    curv.fisherVectorProduct(dir, fDir);
    const delta = 0.01;
    const beta = trpoStepScale(dir, fDir, delta);
    const means = (p: Float64Array) => {
      const m = new Float64Array(B * D);
      for (let b = 0; b < B; b++) for (let j = 0; j < D; j++) m[b * D + j] = (p[In * D + j] as number) + [0, 1, 2].reduce((s, i) => s + (x[b * In + i] as number) * (p[i * D + j] as number), 0);
      return m;
    };
    const stepped = Float64Array.from(theta, (t, i) => t + beta * (dir[i] as number));
    const logStd = new Float64Array(B * D).map((_, k) => theta[lsOffset + (k % D)] as number);
    const [m0, m1] = [means(theta), means(stepped)];
    let kl = 0;
    for (let b = 0; b < B; b++) kl += diagGaussian.klRow(m0, logStd, m1, logStd, b * D, D);
    expect(Math.abs(kl / B - delta)).toBeLessThan(1e-6);
  });
});

/** A TRPO agent and a rollout of its own actions on random observations with random rewards. */
function agentWithRollout(kind: 'discrete' | 'gaussian', lineSearch?: typeof backtrackingLineSearch) {
  const OBS = 4;
  const N = 2;
  const T = 64;
  const space = kind === 'discrete' ? new Discrete(2) : new Box(-2, 2, [1]);
  const config = resolveTrpoConfig({ env: 'CartPole-v1', nSteps: T, numEnvs: N, batchSize: 32, nCriticUpdates: 2 });
  const agent = new TrpoAgent(config, OBS, space, new Rng(4), undefined, lineSearch);
  const rng = new Rng(5);
  const buffer = new RolloutBuffer({ numSteps: T, numEnvs: N, observationSize: OBS, actionSize: agent.net.actionSize, discrete: kind === 'discrete' });
  for (let t = 0; t < T; t++) {
    const obs = Float32Array.from({ length: N * OBS }, () => rng.normal());
    const out = agent.act(obs, N, false);
    buffer.addStep(obs, out.actions, out.logProbs, out.values, Float64Array.from({ length: N }, () => rng.normal()));
    buffer.setNextValues(t, [0, 0], [t % 16 === 15 ? 1 : 0, 0]);
  }
  buffer.computeAdvantages(0.99, 0.95);
  return { agent, buffer, config };
}

/** Mean KL(π_before ‖ π_now) on the rollout, recomputed from the network's outputs. */
function klFrom(agent: TrpoAgent, buffer: RolloutBuffer, before: { policy: Float64Array; logStd: Float64Array }): number {
  const B = buffer.size;
  const out = agent.net.forwardTrain(buffer.observations, B);
  const K = agent.net.policyOutputSize;
  let kl = 0;
  if (agent.net.discrete) {
    const [lp, lq] = [new Float64Array(B * K), new Float64Array(B * K)];
    categorical.logSoftmax(before.policy, B, K, lp);
    categorical.logSoftmax(out.policy, B, K, lq);
    for (let b = 0; b < B; b++) kl += categorical.klRow(lp, lq, b * K, K);
  } else {
    for (let b = 0; b < B; b++) kl += diagGaussian.klRow(before.policy, before.logStd, out.policy, out.logStd, b * K, K);
  }
  return kl / B;
}

describe.each(['discrete', 'gaussian'] as const)('TrpoAgent (%s)', (kind) => {
  it('takes a step whose mean KL from the old policy is within δ, and improves the surrogate', () => {
    const { agent, buffer, config } = agentWithRollout(kind);
    const at = agent.net.forwardTrain(buffer.observations, buffer.size);
    const before = { policy: at.policy.slice(), logStd: at.logStd.slice() };
    const m = agent.train(buffer, 0);
    expect(m.details).toMatchObject({ stepAccepted: 1 });
    expect(m.details?.['cgIterations']).toBeGreaterThan(0);
    const kl = klFrom(agent, buffer, before);
    expect(kl).toBeGreaterThan(0);
    expect(kl).toBeLessThanOrEqual(config.targetKl);
    expect(m.approxKl).toBeCloseTo(kl, 12);
    expect(-m.policyLoss).toBeGreaterThanOrEqual(0); // L(θ_old) = mean(A) = 0 after standardisation
  });

  it('keeps the policy parameters bit for bit when every line-search trial fails', () => {
    let moved = false;
    const failing: typeof backtrackingLineSearch = (tryStep, _baseline, s) => {
      let last: TrialResult = { objective: Number.NaN, kl: Number.NaN };
      for (let j = 0; j < s.maxTrials; j++) {
        const before = agent.net.params.slice();
        last = tryStep(s.shrink ** j);
        moved ||= agent.net.params.some((p, i) => p !== before[i]);
      }
      return { accepted: -1, trials: s.maxTrials, last } satisfies LineSearchResult;
    };
    const { agent, buffer } = agentWithRollout(kind, failing);
    const { policy } = actorCriticRanges(agent.net);
    const policyParams = () => policy.map(([from, to]) => Buffer.from(agent.net.params.slice(from, to).buffer));
    const before = policyParams();
    const m = agent.train(buffer, 0);
    expect(moved).toBe(true);
    expect(m.details).toMatchObject({ stepAccepted: 0, lineSearchTrials: 10 });
    policyParams().forEach((p, i) => expect(p.equals(before[i] as Buffer)).toBe(true));
  });
});
