import { InvalidArgumentError } from 'commander';

/** Commander parser for a positive integer option; names the bad value. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}
