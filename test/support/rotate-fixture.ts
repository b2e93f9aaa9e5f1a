import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type RotateDeps, runRotate } from '../../src/cli/rotate.ts';
import { UsageError } from '../../src/flags/flags.ts';
import { TargetError } from '../../src/redis/errors.ts';
import { ConfigError } from '../../src/redis/password-file.ts';
import { type RedisServer, type RedisServerOptions, startRedis } from './redis-server.ts';
import { capturedIo } from './redoubt.ts';
import { respCommand } from './resp.ts';

/**
 * What the rotate integration tests share: the users of a rotation (an admin that rotates, an application user
 * "app"), a server with them, a temporary directory, and the reads the tests assert with (hashes, logins, the
 * password a .env holds), each independent of src/ except runRotate itself.
 */
export const OLD = 'old-app-password-0123456789';
export const ADMIN = 'admin-password-0123456789';
export const ROTATE_USERS = ['default off', `admin on >${ADMIN} ~* &* +@all`, `app on >${OLD} ~* &* +@all`];
export const adminEnv = { REDIS_USER: 'admin', REDIS_PASSWORD: ADMIN };

/** A redis-server with the rotation's users (and `more`), with an aclfile. */
export function startRotateServer(more: string[] = [], options: RedisServerOptions = {}): Promise<RedisServer> {
  return startRedis({ ...options, aclUsers: [...ROTATE_USERS, ...more] });
}

/**
 * Registers before/after hooks for a temporary directory and, unless `server: false`, one server with the
 * rotation's users (and `users`); both are read through the returned object once the tests run.
 */
export function rotateFixture(
  name: string,
  options: { users?: string[]; server?: boolean } = {},
): { readonly dir: string; readonly server: RedisServer } {
  const made: { dir?: string; server?: RedisServer } = {};
  before(async () => {
    made.dir = mkdtempSync(join(tmpdir(), `redoubt-rotate-${name}-`));
    if (options.server !== false) made.server = await startRotateServer(options.users ?? []);
  });
  after(async () => {
    await made.server?.stop();
    if (made.dir) rmSync(made.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      if (!made.dir) throw new Error('rotateFixture: used before its before() hook ran');
      return made.dir;
    },
    get server() {
      if (!made.server) throw new Error('rotateFixture: no server (server: false, or before() has not run)');
      return made.server;
    },
  };
}

/** The password hashes ACL GETUSER lists for `user`, read as the admin. */
export async function hashesOf(server: RedisServer, user: string): Promise<string[]> {
  const reply = (await respCommand(
    { ...server.endpoint, username: 'admin', password: ADMIN },
    'ACL',
    'GETUSER',
    user,
  )) as unknown[];
  return reply[reply.indexOf('passwords') + 1] as string[];
}

/** PONG when `user` logs in with `password`, else the server's error. */
export async function login(server: RedisServer, password: string, user = 'app'): Promise<string> {
  try {
    return String(await respCommand({ ...server.endpoint, username: user, password }, 'PING'));
  } catch (err) {
    return (err as Error).message;
  }
}

/** The value of KEY= in a .env file ('' when absent). */
export function envValue(path: string, key = 'APP'): string {
  return new RegExp(`^${key}=(.*)$`, 'm').exec(readFileSync(path, 'utf8'))?.[1] ?? '';
}

/**
 * runRotate in this process as the admin (or `env`): its exit code, with what it throws counted as main() counts
 * it (a usage error exit 2, anything else 1), and everything it wrote (and the error) in `out`.
 */
export async function rotate(
  argv: string[],
  deps: RotateDeps = {},
  env: NodeJS.ProcessEnv = adminEnv,
): Promise<{ code: number; out: string }> {
  const { io, seen } = capturedIo(env);
  let code: number;
  try {
    code = await runRotate(argv, io, deps);
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof TargetError || err instanceof ConfigError;
    code = usage ? 2 : 1;
    seen.out += (err as Error).message;
  }
  return { code, out: seen.out };
}
