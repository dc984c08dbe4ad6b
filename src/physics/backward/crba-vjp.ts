/**
 * Backward pass of the composite-rigid-body algorithm {@link crba}.
 *
 * **The inertia-product adjoint** (also used by the RNE backward pass):
 * A spatial inertia is stored as 10 numbers (see `CINERT_SIZE`): the symmetric rotational
 * block Ī about the reference point (xx, yy, zz, xy, xz, yz), h = m·c and m. Applied to a
 * motion s = [o; v] it gives the force
 *
 *   I·s = [Ī·o + h × v;  m·v − h × o].
 *
 * For a force cotangent F̄ = [n̄; f̄] of that product, ⟨F̄, I·s⟩ is linear in both I and s:
 *   s̄ = I·F̄ (I is symmetric as a 6×6 operator),
 *   Ī̄ = sym(n̄·oᵀ) (off-diagonals n̄ᵢoⱼ + n̄ⱼoᵢ, each stored once),
 *   h̄ = v × n̄ − o × f̄   (from n̄·(h × v) = h·(v × n̄) and −f̄·(h × o) = −h·(o × f̄)),
 *   m̄ = f̄·v.
 *
 * In the layout [Ixx, Iyy, Izz, Ixy, Ixz, Iyz, hx, hy, hz, m] that is
 *   +n̄ₓoₓ, +n̄ᵧoᵧ, +n̄_zo_z, +(n̄ₓoᵧ + n̄ᵧoₓ), +(n̄ₓo_z + n̄_zoₓ), +(n̄ᵧo_z + n̄_zoᵧ), +(v × n̄ − o × f̄), +f̄·v.
 *
 * The CRBA and RNEA backward passes write this out inline in their world loops: a helper taking
 * sixteen doubles is above V8's inlining size, and each call would then box its arguments.
 * @module
 */

import { checkBuffer } from '../kinematics.js';
import type { PhysicsModel } from '../model.js';
import { CINERT_SIZE } from '../state.js';
import type { ModelParamGrad } from './grad.js';

/** Forward values {@link crbaVjp} reads. */
export interface CrbaVjpForward {
  readonly cinert: Float64Array;
  readonly cdof: Float64Array;
  readonly crb: Float64Array;
  readonly dofForce: Float64Array;
}

/** Cotangents of {@link crbaVjp}. */
export interface CrbaVjpGrad {
  /** Consumed: bars of the outputs (qMBar is only read). */
  readonly qMBar: Float64Array;
  readonly dofForceBar: Float64Array;
  readonly crbBar: Float64Array;
  /** Accumulated into. */
  readonly cinertBar: Float64Array;
  readonly cdofBar: Float64Array;
  /** Accumulated into: `dofArmature`. */
  readonly params: ModelParamGrad;
  /** Scratch [B] and 4 × [nbody·6·B]. */
  readonly crbaRow: Float64Array;
  readonly rankOneVelU: Float64Array;
  readonly rankOneVelX: Float64Array;
  readonly rankOneMomU: Float64Array;
  readonly rankOneMomX: Float64Array;
}

/** F̄_i += m̄·S_j and S̄_j += m̄·F_i for one path entry (i, j), m̄ per world in `mrow`. */
function pathEntryAdj(
  mrow: Float64Array, cdof: Float64Array, dofForce: Float64Array, dofForceBar: Float64Array, cdofBar: Float64Array,
  S: number, T: number, B: number,
): void {
  for (let w = 0; w < B; w++) {
    const mb = mrow[w] as number;
    dofForceBar[S + w] = (dofForceBar[S + w] as number) + mb * (cdof[T + w] as number);
    dofForceBar[S + B + w] = (dofForceBar[S + B + w] as number) + mb * (cdof[T + B + w] as number);
    dofForceBar[S + 2 * B + w] = (dofForceBar[S + 2 * B + w] as number) + mb * (cdof[T + 2 * B + w] as number);
    dofForceBar[S + 3 * B + w] = (dofForceBar[S + 3 * B + w] as number) + mb * (cdof[T + 3 * B + w] as number);
    dofForceBar[S + 4 * B + w] = (dofForceBar[S + 4 * B + w] as number) + mb * (cdof[T + 4 * B + w] as number);
    dofForceBar[S + 5 * B + w] = (dofForceBar[S + 5 * B + w] as number) + mb * (cdof[T + 5 * B + w] as number);
    cdofBar[T + w] = (cdofBar[T + w] as number) + mb * (dofForce[S + w] as number);
    cdofBar[T + B + w] = (cdofBar[T + B + w] as number) + mb * (dofForce[S + B + w] as number);
    cdofBar[T + 2 * B + w] = (cdofBar[T + 2 * B + w] as number) + mb * (dofForce[S + 2 * B + w] as number);
    cdofBar[T + 3 * B + w] = (cdofBar[T + 3 * B + w] as number) + mb * (dofForce[S + 3 * B + w] as number);
    cdofBar[T + 4 * B + w] = (cdofBar[T + 4 * B + w] as number) + mb * (dofForce[S + 4 * B + w] as number);
    cdofBar[T + 5 * B + w] = (cdofBar[T + 5 * B + w] as number) + mb * (dofForce[S + 5 * B + w] as number);
  }
}

/**
 * VJP of {@link crba}: adds to the bars of `cinert` and `cdof` and to the gradient of
 * `dofArmature` the contribution of
 * - (when `readOutputBars`, the default) the bars of its outputs `qM` (dense `grad.qMBar`),
 *   `dofForce` and `crb`;
 * - (when `solveBar` u and `solveX` x are given) the rank-one M̄ = −u·xᵀ that a solve
 *   x = M⁻¹b sends to M (b̄ = u = M⁻¹x̄), contracted without ever forming an nv×nv matrix.
 *
 * Dense part — adjoint of the forward as written (I^c_b = I_b + Σ_children I^c,
 * F_i = I^c_{body(i)}·S_i, M_ij = M_ji = S_j·F_i for j on the path from i to the root,
 * M_ii += armature_i):
 * - each stored path entry (i, j) is read by the loss through both qM[i,j] and qM[j,i], so its
 *   bar is m̄_ij = M̄_ij + M̄_ji (once on the diagonal);
 * - F̄_i = Σ_j m̄_ij·S_j and S̄_j += m̄_ij·F_i (the dot product is bilinear);
 * - F_i = I^c·S_i: Ī^c += ∂⟨F̄_i, I^c·S_i⟩/∂I^c and S̄_i += I^c·F̄_i (see the module doc);
 * - the subtree sums run root to leaves: every child inherits its parent's Ī^c (the forward
 *   added each child into its parent, so the child's value reaches everything the parent's does),
 *   and finally Ī_b += Ī^c_b (the world's included: crb starts as a copy of cinert);
 * - armature̅_i = M̄_ii.
 * That costs one update per path entry, O(nv·depth).
 *
 * Rank-one part, in O(nbody): the CRBA's M is, as a polynomial in cinert and cdof, the same as
 * Σ_b J_bᵀ·I_b·J_b with J_b·y = V_b(y) = Σ_{dofs d on b's path} S_d·y_d (each entry M_ij sums
 * I_b over the bodies below both dofs, which is I^c of the deeper one). So
 * ⟨−u·xᵀ, M⟩ = −Σ_b V_b(u)ᵀ·I_b·V_b(x), whose derivatives are
 *   Ī_b += ∂⟨−V_b(u), I_b·V_b(x)⟩/∂I_b,
 *   S̄_d += −(u_d·Σ_{b below d} I_b·V_b(x) + x_d·Σ_{b below d} I_b·V_b(u)),
 *   armature̅_d += −u_d·x_d,
 * i.e. two velocity-like recursions down the tree, two momenta per body, and their subtree
 * sums back up — instead of one update per path entry.
 */
export function crbaVjp(
  model: PhysicsModel,
  B: number,
  fwd: CrbaVjpForward,
  grad: CrbaVjpGrad,
  solveBar: Float64Array | null = null,
  solveX: Float64Array | null = null,
  readOutputBars = true,
): void {
  if (readOutputBars) crbaVjpDense(model, B, fwd, grad);
  if (solveBar !== null && solveX !== null) crbaVjpRankOne(model, B, fwd, grad, solveBar, solveX);
}

/** The rank-one part of {@link crbaVjp}: M̄ = −u·xᵀ. */
function crbaVjpRankOne(model: PhysicsModel, B: number, fwd: CrbaVjpForward, grad: CrbaVjpGrad, u: Float64Array, x: Float64Array): void {
  const { nbody, nv, bodyParent, bodyDofAdr, bodyDofNum, dofBody } = model;
  const { cinert, cdof } = fwd;
  const { cinertBar, cdofBar, params, rankOneVelU: vu, rankOneVelX: vx, rankOneMomU: pu, rankOneMomX: px } = grad;
  checkBuffer(cinert, nbody * CINERT_SIZE * B, 'cinert');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(u, nv * B, 'solveBar');
  checkBuffer(x, nv * B, 'solveX');
  checkBuffer(cinertBar, nbody * CINERT_SIZE * B, 'cinertBar');
  checkBuffer(cdofBar, nv * 6 * B, 'cdofBar');
  for (const [a, n] of [[vu, 'rankOneVelU'], [vx, 'rankOneVelX'], [pu, 'rankOneMomU'], [px, 'rankOneMomX']] as const) checkBuffer(a, nbody * 6 * B, n);
  const armBar = params.dofArmature;

  // Root to leaves: V_b(u), V_b(x), then the momenta I_b·V_b and Ī_b.
  for (let b = 1; b < nbody; b++) {
    const p = bodyParent[b] as number;
    const V = 6 * b * B;
    const PV = 6 * p * B;
    if (p === 0) {
      for (let t = 0; t < 6 * B; t++) {
        vu[V + t] = 0;
        vx[V + t] = 0;
      }
    } else {
      for (let t = 0; t < 6 * B; t++) {
        vu[V + t] = vu[PV + t] as number;
        vx[V + t] = vx[PV + t] as number;
      }
    }
    const dadr = bodyDofAdr[b] as number;
    const dnum = bodyDofNum[b] as number;
    for (let d = dadr; d < dadr + dnum; d++) {
      const D = 6 * d * B;
      const Q = d * B;
      for (let w = 0; w < B; w++) {
        const ud = u[Q + w] as number;
        const xd = x[Q + w] as number;
        for (let k = 0; k < 6; k++) {
          const s = cdof[D + k * B + w] as number;
          vu[V + k * B + w] = (vu[V + k * B + w] as number) + s * ud;
          vx[V + k * B + w] = (vx[V + k * B + w] as number) + s * xd;
        }
      }
    }
    const C = CINERT_SIZE * b * B;
    for (let w = 0; w < B; w++) {
      const ixx = cinert[C + w] as number, iyy = cinert[C + B + w] as number, izz = cinert[C + 2 * B + w] as number;
      const ixy = cinert[C + 3 * B + w] as number, ixz = cinert[C + 4 * B + w] as number, iyz = cinert[C + 5 * B + w] as number;
      const hx = cinert[C + 6 * B + w] as number, hy = cinert[C + 7 * B + w] as number, hz = cinert[C + 8 * B + w] as number;
      const m = cinert[C + 9 * B + w] as number;
      const aox = vu[V + w] as number, aoy = vu[V + B + w] as number, aoz = vu[V + 2 * B + w] as number;
      const avx = vu[V + 3 * B + w] as number, avy = vu[V + 4 * B + w] as number, avz = vu[V + 5 * B + w] as number;
      const nux = -aox, nuy = -aoy, nuz = -aoz, nvx = -avx, nvy = -avy, nvz = -avz;
      const box = vx[V + w] as number, boy = vx[V + B + w] as number, boz = vx[V + 2 * B + w] as number;
      const bvx = vx[V + 3 * B + w] as number, bvy = vx[V + 4 * B + w] as number, bvz = vx[V + 5 * B + w] as number;
      pu[V + w] = ixx * aox + ixy * aoy + ixz * aoz + (hy * avz - hz * avy);
      pu[V + B + w] = ixy * aox + iyy * aoy + iyz * aoz + (hz * avx - hx * avz);
      pu[V + 2 * B + w] = ixz * aox + iyz * aoy + izz * aoz + (hx * avy - hy * avx);
      pu[V + 3 * B + w] = m * avx - (hy * aoz - hz * aoy);
      pu[V + 4 * B + w] = m * avy - (hz * aox - hx * aoz);
      pu[V + 5 * B + w] = m * avz - (hx * aoy - hy * aox);
      px[V + w] = ixx * box + ixy * boy + ixz * boz + (hy * bvz - hz * bvy);
      px[V + B + w] = ixy * box + iyy * boy + iyz * boz + (hz * bvx - hx * bvz);
      px[V + 2 * B + w] = ixz * box + iyz * boy + izz * boz + (hx * bvy - hy * bvx);
      px[V + 3 * B + w] = m * bvx - (hy * boz - hz * boy);
      px[V + 4 * B + w] = m * bvy - (hz * box - hx * boz);
      px[V + 5 * B + w] = m * bvz - (hx * boy - hy * box);
      // Ī_b += ∂⟨−V(u), I·V(x)⟩/∂I (module doc)
      cinertBar[C + w] = (cinertBar[C + w] as number) + nux * box;
      cinertBar[C + B + w] = (cinertBar[C + B + w] as number) + nuy * boy;
      cinertBar[C + 2 * B + w] = (cinertBar[C + 2 * B + w] as number) + nuz * boz;
      cinertBar[C + 3 * B + w] = (cinertBar[C + 3 * B + w] as number) + nux * boy + nuy * box;
      cinertBar[C + 4 * B + w] = (cinertBar[C + 4 * B + w] as number) + nux * boz + nuz * box;
      cinertBar[C + 5 * B + w] = (cinertBar[C + 5 * B + w] as number) + nuy * boz + nuz * boy;
      cinertBar[C + 6 * B + w] = (cinertBar[C + 6 * B + w] as number) + (bvy * nuz - bvz * nuy) - (boy * nvz - boz * nvy);
      cinertBar[C + 7 * B + w] = (cinertBar[C + 7 * B + w] as number) + (bvz * nux - bvx * nuz) - (boz * nvx - box * nvz);
      cinertBar[C + 8 * B + w] = (cinertBar[C + 8 * B + w] as number) + (bvx * nuy - bvy * nux) - (box * nvy - boy * nvx);
      cinertBar[C + 9 * B + w] = (cinertBar[C + 9 * B + w] as number) + nvx * bvx + nvy * bvy + nvz * bvz;
    }
  }
  // Leaves to root: subtree sums of the momenta (per tree).
  for (let b = nbody - 1; b > 1; b--) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = 6 * b * B;
    const dst = 6 * p * B;
    for (let t = 0; t < 6 * B; t++) {
      pu[dst + t] = (pu[dst + t] as number) + (pu[src + t] as number);
      px[dst + t] = (px[dst + t] as number) + (px[src + t] as number);
    }
  }
  for (let d = 0; d < nv; d++) {
    const D = 6 * d * B;
    const V = 6 * (dofBody[d] as number) * B;
    const Q = d * B;
    for (let w = 0; w < B; w++) {
      const ud = u[Q + w] as number;
      const xd = x[Q + w] as number;
      for (let k = 0; k < 6; k++) {
        cdofBar[D + k * B + w] = (cdofBar[D + k * B + w] as number) - ud * (px[V + k * B + w] as number) - xd * (pu[V + k * B + w] as number);
      }
      armBar[Q + w] = (armBar[Q + w] as number) - ud * xd;
    }
  }
}

/** The dense part of {@link crbaVjp}: the bars of qM, dofForce and crb. */
function crbaVjpDense(model: PhysicsModel, B: number, fwd: CrbaVjpForward, grad: CrbaVjpGrad): void {
  const { nbody, nv, bodyParent, dofBody, dofParent } = model;
  const { cdof, crb, dofForce } = fwd;
  const { qMBar, dofForceBar, crbBar, cinertBar, cdofBar, params, crbaRow: mrow } = grad;
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(crb, nbody * CINERT_SIZE * B, 'crb');
  checkBuffer(dofForce, nv * 6 * B, 'dofForce');
  checkBuffer(qMBar, nv * nv * B, 'qMBar');
  checkBuffer(dofForceBar, nv * 6 * B, 'dofForceBar');
  checkBuffer(crbBar, nbody * CINERT_SIZE * B, 'crbBar');
  checkBuffer(cinertBar, nbody * CINERT_SIZE * B, 'cinertBar');
  checkBuffer(cdofBar, nv * 6 * B, 'cdofBar');
  checkBuffer(mrow, B, 'crbaRow');
  const armBar = params.dofArmature;
  const K = CINERT_SIZE * B;

  for (let i = 0; i < nv; i++) {
    const S = 6 * i * B;
    const I = i * B;
    for (let j = i; j >= 0; j = dofParent[j] as number) {
      const T = 6 * j * B;
      const ij = (i * nv + j) * B;
      const ji = (j * nv + i) * B;
      // m̄_ij for every world into the scratch row, branches hoisted out of the world loops.
      if (i === j) {
        for (let w = 0; w < B; w++) mrow[w] = qMBar[ij + w] as number;
        for (let w = 0; w < B; w++) armBar[I + w] = (armBar[I + w] as number) + (mrow[w] as number);
      } else {
        for (let w = 0; w < B; w++) mrow[w] = (qMBar[ij + w] as number) + (qMBar[ji + w] as number);
      }
      pathEntryAdj(mrow, cdof, dofForce, dofForceBar, cdofBar, S, T, B);
    }
    // F_i = I^c·S_i
    const C = (dofBody[i] as number) * K;
    for (let w = 0; w < B; w++) {
      const ixx = crb[C + w] as number, iyy = crb[C + B + w] as number, izz = crb[C + 2 * B + w] as number;
      const ixy = crb[C + 3 * B + w] as number, ixz = crb[C + 4 * B + w] as number, iyz = crb[C + 5 * B + w] as number;
      const hx = crb[C + 6 * B + w] as number, hy = crb[C + 7 * B + w] as number, hz = crb[C + 8 * B + w] as number;
      const m = crb[C + 9 * B + w] as number;
      const nbx = dofForceBar[S + w] as number, nby = dofForceBar[S + B + w] as number, nbz = dofForceBar[S + 2 * B + w] as number;
      const fbx = dofForceBar[S + 3 * B + w] as number, fby = dofForceBar[S + 4 * B + w] as number, fbz = dofForceBar[S + 5 * B + w] as number;
      const ox = cdof[S + w] as number, oy = cdof[S + B + w] as number, oz = cdof[S + 2 * B + w] as number;
      const vx = cdof[S + 3 * B + w] as number, vy = cdof[S + 4 * B + w] as number, vz = cdof[S + 5 * B + w] as number;
      // Ī^c += ∂⟨F̄, I^c·S⟩/∂I^c (module doc)
      crbBar[C + w] = (crbBar[C + w] as number) + nbx * ox;
      crbBar[C + B + w] = (crbBar[C + B + w] as number) + nby * oy;
      crbBar[C + 2 * B + w] = (crbBar[C + 2 * B + w] as number) + nbz * oz;
      crbBar[C + 3 * B + w] = (crbBar[C + 3 * B + w] as number) + nbx * oy + nby * ox;
      crbBar[C + 4 * B + w] = (crbBar[C + 4 * B + w] as number) + nbx * oz + nbz * ox;
      crbBar[C + 5 * B + w] = (crbBar[C + 5 * B + w] as number) + nby * oz + nbz * oy;
      crbBar[C + 6 * B + w] = (crbBar[C + 6 * B + w] as number) + (vy * nbz - vz * nby) - (oy * fbz - oz * fby);
      crbBar[C + 7 * B + w] = (crbBar[C + 7 * B + w] as number) + (vz * nbx - vx * nbz) - (oz * fbx - ox * fbz);
      crbBar[C + 8 * B + w] = (crbBar[C + 8 * B + w] as number) + (vx * nby - vy * nbx) - (ox * fby - oy * fbx);
      crbBar[C + 9 * B + w] = (crbBar[C + 9 * B + w] as number) + fbx * vx + fby * vy + fbz * vz;
      // S̄_i += I^c·F̄_i
      cdofBar[S + w] = (cdofBar[S + w] as number) + ixx * nbx + ixy * nby + ixz * nbz + (hy * fbz - hz * fby);
      cdofBar[S + B + w] = (cdofBar[S + B + w] as number) + ixy * nbx + iyy * nby + iyz * nbz + (hz * fbx - hx * fbz);
      cdofBar[S + 2 * B + w] = (cdofBar[S + 2 * B + w] as number) + ixz * nbx + iyz * nby + izz * nbz + (hx * fby - hy * fbx);
      cdofBar[S + 3 * B + w] = (cdofBar[S + 3 * B + w] as number) + m * fbx - (hy * nbz - hz * nby);
      cdofBar[S + 4 * B + w] = (cdofBar[S + 4 * B + w] as number) + m * fby - (hz * nbx - hx * nbz);
      cdofBar[S + 5 * B + w] = (cdofBar[S + 5 * B + w] as number) + m * fbz - (hx * nby - hy * nbx);
    }
  }

  // Subtree sums, root to leaves (reverse of the forward's leaves-to-root loop).
  for (let b = 2; b < nbody; b++) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = p * K;
    const dst = b * K;
    for (let t = 0; t < K; t++) crbBar[dst + t] = (crbBar[dst + t] as number) + (crbBar[src + t] as number);
  }
  // crb starts as a copy of cinert (the world body's included).
  for (let t = 0; t < nbody * K; t++) cinertBar[t] = (cinertBar[t] as number) + (crbBar[t] as number);
}
