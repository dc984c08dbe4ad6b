/**
 * The camera of a sequence of frames: view, picture size, scale and where each frame is
 * centred. One plan serves a whole episode, so the scale never changes between frames.
 *
 * - Following a body (the default, body 1: the torso of the locomotion models): each frame is
 *   centred on the body's horizontal position (x, y) at a fixed height, halfway between the
 *   ground and the top of the model in the first pose; the scale fits the model's extent in the
 *   first pose with room to fall over. The ground scrolls underneath.
 * - Fixed (`follow: false`): one centre and scale that fit every pose (and the ground line).
 * @module
 */

import { ConfigError, describeValue } from '../core/errors.js';
import type { Vec3 } from '../physics/math3.js';
import { GeomType, JointType, type PhysicsModel } from '../physics/model.js';
import { RenderError, type PoseRecord } from './pose.js';
import { planeU, planeV, viewBasis, type View, type ViewBasis, type ViewName } from './projection.js';
import { emptyBounds, geomShape, shapeBounds, unionBounds, type Bounds, type PixelMap } from './shapes.js';

/** Camera options shared by every renderer. */
export interface CameraOptions {
  /** Projection (default {@link defaultView}: `'side'`, x right and z up, for the planar walkers; `'oblique'` for the ant). */
  readonly view?: View;
  /** Picture width in px (default 480). */
  readonly width?: number;
  /** Picture height in px (default 320). */
  readonly height?: number;
  /** Pixels per metre (default: fitted, see the module documentation). */
  readonly scale?: number;
  /** Body to follow, by index or name (default 1, the first body below the world); `false` for a fixed camera that fits every pose. */
  readonly follow?: number | string | false;
}

/** A resolved camera: basis, size, scale and the pixel map of each frame. */
export interface CameraPlan {
  /** The view's projection. */
  readonly basis: ViewBasis;
  /** Picture width in px. */
  readonly width: number;
  /** Picture height in px. */
  readonly height: number;
  /** Pixels per metre. */
  readonly scale: number;
  /** Plane → pixel map of frame i (one per pose given to {@link planCamera}). */
  readonly frames: readonly PixelMap[];
}

/** Room around the model's extent when following it: a walker that falls over still fits. */
const FOLLOW_MARGIN = 1.5;
/** Room around the fitted bounds of a fixed camera. */
const FIXED_MARGIN = 1.1;

const positive = (name: string, v: number | undefined, def: number): number => {
  const x = v ?? def;
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new ConfigError(`${name} must be a finite number > 0, got ${describeValue(v)}`);
  return x;
};

/** Index of the body to follow, or −1 for a fixed camera. */
function followedBody(model: PhysicsModel, follow: number | string | false | undefined): number {
  if (follow === false) return -1;
  if (follow === undefined) return model.nbody > 1 ? 1 : -1;
  const b = typeof follow === 'string' ? model.bodyNames.indexOf(follow) : follow;
  if (!Number.isInteger(b) || b < 0 || b >= model.nbody) {
    throw new ConfigError(`follow: no body ${describeValue(follow)} in model "${model.name}" (bodies: ${model.bodyNames.map((n, i) => n || `#${i}`).join(', ')})`);
  }
  return b;
}

/** The view that suits a model: `'oblique'` when it has a free joint (it moves in 3-D, as the ant), else `'side'` (the planar walkers). */
export function defaultView(model: PhysicsModel): ViewName {
  return model.jntType.includes(JointType.Free) ? 'oblique' : 'side';
}

/** Height of the first ground plane (null when the model has none). */
export function groundHeight(model: PhysicsModel, pose: PoseRecord): number | null {
  for (let g = 0; g < model.ngeom; g++) if (model.geomType[g] === GeomType.Plane) return (pose.geoms[g] as PoseRecord['geoms'][number]).pos[2];
  return null;
}

/** Radius of a sphere around geom g's centre that contains it. */
function boundingRadius(model: PhysicsModel, g: number): number {
  const s = model.geomSize.subarray(3 * g, 3 * g + 3);
  const [a, b, c] = [s[0] as number, s[1] as number, s[2] as number];
  switch (model.geomType[g]) {
    case GeomType.Sphere:
      return a;
    case GeomType.Capsule:
      return a + b;
    case GeomType.Cylinder:
      return Math.hypot(a, b);
    case GeomType.Box:
      return Math.hypot(a, b, c);
    default:
      return Math.max(a, b, c);
  }
}

/** Projected bounds of every drawn geom of a pose. */
function poseBounds(model: PhysicsModel, pose: PoseRecord, basis: ViewBasis): Bounds {
  let b = emptyBounds();
  pose.geoms.forEach((geom, g) => {
    const shape = geomShape(model, g, geom, basis);
    if (shape !== null) b = unionBounds(b, shapeBounds(shape));
  });
  return b;
}

/**
 * The camera for `poses` (at least one), with options checked: throws {@link ConfigError} for
 * bad sizes, views or bodies, {@link RenderError} for an empty sequence.
 */
export function planCamera(model: PhysicsModel, poses: readonly PoseRecord[], options: CameraOptions = {}): CameraPlan {
  const first = poses[0];
  if (first === undefined) throw new RenderError('nothing to draw: no poses given');
  const basis = viewBasis(options.view ?? defaultView(model));
  const width = positive('width', options.width, 480);
  const height = positive('height', options.height, 320);
  if (options.scale !== undefined) positive('scale', options.scale, 1);
  const body = followedBody(model, options.follow);
  const ground = groundHeight(model, first);
  const frame = (scale: number, u0: number, v0: number): PixelMap => ({ x0: width / 2 - scale * u0, y0: height / 2 + scale * v0, scale });

  if (body < 0) {
    let b = emptyBounds();
    for (const pose of poses) b = unionBounds(b, poseBounds(model, pose, basis));
    // Seen edge-on (elevation 0), the ground is a line at v = its height: keep it in view.
    if (ground !== null && Number.isFinite(b[0]) && basis.forward[2] === 0) {
      const below: Vec3 = [0, 0, ground];
      b = unionBounds(b, [b[0], planeV(basis, below), b[2], planeV(basis, below)]);
    }
    if (!Number.isFinite(b[0])) b = [-1, -1, 1, 1];
    const du = Math.max(b[2] - b[0], 1e-3);
    const dv = Math.max(b[3] - b[1], 1e-3);
    const scale = options.scale ?? Math.min(width / du, height / dv) / FIXED_MARGIN;
    const f = frame(scale, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    return { basis, width, height, scale, frames: poses.map(() => f) };
  }

  // Height of the model in the first pose (world z), from bounding spheres of its geoms.
  let zTop = -Infinity;
  let zLow = Infinity;
  first.geoms.forEach((geom, g) => {
    if (model.geomType[g] === GeomType.Plane) return;
    const r = boundingRadius(model, g);
    zTop = Math.max(zTop, geom.pos[2] + r);
    zLow = Math.min(zLow, geom.pos[2] - r);
  });
  const root = (first.bodies[body] as PoseRecord['bodies'][number]).pos;
  if (!Number.isFinite(zTop)) zTop = zLow = root[2];
  const zBottom = ground ?? zLow;
  const zc = (zBottom + zTop) / 2;
  const b = poseBounds(model, first, basis);
  const extent = Math.max(Number.isFinite(b[0]) ? Math.max(b[2] - b[0], b[3] - b[1]) : 0, zTop - zBottom, 1e-3);
  const scale = options.scale ?? Math.min(width, height) / (FOLLOW_MARGIN * extent);
  const frames = poses.map((pose) => {
    const p = (pose.bodies[body] as PoseRecord['bodies'][number]).pos;
    const target: Vec3 = [p[0], p[1], zc];
    return frame(scale, planeU(basis, target), planeV(basis, target));
  });
  return { basis, width, height, scale, frames };
}
