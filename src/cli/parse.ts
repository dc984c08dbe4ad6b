import { InvalidArgumentError } from 'commander';

/** Commander parser for a finite number option; names the bad value. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

/** Commander parser for a finite number ≥ 0 (a noise scale, a tolerance). */
export function parseNonNegativeNumber(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

/** `value` as an integer in [min, max], or an error that names the range and the bad value. */
function parseBoundedInt(value: string, min: number, max = Infinity): number {
  const n = Number(value);
  if (value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
  const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
  throw new InvalidArgumentError(`expected an integer ${range}, got "${value}"`);
}

/** Commander parser for an integer ≥ 0: seeds, and counts where 0 means "none". */
export function parseNonNegativeInt(value: string): number {
  return parseBoundedInt(value, 0);
}

/** Commander parser for an integer ≥ 1: sizes, step counts, workers, episodes. */
export function parsePositiveInt(value: string): number {
  return parseBoundedInt(value, 1);
}

/** Commander parser for an integer in [min, max], both included. */
export function parseIntInRange(min: number, max: number): (value: string) => number {
  return (value) => parseBoundedInt(value, min, max);
}

/** A TCP port: 0 (pick a free one) to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  return n;
}

/** Commander's collector for a repeatable option: each occurrence is appended. */
export function collectValues(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** Help of `--preload`, the same wherever a command looks envs up. */
export const PRELOAD_HELP = 'a module to import first, e.g. one that registers your own envs with register() (.js, or .ts with tsx installed; repeatable)';
