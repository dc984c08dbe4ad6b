/**
 * Geoms projected orthographically onto the picture plane, as 2-D outlines in plane
 * coordinates (metres), and their SVG path data once scaled to pixels.
 *
 * Exact outlines: a sphere or ellipsoid projects to an ellipse, a capsule to a "stadium" (its
 * segment's projection thickened by the radius), a box to the convex hull of its 8 projected
 * corners. A cylinder's outline is the hull of its two end discs, sampled at 32 points each.
 * Shadows on the ground (3-D views) are hulls of sampled footprints.
 * @module
 */

import type { Vec3 } from '../physics/math3.js';
import { GeomType, type PhysicsModel } from '../physics/model.js';
import type { GeomPose } from './pose.js';
import { planeU, planeV, type ViewBasis } from './projection.js';

/** An outline in plane coordinates (u right, v up), or in pixels (x right, y down) after {@link toPixels}. */
export type Shape =
  /** Ellipse with semi-axes rx, ry; `angle` (rad) turns the rx axis from +u toward +v (in pixels: from +x toward +y). */
  | { readonly kind: 'ellipse'; readonly cx: number; readonly cy: number; readonly rx: number; readonly ry: number; readonly angle: number }
  /** The segment a–b thickened by r (round ends). */
  | { readonly kind: 'stadium'; readonly ax: number; readonly ay: number; readonly bx: number; readonly by: number; readonly r: number }
  /** A convex polygon, [x0, y0, x1, y1, ...]. */
  | { readonly kind: 'polygon'; readonly points: readonly number[] };

/** Axis-aligned bounds [minU, minV, maxU, maxV]. */
export type Bounds = [number, number, number, number];

/** Points of a cylinder's end discs sampled for its outline. */
const CYLINDER_SAMPLES = 32;

/** Column k of a row-major 3×3 matrix, times s. */
const column = (m: readonly number[], k: number, s: number): Vec3 => [(m[k] as number) * s, (m[3 + k] as number) * s, (m[6 + k] as number) * s];
const add = (a: Readonly<Vec3>, b: Readonly<Vec3>, s = 1): Vec3 => [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]];

/**
 * The outline of geom g in pose `geom` seen through `basis`, or null for geoms that are not
 * drawn as shapes (planes: the ground is drawn separately).
 */
export function geomShape(model: PhysicsModel, g: number, geom: GeomPose, basis: ViewBasis): Shape | null {
  const type = model.geomType[g] as number;
  const s0 = model.geomSize[3 * g] as number;
  const s1 = model.geomSize[3 * g + 1] as number;
  const s2 = model.geomSize[3 * g + 2] as number;
  const { pos: c, mat } = geom;
  switch (type) {
    case GeomType.Sphere:
      return { kind: 'ellipse', cx: planeU(basis, c), cy: planeV(basis, c), rx: s0, ry: s0, angle: 0 };
    case GeomType.Ellipsoid:
      return ellipsoidShape(basis, c, [column(mat, 0, s0), column(mat, 1, s1), column(mat, 2, s2)]);
    case GeomType.Capsule: {
      const a = add(c, column(mat, 2, s1), -1);
      const b = add(c, column(mat, 2, s1));
      return { kind: 'stadium', ax: planeU(basis, a), ay: planeV(basis, a), bx: planeU(basis, b), by: planeV(basis, b), r: s0 };
    }
    case GeomType.Box:
      return { kind: 'polygon', points: convexHull(boxCorners(c, mat, s0, s1, s2).flatMap((p) => [planeU(basis, p), planeV(basis, p)])) };
    case GeomType.Cylinder:
      return { kind: 'polygon', points: convexHull(cylinderPoints(c, mat, s0, s1).flatMap((p) => [planeU(basis, p), planeV(basis, p)])) };
    default:
      return null;
  }
}

/** The 8 corners of a box with half-sizes (a, b, c) in the frame (c, mat). */
function boxCorners(c: Readonly<Vec3>, mat: readonly number[], a: number, b: number, h: number): Vec3[] {
  return Array.from({ length: 8 }, (_, k) => add(add(add(c, column(mat, 0, k & 1 ? a : -a)), column(mat, 1, k & 2 ? b : -b)), column(mat, 2, k & 4 ? h : -h)));
}

/** Points on the rims of a cylinder's end discs (radius r, half-height h). */
function cylinderPoints(c: Readonly<Vec3>, mat: readonly number[], r: number, h: number): Vec3[] {
  const pts: Vec3[] = [];
  for (const end of [-h, h]) {
    const centre = add(c, column(mat, 2, end));
    for (let i = 0; i < CYLINDER_SAMPLES; i++) {
      const t = (2 * Math.PI * i) / CYLINDER_SAMPLES;
      pts.push(add(add(centre, column(mat, 0, r * Math.cos(t))), column(mat, 1, r * Math.sin(t))));
    }
  }
  return pts;
}

/** Points around `centre` on a horizontal circle of radius r: the footprint of a sphere. */
function horizontalCircle(centre: Readonly<Vec3>, r: number): Vec3[] {
  return Array.from({ length: CYLINDER_SAMPLES }, (_, i): Vec3 => {
    const t = (2 * Math.PI * i) / CYLINDER_SAMPLES;
    return [centre[0] + r * Math.cos(t), centre[1] + r * Math.sin(t), centre[2]];
  });
}

/**
 * The shadow of geom g on the horizontal ground z = `zg` under a light from straight above
 * (the convex hull of its footprint, sampled), seen through `basis`; null for planes. Drawn
 * in 3-D views, where it shows how high a body is above the ground.
 */
export function geomShadow(model: PhysicsModel, g: number, geom: GeomPose, basis: ViewBasis, zg: number): Shape | null {
  const type = model.geomType[g] as number;
  const s0 = model.geomSize[3 * g] as number;
  const s1 = model.geomSize[3 * g + 1] as number;
  const s2 = model.geomSize[3 * g + 2] as number;
  const { pos: c, mat } = geom;
  let pts: Vec3[];
  switch (type) {
    case GeomType.Sphere:
      pts = horizontalCircle(c, s0);
      break;
    case GeomType.Capsule:
      pts = [...horizontalCircle(add(c, column(mat, 2, s1), -1), s0), ...horizontalCircle(add(c, column(mat, 2, s1)), s0)];
      break;
    case GeomType.Box:
      pts = boxCorners(c, mat, s0, s1, s2);
      break;
    case GeomType.Cylinder:
      pts = cylinderPoints(c, mat, s0, s1);
      break;
    case GeomType.Ellipsoid: {
      // Points of the surface on a latitude–longitude grid.
      pts = [];
      for (let i = 0; i <= 8; i++) {
        const lat = (Math.PI * i) / 8 - Math.PI / 2;
        for (let j = 0; j < CYLINDER_SAMPLES; j++) {
          const lon = (2 * Math.PI * j) / CYLINDER_SAMPLES;
          const u: Vec3 = [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
          pts.push(add(add(add(c, column(mat, 0, s0 * u[0])), column(mat, 1, s1 * u[1])), column(mat, 2, s2 * u[2])));
        }
      }
      break;
    }
    default:
      return null;
  }
  const flat = pts.flatMap((p) => {
    const q: Vec3 = [p[0], p[1], zg];
    return [planeU(basis, q), planeV(basis, q)];
  });
  return { kind: 'polygon', points: convexHull(flat) };
}

/** The ellipse {A·x : |x| ≤ 1} with A = P·[a0 a1 a2], P the projection: from the eigen-decomposition of A·Aᵀ. */
function ellipsoidShape(basis: ViewBasis, c: Readonly<Vec3>, axes: readonly Vec3[]): Shape {
  let m00 = 0, m01 = 0, m11 = 0;
  for (const a of axes) {
    const u = planeU(basis, a);
    const v = planeV(basis, a);
    m00 += u * u;
    m01 += u * v;
    m11 += v * v;
  }
  const mean = (m00 + m11) / 2;
  const diff = Math.hypot((m00 - m11) / 2, m01);
  const angle = 0.5 * Math.atan2(2 * m01, m00 - m11);
  return { kind: 'ellipse', cx: planeU(basis, c), cy: planeV(basis, c), rx: Math.sqrt(mean + diff), ry: Math.sqrt(Math.max(mean - diff, 0)), angle };
}

/** Convex hull of 2-D points [x0, y0, ...] (Andrew's monotone chain), counter-clockwise. */
export function convexHull(flat: readonly number[]): number[] {
  const pts: [number, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pts.push([flat[i] as number, flat[i + 1] as number]);
  pts.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (pts.length < 3) return pts.flat();
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: [number, number][]): [number, number][] => {
    const h: [number, number][] = [];
    for (const p of list) {
      while (h.length >= 2 && cross(h[h.length - 2] as [number, number], h[h.length - 1] as [number, number], p) <= 0) h.pop();
      h.push(p);
    }
    h.pop();
    return h;
  };
  return [...half(pts), ...half([...pts].reverse())].flat();
}

/** Bounds of a shape. */
export function shapeBounds(s: Shape): Bounds {
  switch (s.kind) {
    case 'ellipse': {
      const c = Math.cos(s.angle);
      const n = Math.sin(s.angle);
      const hx = Math.hypot(s.rx * c, s.ry * n);
      const hy = Math.hypot(s.rx * n, s.ry * c);
      return [s.cx - hx, s.cy - hy, s.cx + hx, s.cy + hy];
    }
    case 'stadium':
      return [Math.min(s.ax, s.bx) - s.r, Math.min(s.ay, s.by) - s.r, Math.max(s.ax, s.bx) + s.r, Math.max(s.ay, s.by) + s.r];
    case 'polygon': {
      const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
      for (let i = 0; i + 1 < s.points.length; i += 2) {
        const x = s.points[i] as number;
        const y = s.points[i + 1] as number;
        b[0] = Math.min(b[0], x);
        b[1] = Math.min(b[1], y);
        b[2] = Math.max(b[2], x);
        b[3] = Math.max(b[3], y);
      }
      return b;
    }
  }
}

/** Smallest bounds containing both. */
export const unionBounds = (a: Bounds, b: Readonly<Bounds>): Bounds => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];

/** An empty bounds, the identity of {@link unionBounds}. */
export const emptyBounds = (): Bounds => [Infinity, Infinity, -Infinity, -Infinity];

/**
 * Plane → pixel map of a frame: x = x0 + scale·u, y = y0 − scale·v (SVG's y points down).
 */
export interface PixelMap {
  readonly x0: number;
  readonly y0: number;
  /** Pixels per metre. */
  readonly scale: number;
}

/** A shape in plane coordinates mapped to pixels (the v axis flips, so angles change sign). */
export function toPixels(s: Shape, m: PixelMap): Shape {
  const x = (u: number): number => m.x0 + m.scale * u;
  const y = (v: number): number => m.y0 - m.scale * v;
  switch (s.kind) {
    case 'ellipse':
      return { kind: 'ellipse', cx: x(s.cx), cy: y(s.cy), rx: m.scale * s.rx, ry: m.scale * s.ry, angle: -s.angle };
    case 'stadium':
      return { kind: 'stadium', ax: x(s.ax), ay: y(s.ay), bx: x(s.bx), by: y(s.by), r: m.scale * s.r };
    case 'polygon':
      return { kind: 'polygon', points: s.points.map((p, i) => (i % 2 === 0 ? x(p) : y(p))) };
  }
}

/** A coordinate for SVG: two decimals, no trailing zeros. */
export const fmt = (x: number): string => String(Math.round(x * 100) / 100);

/** SVG path data of a shape in pixels (closed; arcs for the round parts). */
export function shapePath(s: Shape): string {
  switch (s.kind) {
    case 'ellipse': {
      const c = Math.cos(s.angle);
      const n = Math.sin(s.angle);
      const deg = fmt((s.angle * 180) / Math.PI);
      const p1 = `${fmt(s.cx + s.rx * c)} ${fmt(s.cy + s.rx * n)}`;
      const p2 = `${fmt(s.cx - s.rx * c)} ${fmt(s.cy - s.rx * n)}`;
      const arc = `A${fmt(s.rx)} ${fmt(s.ry)} ${deg} 1 1`;
      return `M${p1}${arc} ${p2}${arc} ${p1}Z`;
    }
    case 'stadium': {
      const len = Math.hypot(s.bx - s.ax, s.by - s.ay);
      if (!(len > 1e-6)) return shapePath({ kind: 'ellipse', cx: s.ax, cy: s.ay, rx: s.r, ry: s.r, angle: 0 });
      // n: unit normal of the segment; the caps are half circles around b and a.
      const nx = (-(s.by - s.ay) / len) * s.r;
      const ny = ((s.bx - s.ax) / len) * s.r;
      const r = fmt(s.r);
      return (
        `M${fmt(s.ax + nx)} ${fmt(s.ay + ny)}L${fmt(s.bx + nx)} ${fmt(s.by + ny)}` +
        `A${r} ${r} 0 0 0 ${fmt(s.bx - nx)} ${fmt(s.by - ny)}L${fmt(s.ax - nx)} ${fmt(s.ay - ny)}` +
        `A${r} ${r} 0 0 0 ${fmt(s.ax + nx)} ${fmt(s.ay + ny)}Z`
      );
    }
    case 'polygon': {
      const parts: string[] = [];
      for (let i = 0; i + 1 < s.points.length; i += 2) parts.push(`${i === 0 ? 'M' : 'L'}${fmt(s.points[i] as number)} ${fmt(s.points[i + 1] as number)}`);
      return `${parts.join('')}Z`;
    }
  }
}
