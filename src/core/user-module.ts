import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';

/**
 * Imports a user's module by its path (relative to the working directory), e.g. one that
 * registers custom envs, and returns its exports. TypeScript modules load through `tsx` when it
 * is installed. A missing file, or a TypeScript file without `tsx`, is a {@link ConfigError}
 * that names it.
 */
export async function importUserModule(modulePath: string): Promise<Record<string, unknown>> {
  const abs = path.resolve(modulePath);
  if (!existsSync(abs)) throw new ConfigError(`module not found: ${abs}`);
  if (/\.[mc]?ts$/.test(abs)) {
    try {
      const tsx = (await import('tsx/esm/api')) as { register: () => unknown };
      tsx.register();
    } catch {
      throw new ConfigError(`${modulePath} is TypeScript; install tsx (npm i -D tsx) to load it, or point at the compiled .js file`);
    }
  }
  return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
}

/** Imports every module of `modulePaths` in order (`--preload`: modules that register envs before a run looks them up). */
export async function preloadModules(modulePaths: readonly string[]): Promise<void> {
  for (const m of modulePaths) await importUserModule(m);
}
