/**
 * World poses of the geoms (for drawing, observations and sensors; the contact stage works from
 * the body poses and the model's contact spheres directly).
 * @module
 */

import { checkBuffer } from './kinematics.js';
import type { PhysicsModel } from './model.js';
import type { GeomPoseBuffers } from './state.js';

/**
 * Geom centres `geomXpos` = x_b + R_b·pos_g and orientations `geomXmat` = R_b·R(quat_g) of all
 * B worlds, from the body poses of {@link kinematics}. World-body geoms get their fixed pose.
 */
export function geomPoses(model: PhysicsModel, B: number, io: GeomPoseBuffers): void {
  const { nbody, ngeom, geomBody, geomPos, geomQuat } = model;
  const { xpos, xmat, geomXpos, geomXmat } = io;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(xmat, nbody * 9 * B, 'xmat');
  checkBuffer(geomXpos, ngeom * 3 * B, 'geomXpos');
  checkBuffer(geomXmat, ngeom * 9 * B, 'geomXmat');
  for (let g = 0; g < ngeom; g++) {
    const b = geomBody[g] as number;
    const P = 3 * b * B;
    const M = 9 * b * B;
    const G = 3 * g * B;
    const GM = 9 * g * B;
    const ox = geomPos[3 * g] as number;
    const oy = geomPos[3 * g + 1] as number;
    const oz = geomPos[3 * g + 2] as number;
    const qw = geomQuat[4 * g] as number;
    const qx = geomQuat[4 * g + 1] as number;
    const qy = geomQuat[4 * g + 2] as number;
    const qz = geomQuat[4 * g + 3] as number;
    // Local rotation of the geom in its body (a model constant).
    const l00 = 1 - 2 * (qy * qy + qz * qz), l01 = 2 * (qx * qy - qw * qz), l02 = 2 * (qx * qz + qw * qy);
    const l10 = 2 * (qx * qy + qw * qz), l11 = 1 - 2 * (qx * qx + qz * qz), l12 = 2 * (qy * qz - qw * qx);
    const l20 = 2 * (qx * qz - qw * qy), l21 = 2 * (qy * qz + qw * qx), l22 = 1 - 2 * (qx * qx + qy * qy);
    for (let w = 0; w < B; w++) {
      const m00 = xmat[M + w] as number, m01 = xmat[M + B + w] as number, m02 = xmat[M + 2 * B + w] as number;
      const m10 = xmat[M + 3 * B + w] as number, m11 = xmat[M + 4 * B + w] as number, m12 = xmat[M + 5 * B + w] as number;
      const m20 = xmat[M + 6 * B + w] as number, m21 = xmat[M + 7 * B + w] as number, m22 = xmat[M + 8 * B + w] as number;
      geomXpos[G + w] = (xpos[P + w] as number) + m00 * ox + m01 * oy + m02 * oz;
      geomXpos[G + B + w] = (xpos[P + B + w] as number) + m10 * ox + m11 * oy + m12 * oz;
      geomXpos[G + 2 * B + w] = (xpos[P + 2 * B + w] as number) + m20 * ox + m21 * oy + m22 * oz;
      geomXmat[GM + w] = m00 * l00 + m01 * l10 + m02 * l20;
      geomXmat[GM + B + w] = m00 * l01 + m01 * l11 + m02 * l21;
      geomXmat[GM + 2 * B + w] = m00 * l02 + m01 * l12 + m02 * l22;
      geomXmat[GM + 3 * B + w] = m10 * l00 + m11 * l10 + m12 * l20;
      geomXmat[GM + 4 * B + w] = m10 * l01 + m11 * l11 + m12 * l21;
      geomXmat[GM + 5 * B + w] = m10 * l02 + m11 * l12 + m12 * l22;
      geomXmat[GM + 6 * B + w] = m20 * l00 + m21 * l10 + m22 * l20;
      geomXmat[GM + 7 * B + w] = m20 * l01 + m21 * l11 + m22 * l21;
      geomXmat[GM + 8 * B + w] = m20 * l02 + m21 * l12 + m22 * l22;
    }
  }
}
