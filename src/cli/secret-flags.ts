/**
 * Secrets given as flag values: accepted where redis_exporter accepts them (--redis.password, --basic-auth-password),
 * and by the commands that take the exporter's connection flags, so existing command lines keep working; but every
 * user of the machine reads a process's arguments (ps, /proc/PID/cmdline), so each gets a warning naming the safe
 * way. (A command without the flag refuses it in parseFlags, with the same advice.) Pure: argv in, warnings out,
 * never the value.
 */
const SAFER: Record<string, string> = {
  'redis.password': 'REDIS_PASSWORD in the environment, or --redis.password-file FILE',
  'basic-auth-password': 'REDIS_EXPORTER_BASIC_AUTH_PASSWORD in the environment',
};

/** The secret flags each command accepts (cli-entry.test.ts checks every one is a flag of its command). */
export const SECRET_FLAGS: Record<string, readonly string[]> = {
  exporter: ['redis.password', 'basic-auth-password'],
  audit: ['redis.password'],
  doctor: ['redis.password'],
  rotate: ['redis.password'],
  backup: ['redis.password'],
  restore: ['redis.password'],
  harden: ['redis.password'],
};

export function secretFlagWarnings(command: string, argv: readonly string[]): string[] {
  const accepted = Object.hasOwn(SECRET_FLAGS, command) ? SECRET_FLAGS[command] : [];
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const name = /^--?([^=]+)/.exec(arg)?.[1] ?? '';
    if (!accepted.includes(name) || out.some((w) => w.startsWith(`--${name} `))) continue;
    out.push(
      `--${name} puts a secret on the command line, where every user of this machine can read it (ps): prefer ${SAFER[name]}`,
    );
  }
  return out;
}
