import type { Frame } from './protocol.js';

/** One rendered image: `data` holds the array's bytes (row-major, Gymnasium's dtype, usually uint8 H×W×3). */
export interface RenderedFrame {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly data: Uint8Array;
}

/**
 * What `render()` returns: images (`render_mode: 'rgb_array'`), text (`'ansi'`), or null (no
 * render mode, or `'human'`, which draws in Python). A vector env returns one entry per copy.
 */
export type RenderResult = { readonly frames: readonly RenderedFrame[] } | { readonly text: readonly string[] } | null;

/** Decodes the server's answer to `render`. */
export function readRender(frame: Frame): RenderResult {
  const header = frame.header ?? {};
  if (Array.isArray(header['text'])) return { text: header['text'] as string[] };
  const meta = header['frames'];
  if (!Array.isArray(meta)) return null;
  let at = 0;
  const frames = (meta as { shape: number[]; dtype: string; nbytes: number }[]).map((m) => {
    const data = Uint8Array.from(frame.payload.subarray(at, at + m.nbytes));
    at += m.nbytes;
    return { shape: m.shape, dtype: m.dtype, data };
  });
  return { frames };
}
