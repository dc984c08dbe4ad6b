/**
 * Mass properties of geoms and bodies, as MuJoCo's compiler derives them with
 * `inertiafromgeom`: each geom is a solid of uniform density (default 1000 kg/m³) or of a given
 * mass; a body's mass is the sum over its geoms, its centre of mass the mass-weighted mean, and
 * its inertia tensor the sum of the geoms' tensors moved to that centre (parallel-axis theorem),
 * then diagonalised to principal moments and axes.
 *
 * Formulas (from the integrals, for solids aligned with the geom frame, about their centre):
 * - sphere r: V = 4/3·πr³, I = 2/5·m·r² on every axis.
 * - box with half-sizes a, b, c: V = 8abc, Ixx = m(b² + c²)/3, ...
 * - ellipsoid a, b, c: V = 4/3·πabc, Ixx = m(b² + c²)/5, ...
 * - cylinder r, half-height h: V = πr²·2h, Ixx = Iyy = m(3r² + 4h²)/12, Izz = m·r²/2.
 * - capsule r, half-length h: a cylinder of height 2h plus a sphere of radius r split into two
 *   hemispheres, one at each end. A hemisphere of mass m_s/2 has its centroid 3r/8 from its
 *   flat face and a transverse moment (83/320)·(m_s/2)·r² about it; moving both to the capsule
 *   centre (distance h + 3r/8) gives a transverse contribution
 *   m_s·(2r²/5 + h² + 3hr/4) and an axial one 2/5·m_s·r².
 * @module
 */

import { GeomType, type GeomTypeCode } from './model.js';
import { cross3, matMul, matT, matToQuat, quatToMat, symEig3, type Mat3, type Quat, type Vec3 } from './math3.js';

/** Volume (m³) of a geom, or 0 for planes. */
export function geomVolume(type: GeomTypeCode, size: Readonly<Vec3>): number {
  const [a, b, c] = size;
  switch (type) {
    case GeomType.Sphere:
      return (4 / 3) * Math.PI * a * a * a;
    case GeomType.Capsule:
      return Math.PI * a * a * (2 * b) + (4 / 3) * Math.PI * a * a * a;
    case GeomType.Cylinder:
      return Math.PI * a * a * (2 * b);
    case GeomType.Ellipsoid:
      return (4 / 3) * Math.PI * a * b * c;
    case GeomType.Box:
      return 8 * a * b * c;
    case GeomType.Plane:
      return 0;
  }
}

/**
 * Principal moments (kg·m², about the centre, in the geom frame) of a solid geom of total mass
 * `mass`. For a capsule the mass is split between the cylinder and the end caps in proportion
 * to their volumes, as uniform density implies.
 */
export function geomInertia(type: GeomTypeCode, size: Readonly<Vec3>, mass: number): Vec3 {
  const [a, b, c] = size;
  switch (type) {
    case GeomType.Sphere: {
      const i = 0.4 * mass * a * a;
      return [i, i, i];
    }
    case GeomType.Capsule: {
      const vCyl = Math.PI * a * a * 2 * b;
      const vSph = (4 / 3) * Math.PI * a * a * a;
      const density = mass / (vCyl + vSph);
      const mCyl = density * vCyl;
      const mSph = density * vSph;
      const h = b;
      const r = a;
      const transverse = (mCyl * (3 * r * r + 4 * h * h)) / 12 + mSph * (0.4 * r * r + h * h + 0.75 * h * r);
      const axial = 0.5 * mCyl * r * r + 0.4 * mSph * r * r;
      return [transverse, transverse, axial];
    }
    case GeomType.Cylinder: {
      const transverse = (mass * (3 * a * a + 4 * b * b)) / 12;
      return [transverse, transverse, 0.5 * mass * a * a];
    }
    case GeomType.Ellipsoid:
      return [(mass * (b * b + c * c)) / 5, (mass * (a * a + c * c)) / 5, (mass * (a * a + b * b)) / 5];
    case GeomType.Box:
      return [(mass * (b * b + c * c)) / 3, (mass * (a * a + c * c)) / 3, (mass * (a * a + b * b)) / 3];
    case GeomType.Plane:
      return [0, 0, 0];
  }
}

/** A geom's contribution to its body's mass properties. */
export interface MassElement {
  readonly mass: number;
  /** Centre of mass in the body frame. */
  readonly pos: Readonly<Vec3>;
  /** Orientation of the principal axes in the body frame. */
  readonly quat: Readonly<Quat>;
  /** Principal moments about the element's own centre. */
  readonly inertia: Readonly<Vec3>;
}

/** A body's combined mass properties in the layout of {@link BodySpec}. */
export interface BodyInertial {
  readonly mass: number;
  readonly ipos: Vec3;
  readonly iquat: Quat;
  readonly inertia: Vec3;
}

/**
 * Combines elements into one body inertial: total mass, centre of mass, and the principal
 * moments and axes of the summed tensor I = Σ R·diag(Iₑ)·Rᵀ + mₑ(|d|²𝟙 − d·dᵀ), d = posₑ − com.
 * A single element keeps its own frame exactly. Zero total mass gives a massless inertial at the
 * body origin.
 */
export function combineInertia(elements: readonly MassElement[]): BodyInertial {
  const mass = elements.reduce((s, e) => s + e.mass, 0);
  if (!(mass > 0)) return { mass: 0, ipos: [0, 0, 0], iquat: [1, 0, 0, 0], inertia: [0, 0, 0] };
  if (elements.length === 1) {
    const e = elements[0] as MassElement;
    return { mass: e.mass, ipos: [...e.pos], iquat: [...e.quat], inertia: [...e.inertia] };
  }
  const com: Vec3 = [0, 0, 0];
  for (const e of elements) for (let k = 0; k < 3; k++) com[k] = (com[k] as number) + e.mass * (e.pos[k] as number);
  for (let k = 0; k < 3; k++) com[k] = (com[k] as number) / mass;
  const full: Mat3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const e of elements) {
    const r = quatToMat(e.quat);
    const d: Mat3 = [e.inertia[0], 0, 0, 0, e.inertia[1], 0, 0, 0, e.inertia[2]];
    const rot = matMul(matMul(r, d), matT(r));
    const dx = e.pos[0] - com[0];
    const dy = e.pos[1] - com[1];
    const dz = e.pos[2] - com[2];
    const d2 = dx * dx + dy * dy + dz * dz;
    const dv = [dx, dy, dz];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        full[3 * i + j] = (full[3 * i + j] as number) + (rot[3 * i + j] as number) + e.mass * ((i === j ? d2 : 0) - (dv[i] as number) * (dv[j] as number));
      }
  }
  return { mass, ipos: com, ...principalFrame(full) };
}

/** Principal moments and the quaternion of the principal axes of a symmetric inertia tensor. */
export function principalFrame(full: Readonly<Mat3>): { iquat: Quat; inertia: Vec3 } {
  const { values, vectors } = symEig3(full);
  // Columns of `vectors` are the principal axes; it is a proper rotation (det +1).
  const c0: Vec3 = [vectors[0], vectors[3], vectors[6]];
  const c1: Vec3 = [vectors[1], vectors[4], vectors[7]];
  const c2 = cross3(c0, c1);
  const rot: Mat3 = [c0[0], c1[0], c2[0], c0[1], c1[1], c2[1], c0[2], c1[2], c2[2]];
  return { iquat: matToQuat(rot), inertia: values };
}
