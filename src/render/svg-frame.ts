/**
 * One frame as SVG: the ground, then every drawn geom from back to front (sorted by the depth
 * of its centre), outlined in a darker shade of its colour.
 *
 * The ground is the model's first plane geom, assumed horizontal. Seen edge-on (elevation 0)
 * it is a line with the ground colour below and a band of alternating stripes every Δ metres
 * (a round number, about eight per picture) that scrolls as the camera follows the body; from
 * above it is a square patch with grid lines every Δ.
 * @module
 */

import { ConfigError, describeValue } from '../core/errors.js';
import { GeomType, type PhysicsModel } from '../physics/model.js';
import { planCamera, groundHeight, type CameraOptions, type CameraPlan } from './camera.js';
import { alphaOf, cssColor, resolveGeomRgba } from './colors.js';
import { checkPose, type PoseRecord } from './pose.js';
import { depthOf } from './projection.js';
import { fmt, geomShadow, geomShape, shapePath, toPixels, type PixelMap } from './shapes.js';

/** Appearance options shared by every renderer. */
export interface StyleOptions {
  /** Geom colours, 4 numbers in [0, 1] per geom (see `geomRgbaFromMjcf`); default a tan for every geom. */
  readonly geomRgba?: ArrayLike<number>;
  /** CSS colour behind everything (default a pale blue-grey). */
  readonly background?: string;
  /** Draw the ground plane (default true; models without a plane have none). */
  readonly ground?: boolean;
}

/** Options of {@link renderFrameSvg}. */
export interface FrameOptions extends CameraOptions, StyleOptions {
  /** Text in the top-left corner (e.g. the time). */
  readonly label?: string;
}

/** Resolved {@link StyleOptions}. */
export interface FrameStyle {
  /** [ngeom·4] colours. */
  readonly rgba: Float64Array;
  /** CSS colour behind the scene. */
  readonly background: string;
  /** Whether the ground is drawn. */
  readonly ground: boolean;
}

/** Most grid lines per direction when the ground is seen from above. */
const MAX_GRID_LINES = 200;
/** Height of the striped band under an edge-on ground line (px). */
const STRIPE_BAND = 10;

/** Checks and fills in {@link StyleOptions}. */
export function resolveStyle(model: PhysicsModel, options: StyleOptions): FrameStyle {
  const background = options.background ?? '#eef2f7';
  if (typeof background !== 'string' || !/^[#a-zA-Z0-9(),.%\s]+$/.test(background)) throw new ConfigError(`background must be a CSS colour, got ${describeValue(options.background)}`);
  return { rgba: resolveGeomRgba(model, options.geomRgba), background, ground: options.ground ?? true };
}

/** Escapes text for SVG content and attribute values. */
export const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A round step (1, 2 or 5 × 10^k metres) close to `approx`. */
export function niceStep(approx: number): number {
  const p = 10 ** Math.floor(Math.log10(approx));
  const m = approx / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/** The ground of one frame (empty without a plane or with `ground: false`). */
function groundSvg(model: PhysicsModel, pose: PoseRecord, plan: CameraPlan, map: PixelMap, style: FrameStyle): string {
  const zg = groundHeight(model, pose);
  if (zg === null || !style.ground) return '';
  const plane = model.geomType.indexOf(GeomType.Plane);
  const fill = cssColor(style.rgba, plane);
  const dark = cssColor(style.rgba, plane, 0.75);
  const { width, height, basis } = plan;
  const { x0, y0, scale } = map;
  let step = niceStep(width / scale / 8);
  if (basis.forward[2] === 0) {
    // Edge-on: v = z, so the ground is the line y = y0 − scale·zg.
    const yg = y0 - scale * zg;
    if (yg >= height) return '';
    const top = Math.max(yg, 0);
    const parts = [`<rect class="ground" x="0" y="${fmt(top)}" width="${fmt(width)}" height="${fmt(height - top)}" fill="${fill}"/>`];
    const band = Math.min(STRIPE_BAND, height - yg);
    if (yg + band > 0) {
      const k0 = Math.floor(-x0 / scale / step);
      const k1 = Math.ceil((width - x0) / scale / step);
      const stripes: string[] = [];
      for (let k = k0; k <= k1; k++) {
        if (k % 2 !== 0) continue;
        const xa = Math.max(x0 + scale * k * step, 0);
        const xb = Math.min(x0 + scale * (k + 1) * step, width);
        if (xb > xa) stripes.push(`M${fmt(xa)} ${fmt(yg)}H${fmt(xb)}V${fmt(yg + band)}H${fmt(xa)}Z`);
      }
      if (stripes.length > 0) parts.push(`<path class="ground-stripes" d="${stripes.join('')}" fill="${dark}"/>`);
      parts.push(`<path class="ground-line" d="M0 ${fmt(yg)}H${fmt(width)}" stroke="${cssColor(style.rgba, plane, 0.5)}" stroke-width="1.5"/>`);
    }
    return parts.join('');
  }
  // Seen from above: a square patch around the ground point under the picture's centre.
  const { right, up, forward } = basis;
  const u0 = (width / 2 - x0) / scale;
  const v0 = (y0 - height / 2) / scale;
  const t = (zg - v0 * up[2]) / forward[2];
  const cx = u0 * right[0] + v0 * up[0] + t * forward[0];
  const cy = u0 * right[1] + v0 * up[1] + t * forward[1];
  const reach = (0.6 * Math.hypot(width, height)) / scale / Math.max(Math.abs(forward[2]), 0.1);
  step = Math.max(step, (2 * reach) / MAX_GRID_LINES);
  const px = (x: number, y: number): string => {
    const u = x * right[0] + y * right[1];
    const v = x * up[0] + y * up[1] + zg * up[2];
    return `${fmt(x0 + scale * u)} ${fmt(y0 - scale * v)}`;
  };
  const [xa, xb, ya, yb] = [cx - reach, cx + reach, cy - reach, cy + reach];
  const lines: string[] = [];
  for (let k = Math.ceil(xa / step); k * step <= xb; k++) lines.push(`M${px(k * step, ya)}L${px(k * step, yb)}`);
  for (let k = Math.ceil(ya / step); k * step <= yb; k++) lines.push(`M${px(xa, k * step)}L${px(xb, k * step)}`);
  return (
    `<path class="ground" d="M${px(xa, ya)}L${px(xb, ya)}L${px(xb, yb)}L${px(xa, yb)}Z" fill="${fill}"/>` +
    `<path class="ground-grid" d="${lines.join('')}" stroke="${dark}" stroke-width="1" fill="none"/>`
  );
}

/**
 * The elements of one frame (ground, geoms back to front, label) without the `<svg>` root and
 * background: what the single-frame, animated and filmstrip renderers share. Each drawn geom is
 * one `<path class="geom" data-geom="g">`; geoms with alpha 0 are not drawn.
 */
export function sceneSvg(model: PhysicsModel, pose: PoseRecord, plan: CameraPlan, map: PixelMap, style: FrameStyle, label?: string): string {
  const order: { g: number; depth: number }[] = [];
  for (let g = 0; g < model.ngeom; g++) {
    if (model.geomType[g] === GeomType.Plane || !(alphaOf(style.rgba, g) > 0)) continue;
    order.push({ g, depth: depthOf(plan.basis, (pose.geoms[g] as PoseRecord['geoms'][number]).pos) });
  }
  // Farthest first; Array.prototype.sort is stable, so ties keep the model's order.
  order.sort((a, b) => b.depth - a.depth);
  const parts = [groundSvg(model, pose, plan, map, style)];
  const zg = groundHeight(model, pose);
  if (style.ground && zg !== null && plan.basis.forward[2] !== 0) {
    // Seen from above, shadows (light from straight above) show how high each body is.
    const shadows = order.map(({ g }) => geomShadow(model, g, pose.geoms[g] as PoseRecord['geoms'][number], plan.basis, zg));
    const d = shadows.map((s) => (s === null ? '' : shapePath(toPixels(s, map)))).join('');
    if (d !== '') parts.push(`<path class="shadows" d="${d}" fill="black" fill-opacity="0.18"/>`);
  }
  for (const { g } of order) {
    const shape = geomShape(model, g, pose.geoms[g] as PoseRecord['geoms'][number], plan.basis);
    if (shape === null) continue;
    const a = alphaOf(style.rgba, g);
    const opacity = a < 1 ? ` fill-opacity="${fmt(a)}"` : '';
    parts.push(`<path class="geom" data-geom="${g}" d="${shapePath(toPixels(shape, map))}" fill="${cssColor(style.rgba, g)}"${opacity} stroke="${cssColor(style.rgba, g, 0.6)}" stroke-width="1"/>`);
  }
  if (label !== undefined && label !== '') parts.push(`<text x="8" y="18" font-family="DejaVu Sans, Arial, sans-serif" font-size="13" fill="#333">${escapeXml(label)}</text>`);
  return parts.join('');
}

/** An SVG document of `width` × `height` px with a background colour around `body`. */
export function svgDocument(width: number, height: number, background: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}">` +
    `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>${body}</svg>`
  );
}

/**
 * A still picture of `pose` (a pose record of `model`, e.g. from an env's `render()`) as a
 * standalone SVG document: orthographic projection (side view by default), camera on the
 * followed body, geoms in their MJCF colours when `geomRgba` is given.
 *
 * @example
 * const env = new LocomotionEnv(locomotionTask('rxrl/Hopper-v0'));
 * env.reset({ seed: 0 });
 * const svg = renderFrameSvg(env.core.model, env.render(), { width: 400, height: 300 });
 */
export function renderFrameSvg(model: PhysicsModel, pose: PoseRecord, options: FrameOptions = {}): string {
  checkPose(model, pose);
  const style = resolveStyle(model, options);
  const plan = planCamera(model, [pose], options);
  return svgDocument(plan.width, plan.height, style.background, sceneSvg(model, pose, plan, plan.frames[0] as PixelMap, style, options.label));
}
