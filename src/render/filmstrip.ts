/**
 * A filmstrip: several frames of an episode side by side in one still picture (what goes into
 * documents, where an animation cannot play). All panels share one camera plan, so sizes are
 * comparable from panel to panel.
 * @module
 */

import { ConfigError, describeValue } from '../core/errors.js';
import type { PhysicsModel } from '../physics/model.js';
import { checkDt, checkEvery, timeLabel } from './animate.js';
import { planCamera } from './camera.js';
import { svgToPng } from './png.js';
import { checkPose, RenderError, type PoseRecord } from './pose.js';
import { fmt, type PixelMap } from './shapes.js';
import { resolveStyle, sceneSvg, svgDocument, type FrameOptions } from './svg-frame.js';

/** Options of {@link renderFilmstripSvg} and {@link renderFilmstripPng}. */
export interface FilmstripOptions extends Omit<FrameOptions, 'label' | 'width' | 'height'> {
  /** Width of one panel in px (default 240). */
  readonly panelWidth?: number;
  /** Height of one panel in px (default 300). */
  readonly panelHeight?: number;
  /** Show every k-th pose (0, k, 2k, ...). Default: `frames` panels spread evenly from the first pose to the last. */
  readonly every?: number;
  /** Number of panels when `every` is not given (default 8, fewer if there are fewer poses). */
  readonly frames?: number;
  /** Panels per row (default: all in one row). */
  readonly columns?: number;
  /** Seconds between consecutive poses: panels are labelled with their time (otherwise with the pose index). */
  readonly dt?: number;
  /** Space between panels in px (default 4). */
  readonly gap?: number;
}

/** Options of {@link renderFilmstripPng}: those of the SVG and the PNG's width. */
export interface FilmstripPngOptions extends FilmstripOptions {
  /** Width of the PNG in px (default: the SVG's own width, panels × panelWidth plus gaps); the height keeps the aspect ratio. */
  readonly width?: number;
}

const DEFAULT_FRAMES = 8;

const positiveInt = (name: string, v: number | undefined, def: number): number => {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < 1) throw new ConfigError(`${name} must be a positive integer, got ${describeValue(v)}`);
  return x;
};

/** Indices of the poses shown: every k-th, or `frames` spread evenly over first…last. */
export function filmstripIndices(count: number, options: Pick<FilmstripOptions, 'every' | 'frames'>): number[] {
  if (options.every !== undefined) {
    const k = checkEvery(options.every);
    return Array.from({ length: Math.ceil(count / k) }, (_, i) => i * k);
  }
  const n = Math.min(positiveInt('frames', options.frames, DEFAULT_FRAMES), count);
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (count - 1)) / (n - 1)));
}

/** A filmstrip of `poses` (pose records of `model`) as one SVG document. */
export function renderFilmstripSvg(model: PhysicsModel, poses: readonly PoseRecord[], options: FilmstripOptions = {}): string {
  if (poses.length === 0) throw new RenderError('renderFilmstripSvg: no poses given');
  const dt = options.dt === undefined ? undefined : checkDt(options.dt);
  const indices = filmstripIndices(poses.length, options);
  const picked = indices.map((i) => {
    const pose = poses[i] as PoseRecord;
    checkPose(model, pose, `pose ${i}`);
    return pose;
  });
  const gap = options.gap ?? 4;
  if (!Number.isFinite(gap) || gap < 0) throw new ConfigError(`gap must be a finite number ≥ 0, got ${describeValue(options.gap)}`);
  const columns = Math.min(positiveInt('columns', options.columns, picked.length), picked.length);
  const style = resolveStyle(model, options);
  const plan = planCamera(model, picked, { ...options, width: options.panelWidth ?? 240, height: options.panelHeight ?? 300 });
  const { width: w, height: h } = plan;
  const rows = Math.ceil(picked.length / columns);
  const panels = picked.map((pose, k) => {
    const x = gap + (k % columns) * (w + gap);
    const y = gap + Math.floor(k / columns) * (h + gap);
    const i = indices[k] as number;
    const label = dt === undefined ? `#${i}` : timeLabel(i * dt, dt);
    const scene = sceneSvg(model, pose, plan, plan.frames[k] as PixelMap, style, label);
    return `<svg x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}" viewBox="0 0 ${fmt(w)} ${fmt(h)}"><rect width="100%" height="100%" fill="${style.background}"/>${scene}</svg>`;
  });
  return svgDocument(columns * (w + gap) + gap, rows * (h + gap) + gap, 'white', panels.join('\n'));
}

/**
 * {@link renderFilmstripSvg} rasterised to PNG, `width` px wide.
 *
 * @example
 * const { model, poses, dt } = await recordEpisode(make('rxrl/Hopper-v0', { numEnvs: 1 }), { seed: 0 });
 * writeFileSync('hopper.png', await renderFilmstripPng(model, poses, { frames: 8, dt, width: 1600 }));
 */
export async function renderFilmstripPng(model: PhysicsModel, poses: readonly PoseRecord[], options: FilmstripPngOptions = {}): Promise<Buffer> {
  const svg = renderFilmstripSvg(model, poses, options);
  return svgToPng(svg, options.width === undefined ? { zoom: 1 } : options.width);
}
