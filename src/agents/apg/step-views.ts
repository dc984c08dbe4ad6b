/**
 * Per-step views of a step-major window buffer, made once so that the hot loops of a window
 * index them instead of allocating a `subarray` every step.
 * @module
 */

/** `count` consecutive views of `size` entries of `buffer`: view t covers [t·size, (t + 1)·size). */
export function stepViews(buffer: Float64Array, size: number, count: number): readonly Float64Array[] {
  if (buffer.length < size * count) throw new RangeError(`stepViews: ${count} views of ${size} need ${size * count} entries, the buffer has ${buffer.length}`);
  return Array.from({ length: count }, (_, t) => buffer.subarray(t * size, (t + 1) * size));
}
