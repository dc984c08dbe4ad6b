/**
 * An episode as one animated SVG that plays (and loops) in any browser, also inside `<img>`:
 * a flip-book of frame groups, each shown for one frame period by a SMIL `<animate>` of its
 * `visibility`. A frame per group keeps every frame exact (its own depth order and camera
 * position) for the price of a larger file than animating shapes in place. Viewers without
 * SMIL (and resvg) show the first frame.
 * @module
 */

import { ConfigError, describeValue } from '../core/errors.js';
import type { PhysicsModel } from '../physics/model.js';
import { planCamera } from './camera.js';
import { checkPose, RenderError, type PoseRecord } from './pose.js';
import { fmt, type PixelMap } from './shapes.js';
import { resolveStyle, sceneSvg, svgDocument, type FrameOptions } from './svg-frame.js';

/** Options of {@link renderEpisodeSvg}. */
export interface EpisodeSvgOptions extends Omit<FrameOptions, 'label'> {
  /** Seconds between consecutive poses (an env's `dt`): the animation plays in real time. */
  readonly dt: number;
  /** Keep every k-th pose only (default 1: all of them); frames then last k·dt. */
  readonly every?: number;
  /** Loop forever (default true); otherwise play once and stay on the last frame. */
  readonly loop?: boolean;
  /** Show the time in the top-left corner (default true). */
  readonly timeLabel?: boolean;
}

/** Checks `every` (a positive integer, default 1). */
export function checkEvery(every: number | undefined): number {
  const k = every ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`every must be a positive integer, got ${describeValue(every)}`);
  return k;
}

/** Checks `dt` (seconds per pose, finite and > 0). */
export function checkDt(dt: number | undefined): number {
  if (typeof dt !== 'number' || !Number.isFinite(dt) || dt <= 0) throw new ConfigError(`dt (seconds per pose) must be a finite number > 0, got ${describeValue(dt)}`);
  return dt;
}

/** `t = 1.23 s`, with enough decimals to tell apart multiples of `dt` (3 for the hopper's 8 ms). */
export function timeLabel(t: number, dt: number): string {
  const digits = Math.min(4, Math.max(1, Math.ceil(-Math.log10(dt) - 1e-9)));
  return `t = ${t.toFixed(digits)} s`;
}

/** Fractions of the animation's duration for keyTimes (enough digits for 10⁶ frames). */
const frac = (i: number, n: number): string => String(Math.round((i / n) * 1e7) / 1e7);

/** The `<animate>` that shows frame k of n during [k/n, (k+1)/n) of each cycle. */
function visibilityAnimation(k: number, n: number, duration: number, loop: boolean): string {
  const values: string[] = [];
  const times: string[] = [];
  if (k > 0) {
    values.push('hidden');
    times.push('0');
  }
  values.push('visible');
  times.push(frac(k, n));
  if (k < n - 1) {
    values.push('hidden');
    times.push(frac(k + 1, n));
  }
  const repeat = loop ? 'repeatCount="indefinite"' : 'fill="freeze"';
  return `<animate attributeName="visibility" values="${values.join(';')}" keyTimes="${times.join(';')}" calcMode="discrete" dur="${fmt(duration * 1000)}ms" ${repeat}/>`;
}

/**
 * An animated SVG of an episode: `poses` (pose records of `model`, one per env step, e.g. from
 * `recordEpisode`) shown one after another every `dt` seconds (× `every`), looping. The camera
 * and scale are planned once for the whole episode (following the torso by default).
 */
export function renderEpisodeSvg(model: PhysicsModel, poses: readonly PoseRecord[], options: EpisodeSvgOptions): string {
  const dt = checkDt(options.dt);
  const every = checkEvery(options.every);
  if (poses.length === 0) throw new RenderError('renderEpisodeSvg: no poses given');
  const picked = poses.filter((_, i) => i % every === 0);
  picked.forEach((p, i) => checkPose(model, p, `pose ${i * every}`));
  const style = resolveStyle(model, options);
  const plan = planCamera(model, picked, options);
  const n = picked.length;
  const frameDt = every * dt;
  const loop = options.loop ?? true;
  const labels = options.timeLabel ?? true;
  const groups = picked.map((pose, k) => {
    const scene = sceneSvg(model, pose, plan, plan.frames[k] as PixelMap, style, labels ? timeLabel(k * frameDt, dt) : undefined);
    const anim = n > 1 ? visibilityAnimation(k, n, n * frameDt, loop) : '';
    return `<g class="frame" visibility="${k === 0 ? 'visible' : 'hidden'}">${anim}${scene}</g>`;
  });
  return svgDocument(plan.width, plan.height, style.background, groups.join('\n'));
}
