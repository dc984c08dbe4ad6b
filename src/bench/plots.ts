/**
 * Headless rendering of the benchmark plots: Vega-Lite → Vega → SVG, and SVG → PNG with
 * resvg (`render/png.ts`). The renderers are loaded with dynamic `import()` on first use, so
 * training code that never plots does not pay for loading them.
 *
 * @module
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { svgToPng as rasterize } from '../render/png.js';
import type { PlotKind, PlotSpec } from './plot-specs.js';

/** Folder of the plots inside a sweep folder. */
export const PLOTS_DIR = 'plots';

/** Zoom of the PNG relative to the SVG's size (2: sharp on high-density screens). */
export const PNG_SCALE = 2;

/** A plot written to disk; paths are relative to the sweep folder, as report.md links them. */
export interface PlotFile {
  readonly kind: PlotKind;
  readonly env: string | null;
  readonly title: string;
  readonly svg: string;
  readonly png: string;
}

/** Renders a Vega-Lite spec to a standalone SVG document, without a browser. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises a plot's SVG to PNG at `scale` times its size (with the shared resvg helper, `render/png.ts`). */
export function svgToPng(svg: string, scale: number = PNG_SCALE): Promise<Buffer> {
  return rasterize(svg, { zoom: scale });
}

/**
 * Renders every plot into `OUT/plots/<name>.svg` and `.png`. The folder is emptied first, so
 * it never keeps a plot from an earlier rendering that no longer applies.
 */
export async function writePlots(out: string, plots: readonly PlotSpec[]): Promise<PlotFile[]> {
  const dir = path.join(out, PLOTS_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: PlotFile[] = [];
  for (const plot of plots) {
    const svg = await renderSvg(plot.spec);
    writeFileSync(path.join(dir, `${plot.name}.svg`), svg);
    writeFileSync(path.join(dir, `${plot.name}.png`), await svgToPng(svg));
    // Forward slashes: these are Markdown links, not file system paths.
    files.push({ kind: plot.kind, env: plot.env, title: plot.title, svg: `${PLOTS_DIR}/${plot.name}.svg`, png: `${PLOTS_DIR}/${plot.name}.png` });
  }
  return files;
}
