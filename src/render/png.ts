/**
 * SVG → PNG with resvg, shared by the renderers here and the benchmark plots. resvg is loaded
 * with a dynamic `import()` on first use, so code that never rasterises does not load it.
 * @module
 */

import { ConfigError, describeValue } from '../core/errors.js';

/** Size of the PNG: a width in px (the height follows the SVG's aspect ratio), or a zoom factor of the SVG's own size. */
export type PngSize = number | { readonly width: number } | { readonly zoom: number };

/**
 * Rasterises an SVG document to PNG on a white background. Text uses the system's fonts,
 * DejaVu Sans when the SVG's fonts are missing (as Helvetica and Arial are on Debian).
 * Throws {@link ConfigError} for a size that is not a positive number.
 */
export async function svgToPng(svg: string, size: PngSize = { zoom: 1 }): Promise<Buffer> {
  const fit = typeof size === 'number' ? { mode: 'width' as const, value: size } : 'width' in size ? { mode: 'width' as const, value: size.width } : { mode: 'zoom' as const, value: size.zoom };
  if (!Number.isFinite(fit.value) || fit.value <= 0 || (fit.mode === 'width' && !Number.isInteger(fit.value))) {
    throw new ConfigError(`svgToPng: the ${fit.mode} must be a positive ${fit.mode === 'width' ? 'integer' : 'number'}, got ${describeValue(fit.value)}`);
  }
  const { Resvg } = await import('@resvg/resvg-js');
  const font = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  return new Resvg(svg, { fitTo: fit, font, background: 'white' }).render().asPng();
}
