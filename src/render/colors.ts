/**
 * Geom colours: an RGBA per geom (components in [0, 1], MJCF's `rgba`), turned into SVG fill and
 * outline colours.
 * @module
 */

import { ConfigError } from '../core/errors.js';
import { GeomType, type PhysicsModel } from '../physics/model.js';

/** Colour of geoms without one: the tan of the Gymnasium locomotion models. */
export const DEFAULT_GEOM_RGBA: readonly [number, number, number, number] = Object.freeze([0.8, 0.6, 0.4, 1]) as readonly [number, number, number, number];

/** Colour of the ground when the model's plane has none. */
export const DEFAULT_GROUND_RGBA: readonly [number, number, number, number] = Object.freeze([0.8, 0.9, 0.8, 1]) as readonly [number, number, number, number];

/**
 * The `ngeom·4` colours to draw with: `rgba` checked against the model, or
 * {@link DEFAULT_GEOM_RGBA} for every geom (planes get {@link DEFAULT_GROUND_RGBA}).
 */
export function resolveGeomRgba(model: PhysicsModel, rgba: ArrayLike<number> | undefined): Float64Array {
  if (rgba === undefined) {
    const out = new Float64Array(4 * model.ngeom);
    for (let g = 0; g < model.ngeom; g++) out.set(model.geomType[g] === GeomType.Plane ? DEFAULT_GROUND_RGBA : DEFAULT_GEOM_RGBA, 4 * g);
    return out;
  }
  if (rgba.length !== 4 * model.ngeom) throw new ConfigError(`geomRgba must hold 4 numbers per geom (${4 * model.ngeom} for model "${model.name}"), got ${rgba.length}`);
  const out = Float64Array.from(rgba);
  const bad = out.findIndex((x) => !(x >= 0 && x <= 1));
  if (bad >= 0) throw new ConfigError(`geomRgba[${bad}] is ${out[bad]}; colour components must be in [0, 1]`);
  return out;
}

/** `rgb(r g b)` of geom g's colour scaled by `shade` (1: as is; < 1: darker). */
export function cssColor(rgba: Float64Array, g: number, shade = 1): string {
  const c = (k: number): number => Math.round(255 * Math.min(1, (rgba[4 * g + k] as number) * shade));
  return `rgb(${c(0)},${c(1)},${c(2)})`;
}

/** Alpha of geom g's colour. */
export const alphaOf = (rgba: Float64Array, g: number): number => rgba[4 * g + 3] as number;
