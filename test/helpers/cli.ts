import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * Runs `rxrl ARGS` in-process and returns what it printed and its exit code: `out` holds
 * console.log and stdout writes, `err` console.error, console.warn and stderr writes (where
 * commander's option errors go).
 */
export async function runCliInProcess(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  process.exitCode = 0;
  try {
    await main(['node', 'rxrl', ...args]);
    return { out: out.join('\n'), err: err.join('\n'), code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = 0;
    vi.restoreAllMocks();
  }
}
