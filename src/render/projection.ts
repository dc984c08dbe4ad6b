/**
 * Orthographic views: a view direction given by azimuth and elevation, and the camera basis
 * (right, up, forward) that projects a world point onto the picture plane.
 * @module
 */

import { ConfigError, describeValue } from '../core/errors.js';
import type { Vec3 } from '../physics/math3.js';

/** The named views: see {@link VIEWS}. */
export type ViewName = 'side' | 'front' | 'top' | 'oblique';

/**
 * A view direction in degrees. Azimuth 0, elevation 0 looks along +y (world x to the right,
 * z up: the side view of the planar walkers); a positive azimuth turns the camera about z
 * (counter-clockwise seen from above), a positive elevation raises it to look down.
 */
export interface ViewAngles {
  /** Degrees about the world z axis. */
  readonly azimuth: number;
  /** In [−90, 90]. */
  readonly elevation: number;
}

/** A named view or explicit angles. */
export type View = ViewName | ViewAngles;

/** Angles of the named views. */
export const VIEWS: Readonly<Record<ViewName, ViewAngles>> = Object.freeze({
  /** x right, z up (looking along +y). */
  side: { azimuth: 0, elevation: 0 },
  /** y right, z up (looking along −x: the walker comes toward the camera). */
  front: { azimuth: 90, elevation: 0 },
  /** x right, y up (looking down). */
  top: { azimuth: 0, elevation: 90 },
  /** From behind-left and above, for the 3-D models (the ant). */
  oblique: { azimuth: -30, elevation: 30 },
});

/**
 * Unit vectors of the picture plane in world coordinates: a world point p lands at plane
 * coordinates (p·right, p·up) and lies at depth p·forward (larger is farther from the camera).
 */
export interface ViewBasis {
  /** Picture x axis (horizontal). */
  readonly right: Readonly<Vec3>;
  /** Picture y axis (up on the screen). */
  readonly up: Readonly<Vec3>;
  /** Viewing direction, away from the camera. */
  readonly forward: Readonly<Vec3>;
}

/** The basis of a view; throws {@link ConfigError} for an unknown name or bad angles. */
export function viewBasis(view: View): ViewBasis {
  const angles = typeof view === 'string' ? VIEWS[view] : view;
  if (angles === undefined || typeof angles !== 'object') {
    throw new ConfigError(`unknown view ${describeValue(view)}; use one of ${Object.keys(VIEWS).join(', ')} or { azimuth, elevation } in degrees`);
  }
  const { azimuth, elevation } = angles;
  if (!Number.isFinite(azimuth) || !Number.isFinite(elevation) || Math.abs(elevation) > 90) {
    throw new ConfigError(`view angles must be finite with |elevation| ≤ 90°, got azimuth ${describeValue(azimuth)}, elevation ${describeValue(elevation)}`);
  }
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  const right: Vec3 = [Math.cos(a), Math.sin(a), 0];
  const forward: Vec3 = [-Math.sin(a) * Math.cos(e), Math.cos(a) * Math.cos(e), -Math.sin(e)];
  // up = right × forward: perpendicular to both, with a non-negative z.
  const up: Vec3 = [
    right[1] * forward[2] - right[2] * forward[1],
    right[2] * forward[0] - right[0] * forward[2],
    right[0] * forward[1] - right[1] * forward[0],
  ];
  return { right: clean(right), up: clean(up), forward: clean(forward) };
}

/** Rounds entries within 1e-15 of 0 to 0, so that axis-aligned views project exactly. */
function clean(v: Vec3): Vec3 {
  return v.map((x) => (Math.abs(x) < 1e-15 ? 0 : x)) as Vec3;
}

/** Plane coordinate u = p·right. */
export const planeU = (b: ViewBasis, p: Readonly<Vec3>): number => p[0] * b.right[0] + p[1] * b.right[1] + p[2] * b.right[2];
/** Plane coordinate v = p·up. */
export const planeV = (b: ViewBasis, p: Readonly<Vec3>): number => p[0] * b.up[0] + p[1] * b.up[1] + p[2] * b.up[2];
/** Depth p·forward (larger is farther). */
export const depthOf = (b: ViewBasis, p: Readonly<Vec3>): number => p[0] * b.forward[0] + p[1] * b.forward[1] + p[2] * b.forward[2];
