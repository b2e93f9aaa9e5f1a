import type { Writable } from 'node:stream';
import { redactSecrets } from '../redis/errors.ts';
import { hideKnownSecrets } from '../text/known-secrets.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * A logger that writes to an injected stream (tests capture it). Messages are built without secrets; as a second
 * line of defence every message and field has the secrets of `secrets()` hidden (src/text/known-secrets.ts: those
 * of 8 characters or more wherever they stand, as a server may echo a password in an error), a field whose whole
 * value is a shorter one replaced too, and a URL's password redacted. A short password is not searched for as a
 * substring: with REDIS_PASSWORD=redis that would turn `redis://host` into `***://host`, mangling the line and
 * telling where the password is.
 */
export function createLogger(out: Writable, level: LogLevel, format: 'txt' | 'json', secrets: () => string[]): Logger {
  const write = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = secrets().filter(Boolean);
    const known = new Set(all);
    const hide = (text: string) => hideKnownSecrets(redactSecrets(text), all);
    const safe: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) safe[k] = typeof v !== 'string' ? v : known.has(v) ? '***' : hide(v);
    const text = hide(msg);
    const time = new Date().toISOString();
    const line =
      format === 'json'
        ? JSON.stringify({ time, level: lvl, msg: text, ...safe })
        : `time="${time}" level=${lvl} msg="${text.replace(/"/g, '\\"')}"${Object.entries(safe)
            .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
            .join('')}`;
    out.write(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
