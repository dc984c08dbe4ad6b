#!/usr/bin/env node
/**
 * Builds the dashboard's page (web/dashboard/) into dist/dashboard/web/: app.ts with uPlot
 * bundled by esbuild into one app.js, uPlot's stylesheet and ours into app.css, and index.html.
 * Everything the page needs is served from there, so the dashboard works offline. Runs from
 * `build`, `prepare` and `pretest`.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'web', 'dashboard');
const out = path.join(root, 'dist', 'dashboard', 'web');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(source, 'app.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  outfile: path.join(out, 'app.js'),
  logLevel: 'warning',
});
const uplotCss = createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css');
writeFileSync(path.join(out, 'app.css'), `${readFileSync(uplotCss, 'utf8')}\n${readFileSync(path.join(source, 'app.css'), 'utf8')}`);
copyFileSync(path.join(source, 'index.html'), path.join(out, 'index.html'));
