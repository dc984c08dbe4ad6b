/**
 * Command-line options of the benchmark scripts: `node:util`'s `parseArgs` plus `--help`, and an
 * unknown option or a malformed number reported as one line with the usage instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What `parseArgs` returns for exactly the caller's `options`. */
type ParsedValues<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];

/** Prints `message` and the usage to stderr and exits with status 2 (bad invocation). */
export function usageError(usage: string, message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

/**
 * Parses `process.argv` against `options`; `--help`/`-h` prints `usage` and exits 0, and an
 * unknown or malformed option prints the problem with `usage` and exits 2.
 */
export function parseBenchArgs<O extends Options>(options: O, usage: string): ParsedValues<O> {
  const help: Options = { help: { type: 'boolean', short: 'h', default: false } };
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ options: { ...options, ...help }, strict: true }).values;
  } catch (e) {
    usageError(usage, (e as Error).message);
  }
  if (values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  delete values.help;
  // The options given are a subset of those parsed, so the values have the caller's types.
  return values as ParsedValues<O>;
}

/** `text` as an integer ≥ `min` (default 1), or a usage error naming `--name`. */
export function intOption(text: string, name: string, usage: string, min = 1): number {
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || n < min) usageError(usage, `--${name} ${text}: expected an integer ≥ ${min}`);
  return n;
}
