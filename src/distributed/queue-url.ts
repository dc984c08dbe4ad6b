import type { RedisOptions } from 'bullmq';
import { ConfigError } from '../core/errors.js';

/** Where the run queue lives: ioredis connection options, and the URL as it may be printed (no password). */
export interface QueueLocation {
  readonly connection: RedisOptions;
  readonly display: string;
}

/** The environment variable whose value, when set, is the Redis password (keeps it out of `ps` and shell history). */
export const PASSWORD_VARIABLE = 'RXRL_QUEUE_PASSWORD';

const FORMAT = 'redis://[USER[:PASSWORD]@]HOST[:PORT][/DB] or rediss://… for TLS';

/**
 * Parses `--queue`: `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]`, or `rediss://…` for TLS
 * (certificates checked against the system's CAs). The password may instead come from
 * {@link PASSWORD_VARIABLE}. Anything else is a ConfigError that shows the expected form.
 */
export function parseQueueUrl(url: string, env: NodeJS.ProcessEnv = process.env): QueueLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`--queue: "${url}" is not a URL; expected ${FORMAT}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ConfigError(`--queue: unsupported scheme "${u.protocol}" in ${redact(u)}; expected ${FORMAT}`);
  if (u.hostname === '') throw new ConfigError(`--queue: no host in ${redact(u)}; expected ${FORMAT}`);
  if (u.search !== '' || u.hash !== '') throw new ConfigError(`--queue: ${redact(u)} has query or fragment parts, which are not used; expected ${FORMAT}`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db)) throw new ConfigError(`--queue: the database in ${redact(u)} must be a number, e.g. redis://localhost:6379/2`);
  const password = env[PASSWORD_VARIABLE] ?? (u.password !== '' ? decodeURIComponent(u.password) : undefined);
  const username = u.username !== '' ? decodeURIComponent(u.username) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    connection: {
      host,
      port,
      db,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    },
    display: redact(u),
  };
}

function redact(u: URL): string {
  if (u.password === '') return u.href;
  const copy = new URL(u.href);
  copy.password = '***';
  return copy.href;
}
