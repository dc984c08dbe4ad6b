import { ConfigError, describeValue } from '../core/errors.js';
import type { EnvKwargs } from './registry.js';

/** The type each keyword argument of an env must have. */
export type KwargTypes = Readonly<Record<string, 'number' | 'boolean' | 'string'>>;

/**
 * Checks an env's keyword arguments against the ones it accepts, so a typo or a wrong type
 * fails at `make()` with the accepted names instead of being silently ignored.
 */
export function checkKwargs(envId: string, kwargs: EnvKwargs, accepted: KwargTypes): void {
  for (const [key, value] of Object.entries(kwargs)) {
    const type = accepted[key];
    if (type === undefined) {
      const names = Object.keys(accepted);
      throw new ConfigError(`${envId}: unknown keyword argument "${key}"; accepted: ${names.length > 0 ? names.join(', ') : 'none'}`);
    }
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      throw new ConfigError(`${envId}: keyword argument "${key}" must be a finite ${type}, got ${describeValue(value)}`);
    }
  }
}
