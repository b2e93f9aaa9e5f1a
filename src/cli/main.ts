import { UsageError } from '../flags/flags.ts';
import { TargetError } from '../redis/errors.ts';
import { ConfigError } from '../redis/password-file.ts';
import { neutralise } from '../text/terminal.ts';
import { packageVersion } from '../version.ts';
import { type CliIo, processIo } from './io.ts';
import { secretFlagWarnings } from './secret-flags.ts';

const COMMANDS: Record<string, { run: (argv: string[], io: CliIo) => Promise<number>; summary: string }> = {
  // Loaded on demand: each command pulls in only its own code (the exporter stays small in memory).
  up: {
    run: async (a, io) => (await import('./up.ts')).runUp(a, io),
    summary: 'Watch Redis in one process: scrape, keep history, audit, and answer the Prometheus API',
  },
  exporter: {
    run: async (a, io) => (await import('./exporter.ts')).runExporter(a, io),
    summary: 'Prometheus exporter for Redis (drop-in for redis_exporter)',
  },
  audit: {
    run: async (a, io) => (await import('./audit.ts')).runAudit(a, io),
    summary: 'Security audit of a live Redis and/or its redis.conf and ACL file',
  },
  harden: {
    run: async (a, io) => (await import('./harden.ts')).runHarden(a, io),
    summary: 'Write a hardened redis.conf, users.acl and .env, or harden a live server',
  },
  rules: {
    run: async (a, io) => (await import('./rules.ts')).runRules(a, io),
    summary: "Run rule unit tests (promtool's format) on redoubt's engine, or check rule files",
  },
  rotate: {
    run: async (a, io) => (await import('./rotate.ts')).runRotate(a, io),
    summary:
      "Rotate an ACL user's password without downtime: add the new one, then remove the old after a grace period",
  },
  doctor: {
    run: async (a, io) => (await import('./doctor.ts')).runDoctor(a, io),
    summary: 'Diagnose a Redis target or the whole stack, step by step, each failure with its fix',
  },
  backup: {
    run: async (a, io) => (await import('./backup.ts')).runBackupCommand(a, io),
    summary: 'Back up Redis: a verified RDB over the replication protocol, encrypted with age while it streams',
  },
  restore: {
    run: async (a, io) => (await import('./restore.ts')).runRestore(a, io),
    summary: 'Decrypt and verify a backup, then write a dump.rdb or restore it into a live server',
  },
  stack: {
    run: async (a, io) => (await import('./stack.ts')).runStack(a, io),
    summary: 'Write the monitoring stack: compose file, Prometheus, Alertmanager, Grafana, nginx, secrets',
  },
};

function usage(): string {
  const lines = ['Usage: redoubt <command> [flags]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run "redoubt <command> --help" for the flags of a command, "redoubt --version" for the version.');
  return `${lines.join('\n')}\n`;
}

/** CLI entry: dispatches to one file per command. Returns the exit code (2 for usage errors, 1 for failures). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`redoubt ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`redoubt: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (!rest.some((a) => a === '--help' || a === '-h' || a === '-help'))
    for (const w of secretFlagWarnings(name, rest)) io.stderr.write(`redoubt ${name}: warning: ${w}\n`);
  try {
    return await command.run(rest, io);
  } catch (err) {
    const e = err as Error;
    io.stderr.write(`redoubt ${name}: ${neutralise(e.message)}\n`);
    if (e instanceof UsageError || e instanceof TargetError) return 2;
    if (e instanceof ConfigError) return 2;
    return 1;
  }
}
