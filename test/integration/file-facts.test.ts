/**
 * The users a file audit derives from redis.conf / an aclfile are the users redis-server 7.0 has after loading
 * the same files: same names, on/off, nopass, password hashes, key and channel patterns, and the same answer to
 * every command (userCan over the 7.0 table) — including the surprises (requirepass ignored when an aclfile has no
 * default user; `user default` resetting requirepass).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAclList } from '../../src/redis/acl-rules.ts';
import type { AclUser } from '../../src/redis/acl-user.ts';
import { REDIS_7_0_COMMAND_TABLE, runnableCommands, userCan } from '../../src/security/acl-eval.ts';
import { factsFromFiles } from '../../src/security/file-facts.ts';
import { type RedisServer, type RedisServerOptions, startRedis } from '../support/redis-server.ts';
import { respCommand } from '../support/resp.ts';

const FIXTURES = 'test/fixtures/security';
const commands = runnableCommands(REDIS_7_0_COMMAND_TABLE);
const tmp = mkdtempSync(join(tmpdir(), 'redoubt-ff-'));
const servers: RedisServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The fixture's `user` lines and requirepass, to load into a test server. */
function authLines(fixture: string): string[] {
  return readFileSync(join(FIXTURES, fixture), 'utf8')
    .split('\n')
    .filter((l) => /^(user|requirepass) /.test(l));
}

function copyFixture(name: string): string {
  const to = join(tmp, name);
  copyFileSync(join(FIXTURES, name), to);
  return to;
}

/** Starts a server, reads its users live (as `as`), and audits the redis.conf it loaded as a file. */
async function compare(
  options: RedisServerOptions,
  as: { username?: string; password?: string },
): Promise<{ file: AclUser[]; live: AclUser[] }> {
  const server = await startRedis(options);
  servers.push(server);
  const live = parseAclList(
    (await respCommand(
      { ...server.endpoint, username: as.username, password: as.password },
      'ACL',
      'LIST',
    )) as string[],
  );
  const file = factsFromFiles({ confPath: join(server.dir, 'redis.conf') }).users ?? [];
  const byName = (xs: AclUser[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(
    byName(file).map((u) => u.name),
    byName(live).map((u) => u.name),
  );
  for (const l of live) {
    const f = file.find((u) => u.name === l.name) as AclUser;
    const facts = (u: AclUser) => ({
      enabled: u.enabled,
      nopass: u.nopass,
      hashes: [...u.passwordHashes].sort(),
      keys: u.keyPatterns,
      channels: u.channelPatterns,
      skipSanitizePayload: u.skipSanitizePayload === true,
      selectors: u.selectors?.length ?? 0,
    });
    assert.deepEqual(facts(f), facts(l), `user ${l.name}`);
    const differ = commands.filter(
      (c) => userCan(f, c, REDIS_7_0_COMMAND_TABLE) !== userCan(l, c, REDIS_7_0_COMMAND_TABLE),
    );
    assert.deepEqual(differ, [], `user ${l.name}: file and server disagree on these commands`);
  }
  return { file, live };
}

describe('users from files = users in the server', () => {
  test('hardened.acl as the aclfile', async () => {
    const acl = copyFixture('hardened.acl');
    const admin = readFileSync(acl, 'utf8').match(/user admin on >(\S+)/)?.[1];
    const { live } = await compare({ config: [`aclfile ${acl}`] }, { username: 'admin', password: admin });
    assert.equal(live.find((u) => u.name === 'default')?.enabled, false);
  });

  test('requirepass with an aclfile without a default user: the default user is nopass', async () => {
    const acl = copyFixture('users-without-default.acl');
    const { live, file } = await compare({ config: [`aclfile ${acl}`, 'requirepass foobared'] }, {});
    for (const users of [live, file]) assert.equal(users.find((u) => u.name === 'default')?.nopass, true);
  });

  test('user lines of nopass-user.conf and password-equals-username.conf', async () => {
    await compare({ config: authLines('nopass-user.conf') }, { username: 'cache', password: 'anything' });
    const lines = authLines('password-equals-username.conf');
    const admin = lines.join('\n').match(/user admin on >(\S+)/)?.[1];
    await compare({ config: lines }, { username: 'admin', password: admin });
  });

  test('requirepass alone (weak-requirepass.conf)', async () => {
    await compare({ config: authLines('weak-requirepass.conf') }, { password: 'foobared' });
  });

  test('`user default` resets the default user, dropping requirepass', async () => {
    const { live } = await compare(
      {
        config: [
          'user default on ~* +@all',
          'requirepass foobared',
          'user bob on >x ~k:* %R~r:* %W~r:* &c (~s:* +set) -@all +@read +select|0 -get +acl|list skip-sanitize-payload',
        ],
      },
      { username: 'bob', password: 'x' },
    );
    const d = live.find((u) => u.name === 'default');
    assert.deepEqual(d?.passwordHashes, []);
    assert.equal(d?.nopass, false);
  });

  test('acl-pubsub-default allchannels', async () => {
    await compare(
      { config: ['acl-pubsub-default allchannels', 'user carol on nopass ~* -@all +@pubsub +acl|list (~x +get)'] },
      { username: 'carol', password: 'x' },
    );
  });
});
