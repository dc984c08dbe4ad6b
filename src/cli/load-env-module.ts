import { ConfigError, describeValue } from '../core/errors.js';
import { importUserModule } from '../core/user-module.js';
import type { AnyEnv } from '../envs/env.js';

/** Whether `arg` names a file rather than a registered env id. */
export function looksLikeModulePath(arg: string): boolean {
  return /\.(m?[jt]s|cjs)$/.test(arg) || arg.startsWith('.') || arg.startsWith('/');
}

/**
 * Imports a user's env module and builds the env it exports: the named export (default
 * `default`) may be an env instance, a class, or a factory function. TypeScript modules load
 * through `tsx` when it is installed.
 */
export async function loadEnvFromModule(modulePath: string, exportName = 'default'): Promise<AnyEnv> {
  const mod = await importUserModule(modulePath);
  const exported = mod[exportName];
  if (exported === undefined) {
    const names = Object.keys(mod).join(', ') || '(none)';
    throw new ConfigError(`${modulePath} has no export "${exportName}"; its exports are: ${names}. Choose one with --export NAME`);
  }
  return instantiateEnv(exported, `${modulePath}#${exportName}`);
}

function isEnvLike(x: unknown): x is AnyEnv {
  return typeof x === 'object' && x !== null && typeof (x as AnyEnv).reset === 'function' && typeof (x as AnyEnv).step === 'function';
}

function instantiateEnv(exported: unknown, where: string): AnyEnv {
  if (isEnvLike(exported)) return exported;
  if (typeof exported === 'function') {
    const ctor = exported as new () => unknown;
    const fn = exported as () => unknown;
    // A class must be called with `new`; a factory may not be constructible (arrow functions).
    const isClass = /^class\s/.test(Function.prototype.toString.call(exported));
    const made = isClass ? new ctor() : fn();
    if (isEnvLike(made)) return made;
    throw new ConfigError(`${where} returned ${describeValue(made)}, not an env (an object with reset() and step())`);
  }
  throw new ConfigError(`${where} is ${describeValue(exported)}; export an env instance, an env class or a factory function`);
}
