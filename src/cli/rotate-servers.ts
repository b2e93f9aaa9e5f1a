import { resolve } from 'node:path';
import type { FlagValues } from '../flags/flags.ts';
import { UsageError } from '../flags/flags.ts';
import type { RedisConnection, TlsOptions } from '../redis/connection.ts';
import { loadPasswordFile, type PasswordMap, resolveCredentials } from '../redis/password-file.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';
import type { CheckResult } from '../rotate/preconditions.ts';
import { persist, persistWhat, type RotationServer } from '../rotate/rotation.ts';
import { readServerFacts, type ServerFacts, serverDisplay } from '../rotate/server-facts.ts';
import { shellQuote } from '../text/shell-quote.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';
import { clientTlsFromFlags } from './tls-flags.ts';

/** What every mode of `redoubt rotate` does with its servers: connect, read their facts, report refusals. */
export const DEFAULT_STATE_FILE = '.redoubt-rotate.json';

export interface Connecting {
  targets: RedisTarget[];
  tls: TlsOptions;
  connectUser: string;
}

/** The servers with the credentials to connect with, as the exporter takes them. */
export function connecting(urls: string[], values: FlagValues): Connecting {
  const file = String(values['redis.password-file'] || '');
  const passwords: PasswordMap | undefined = file ? loadPasswordFile(file) : undefined;
  const targets = urls.map((url) => {
    const bare = parseTarget(url);
    const { user, password } = resolveCredentials(bare, {
      user: String(values['redis.user'] || ''),
      password: String(values['redis.password'] || ''),
      passwords,
    });
    return withCredentials(bare, user, password);
  });
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.display.replace(/\/\/[^@/]*@/, '//')))
      throw new UsageError(`${t.display} is given twice with --redis`);
    seen.add(t.display.replace(/\/\/[^@/]*@/, '//'));
  }
  return { targets, tls: clientTlsFromFlags(values), connectUser: targets[0]?.username ?? 'default' };
}

/** The passwords rotate sends to servers: the connecting ones, and the new one. */
export function connectSecrets(c: Connecting): string[] {
  return c.targets.map((t) => t.password ?? '').filter(Boolean);
}

export async function openAll(c: Connecting): Promise<RespConnection[]> {
  const conns = c.targets.map((t) => new RespConnection(t, { connectTimeoutMs: 10000, tls: c.tls }));
  try {
    await Promise.all(conns.map((conn) => conn.ready()));
  } catch (err) {
    await Promise.all(conns.map((conn) => conn.close()));
    throw err;
  }
  return conns;
}

/** The servers with their facts and the plan the preconditions gave each. */
export function withPlans(conns: RedisConnection[], facts: ServerFacts[], check: CheckResult): RotationServer[] {
  return conns.map((conn, i) => ({ conn, facts: facts[i], plan: check.plans[i] }));
}

export async function readAllFacts(conns: RedisConnection[], user: string): Promise<ServerFacts[]> {
  const out: ServerFacts[] = [];
  for (const conn of conns) out.push(await readServerFacts(conn, user));
  return out;
}

export function report(io: CliIo, check: CheckResult): boolean {
  for (const w of check.warnings) io.stderr.write(`redoubt rotate: warning: ${neutralise(w)}\n`);
  if (check.problems.length === 0) return true;
  io.stderr.write(
    `redoubt rotate: nothing was changed, because:\n${check.problems.map((p) => `  - ${neutralise(p)}`).join('\n')}\n`,
  );
  return false;
}

/** The last precondition: the server can write its files now (the later save would write the same). */
export async function checkPersist(servers: RotationServer[], io: CliIo): Promise<boolean> {
  const problems: string[] = [];
  for (const s of servers) {
    try {
      await persist(s.conn, s.plan);
    } catch (err) {
      problems.push(
        `${s.facts.display} cannot save (${persistWhat(s.plan)}): ${(err as Error).message}. Fix its aclfile / redis.conf (the file and its directory must be writable by redis-server)`,
      );
    }
  }
  return report(io, { plans: [], problems, warnings: [] });
}

export function stateFlag(statePath: string): string {
  return statePath === resolve(DEFAULT_STATE_FILE) ? '' : ` --state-file ${shellQuote(statePath)}`;
}

/** The servers of a recorded rotation, with the credentials given now: --redis, when given, must name the same. */
export function connectingTo(servers: string[], values: FlagValues): Connecting {
  const given = values.redis as string[];
  const c = connecting(given.length > 0 ? given : servers, values);
  const bare = (t: RedisTarget) => serverDisplay(t);
  const expected = new Set(servers.map((s) => bare(parseTarget(s))));
  if (c.targets.length !== expected.size || c.targets.some((t) => !expected.has(bare(t))))
    throw new UsageError(`--redis must name the servers of the rotation: ${servers.join(', ')}`);
  return c;
}

/**
 * The hook run after each step: the test seam `afterStep`, and REDOUBT_TEST_KILL_AFTER_STEP, for tests only: the
 * process kills itself (SIGKILL, as kill -9 or a power loss would stop it) right after the first step whose
 * description starts with that text, so a test can check what an interrupted rotation leaves and how it recovers.
 */
export function afterEachStep(io: CliIo, afterStep?: (what: string) => Promise<void>): (what: string) => Promise<void> {
  const killAfter = io.env.REDOUBT_TEST_KILL_AFTER_STEP;
  return async (what) => {
    await afterStep?.(what);
    if (killAfter && what.startsWith(killAfter)) process.kill(process.pid, 'SIGKILL');
  };
}
