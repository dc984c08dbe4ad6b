/**
 * Small 3-D helpers for model compilation (loader, inertia). They allocate plain arrays and are
 * not meant for per-step code: the batched stages inline their own arithmetic over the world
 * index instead.
 *
 * Conventions: quaternions are (w, x, y, z) and unit; a rotation matrix is row-major 3×3 and
 * maps body coordinates to parent coordinates, `v_parent = R·v_body`.
 * @module
 */

/** A 3-vector. */
export type Vec3 = [number, number, number];
/** A quaternion (w, x, y, z). */
export type Quat = [number, number, number, number];
/** A row-major 3×3 matrix. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

/** The identity quaternion. */
export const QUAT_IDENTITY: Readonly<Quat> = [1, 0, 0, 0];

/** Hamilton product a·b (apply b first, then a). */
export function quatMul(a: Readonly<Quat>, b: Readonly<Quat>): Quat {
  const [aw, ax, ay, az] = a;
  const [bw, bx, by, bz] = b;
  return [
    aw * bw - ax * bx - ay * by - az * bz,
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
  ];
}

/** q/|q|; throws on a zero quaternion. */
export function quatNormalize(q: Readonly<Quat>): Quat {
  const s = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!(s > 0)) throw new RangeError(`cannot normalise the zero quaternion`);
  return [q[0] / s, q[1] / s, q[2] / s, q[3] / s];
}

/** Rotation by `angle` radians about the unit-normalised `axis`. */
export function quatFromAxisAngle(axis: Readonly<Vec3>, angle: number): Quat {
  const a = normalize3(axis);
  const s = Math.sin(angle / 2);
  return [Math.cos(angle / 2), a[0] * s, a[1] * s, a[2] * s];
}

/** Rotation matrix of a unit quaternion. */
export function quatToMat(q: Readonly<Quat>): Mat3 {
  const [w, x, y, z] = q;
  const xx = x * x, yy = y * y, zz = z * z;
  const xy = x * y, xz = x * z, yz = y * z;
  const wx = w * x, wy = w * y, wz = w * z;
  return [
    1 - 2 * (yy + zz), 2 * (xy - wz), 2 * (xz + wy),
    2 * (xy + wz), 1 - 2 * (xx + zz), 2 * (yz - wx),
    2 * (xz - wy), 2 * (yz + wx), 1 - 2 * (xx + yy),
  ];
}

/**
 * Unit quaternion of a proper rotation matrix (Shepperd's method: branch on the largest of
 * trace and diagonal so the square root is taken of a number ≥ 1, which keeps full precision).
 */
export function matToQuat(m: Readonly<Mat3>): Quat {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = m;
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr >= m00 && tr >= m11 && tr >= m22) {
    const s = 2 * Math.sqrt(1 + tr);
    q = [s / 4, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 >= m11 && m00 >= m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    q = [(m21 - m12) / s, s / 4, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 >= m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    q = [(m02 - m20) / s, (m01 + m10) / s, s / 4, (m12 + m21) / s];
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, s / 4];
  }
  if (q[0] < 0) q = [-q[0], -q[1], -q[2], -q[3]];
  return quatNormalize(q);
}

/** R·v. */
export function matVec(m: Readonly<Mat3>, v: Readonly<Vec3>): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** Rotates v by the unit quaternion q. */
export function quatRotate(q: Readonly<Quat>, v: Readonly<Vec3>): Vec3 {
  return matVec(quatToMat(q), v);
}

/** a·b for 3×3 matrices. */
export function matMul(a: Readonly<Mat3>, b: Readonly<Mat3>): Mat3 {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (a[3 * i + k] as number) * (b[3 * k + j] as number);
      r[3 * i + j] = s;
    }
  return r as Mat3;
}

/** Transpose. */
export function matT(a: Readonly<Mat3>): Mat3 {
  return [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
}

/** a × b. */
export function cross3(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** a · b. */
export function dot3(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** v/|v|; throws on a zero vector. */
export function normalize3(v: Readonly<Vec3>): Vec3 {
  const s = Math.hypot(v[0], v[1], v[2]);
  if (!(s > 0)) throw new RangeError(`cannot normalise the zero vector`);
  return [v[0] / s, v[1] / s, v[2] / s];
}

/**
 * The rotation that takes +z to the direction of `v` along the shortest arc: the half-way
 * quaternion (1 + ẑ·v̂, ẑ × v̂) normalised. When v points along −z that is undefined, and a
 * half turn about x is used.
 */
export function quatZToVec(v: Readonly<Vec3>): Quat {
  const d = normalize3(v);
  const c = d[2]; // ẑ·v̂
  if (c < -1 + 1e-14) return [0, 1, 0, 0];
  // ẑ × v̂ = (−v̂y, v̂x, 0)
  return quatNormalize([1 + c, -d[1], d[0], 0]);
}

/**
 * Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations (each rotation
 * zeroes one off-diagonal entry exactly; the sum of squares of the off-diagonal part falls
 * quadratically, so ~6 sweeps reach machine precision). Returns the eigenvalues and a proper
 * rotation matrix V (det +1) with `A = V·diag(values)·Vᵀ`, eigenvectors in V's columns, sorted
 * by decreasing eigenvalue.
 */
export function symEig3(a: Readonly<Mat3>): { values: Vec3; vectors: Mat3 } {
  const m: number[] = [...a];
  const at = (arr: readonly number[], i: number): number => arr[i] as number;
  // Symmetrise exactly so the rotations act on one well-defined matrix.
  for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) {
    const s = 0.5 * (at(m, 3 * i + j) + at(m, 3 * j + i));
    m[3 * i + j] = s;
    m[3 * j + i] = s;
  }
  const v: number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = at(m, 1) ** 2 + at(m, 2) ** 2 + at(m, 5) ** 2;
    const diag = at(m, 0) ** 2 + at(m, 4) ** 2 + at(m, 8) ** 2;
    if (off <= 1e-34 * diag || off === 0) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apq = at(m, 3 * p + q);
      if (apq === 0) continue;
      const app = at(m, 3 * p + p);
      const aqq = at(m, 3 * q + q);
      // Rotation angle that annihilates a_pq (Golub & Van Loan §8.5, stable small-t root).
      const theta = (aqq - app) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      // m ← Jᵀ m J with J the Givens rotation in the (p, q) plane.
      for (let k = 0; k < 3; k++) {
        const mkp = at(m, 3 * k + p);
        const mkq = at(m, 3 * k + q);
        m[3 * k + p] = c * mkp - s * mkq;
        m[3 * k + q] = s * mkp + c * mkq;
      }
      for (let k = 0; k < 3; k++) {
        const mpk = at(m, 3 * p + k);
        const mqk = at(m, 3 * q + k);
        m[3 * p + k] = c * mpk - s * mqk;
        m[3 * q + k] = s * mpk + c * mqk;
      }
      m[3 * p + q] = 0;
      m[3 * q + p] = 0;
      for (let k = 0; k < 3; k++) {
        const vkp = at(v, 3 * k + p);
        const vkq = at(v, 3 * k + q);
        v[3 * k + p] = c * vkp - s * vkq;
        v[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => at(m, 4 * j) - at(m, 4 * i));
  const values = order.map((i) => at(m, 4 * i)) as Vec3;
  const vectors = [0, 0, 0, 0, 0, 0, 0, 0, 0] as Mat3;
  order.forEach((src, dst) => {
    for (let k = 0; k < 3; k++) vectors[3 * k + dst] = at(v, 3 * k + src);
  });
  // Make V a proper rotation (the third column = first × second).
  const c0: Vec3 = [vectors[0], vectors[3], vectors[6]];
  const c1: Vec3 = [vectors[1], vectors[4], vectors[7]];
  const c2 = cross3(c0, c1);
  vectors[2] = c2[0];
  vectors[5] = c2[1];
  vectors[8] = c2[2];
  return { values, vectors };
}
