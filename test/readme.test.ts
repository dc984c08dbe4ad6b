import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('its TypeScript example runs as written (with "rxrl" resolved to this checkout)', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const match = /```ts\n([\s\S]*?)```/.exec(readme);
    expect(match, 'README has a ```ts example').not.toBeNull();
    const code = (match?.[1] ?? '').replace(/from 'rxrl'/g, `from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/index.ts')).href)}`);
    const dir = mkdtempSync(path.join(ROOT, 'test', '.readme-'));
    const file = path.join(dir, 'example.ts');
    writeFileSync(file, `${code}\nexport {};\n`);
    const logs: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(...a));
    try {
      await import(pathToFileURL(file).href);
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(logs).toEqual([true]);
  });
});
