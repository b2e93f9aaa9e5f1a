import { envName, HARDENED_USERS, type HardenedUser } from '../catalog/acl-users.ts';
import type { StackEnv } from '../config/stack-env.ts';
import { parseTarget } from '../redis/target.ts';
import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';
import type { LoginFacts } from './login.ts';

/** The .env variable holding `user`'s password: REDIS_<USER>_PASSWORD for redoubt's users, else REDIS_PASSWORD. */
export function envPasswordFor(env: StackEnv, user: string): { variable: string; value: string } | undefined {
  if ((HARDENED_USERS as readonly string[]).includes(user)) {
    const variable = envName(user as HardenedUser);
    if (env[variable]) return { variable, value: env[variable] };
  }
  return env.REDIS_PASSWORD ? { variable: 'REDIS_PASSWORD', value: env.REDIS_PASSWORD } : undefined;
}

/**
 * The password given and the one in .env, each tried: .env is out of step when the server takes the given one and
 * refuses .env's (or the other way round).
 */
export function diagnoseEnvPassword(subject: string, given: LoginFacts, fromEnv: LoginFacts, envFile: string): Finding {
  const variable = neutralise(fromEnv.envVariable ?? 'REDIS_PASSWORD');
  const file = neutralise(envFile);
  if (given.ok && fromEnv.ok) return finding(subject, 'env-password', 'ok', `${variable} in ${file} is accepted too`);
  if (given.ok)
    return finding(
      subject,
      'env-password',
      'fail',
      `${variable} in ${file} is out of step with the server: it is refused (${neutralise(fromEnv.kind ?? 'error')}) while the password given works`,
      `put the working password in ${file} (the stack's containers read it at start: docker compose up -d afterwards); redoubt rotate keeps the server and ${file} in step`,
    );
  if (fromEnv.ok)
    return finding(
      subject,
      'env-password',
      'warn',
      `the password given is refused, but ${variable} in ${file} works: the given one is stale`,
      `use the password from ${file}`,
    );
  return finding(
    subject,
    'env-password',
    'fail',
    `${variable} in ${file} is refused as well`,
    'neither password works: reset it on the server (ACL SETUSER <user> >newpassword) and write it to .env',
  );
}

/** Host and port of an address, for comparing REDIS_ADDR with redoubt.yml's targets; undefined if unparsable. */
function endpoint(address: string): string | undefined {
  try {
    const t = parseTarget(address);
    return t.scheme === 'unix' ? t.path : `${t.host}:${t.port}`;
  } catch {
    return undefined;
  }
}

/** REDIS_ADDR in .env (what a single-target exporter scrapes) against the targets redoubt.yml lists. */
export function diagnoseEnvAddress(envFile: string, env: StackEnv, targets: readonly string[]): Finding | undefined {
  const addr = env.REDIS_ADDR;
  if (!addr || targets.length === 0) return undefined;
  const mine = endpoint(addr);
  const theirs = targets.map(endpoint);
  const subject = neutralise(envFile);
  const shown = neutralise(addr.replace(/\/\/[^@/]*@/, '//'));
  if (mine && theirs.includes(mine))
    return finding(subject, 'env-address', 'ok', `REDIS_ADDR (${shown}) is one of redoubt.yml's targets`);
  return finding(
    subject,
    'env-address',
    'warn',
    `REDIS_ADDR in ${subject} (${shown}) is not among redoubt.yml's redis.targets (${targets.map((t) => neutralise(t)).join(', ')}): the exporter and Prometheus watch different servers`,
    'make them name the same server: edit REDIS_ADDR or redis.targets (then redoubt stack --force)',
  );
}
