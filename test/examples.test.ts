import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The scratch folder has no node_modules: point --import at this checkout's tsx loader.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs an example script with tsx in a scratch folder (they write run folders relative to it). */
function runExample(script: string, steps: number): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'rxrl-example-'));
  try {
    return execFileSync(process.execPath, ['--import', TSX, path.join(ROOT, 'scripts', script), String(steps)], { cwd, encoding: 'utf8' });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('examples in scripts/', () => {
  it('train-ppo.ts trains from the API and reports a final evaluation', () => {
    expect(runExample('train-ppo.ts', 2048)).toMatch(/final evaluation: \d/);
  });

  it('custom-env-ppo.ts registers, checks and trains a user env', () => {
    const out = runExample('custom-env-ppo.ts', 4096);
    expect(out).toMatch(/checkEnv: ok/);
    expect(out).toMatch(/evaluation after 4096 steps: -?\d/);
  });
});
