import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that writes to an injected stream (tests capture it) and scrubs the given secrets from every line. */
export function createLogger(out: Writable, level: LogLevel, format: 'txt' | 'json', secrets: () => string[]): Logger {
  const write = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const time = new Date().toISOString();
    let line =
      format === 'json'
        ? JSON.stringify({ time, level: lvl, msg, ...fields })
        : `time="${time}" level=${lvl} msg="${msg.replace(/"/g, '\\"')}"${Object.entries(fields)
            .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
            .join('')}`;
    for (const s of secrets()) if (s) line = line.split(s).join('***');
    out.write(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
