import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Runs `rxrl ARGS` in-process; returns what it printed with console.error and its exit code. */
export async function runCliCapturingErrors(...args: string[]): Promise<{ err: string; code: number }> {
  const err: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.exitCode = 0;
  await main(['node', 'rxrl', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  vi.restoreAllMocks();
  return { err: err.join('\n'), code };
}
