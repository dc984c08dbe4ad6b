import { InvalidArgumentError } from 'commander';

/** Commander parser for a positive integer option; names the bad value. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** A TCP port: 0 (pick a free one) to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  return n;
}
