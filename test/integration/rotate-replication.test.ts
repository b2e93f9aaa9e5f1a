import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import { parseTarget, withCredentials } from '../../src/redis/target.ts';
import { httpGet } from '../support/http.ts';
import { aclPasswordHash, type RedisServer, startRedis } from '../support/redis-server.ts';
import { runMain, startExporter } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';

/**
 * A master and its replica, both with an aclfile, the replica replicating as the user being rotated ("app"), a
 * client of "app" logged in with the old password, and a redoubt exporter reading "app"'s password from a
 * redis_exporter password file: the whole rotation, then a restart of the replica with what was saved.
 */
const OLD = 'old-app-password-0123456789';
const ADMIN = 'admin-password-0123456789';
const USERS = ['default off', `admin on >${ADMIN} ~* &* +@all`, `app on >${OLD} ~* &* +@all`];

let master: RedisServer;
let replica: RedisServer;
let dir: string;

before(async () => {
  master = await startRedis({ aclUsers: USERS });
  replica = await startRedis({
    aclUsers: USERS,
    config: [`replicaof 127.0.0.1 ${master.port}`, 'masteruser app', `masterauth ${OLD}`],
  });
  dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-'));
});

after(async () => {
  await replica?.stop();
  await master?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const as = (server: RedisServer, user: string, password: string) =>
  respCommand({ ...server.endpoint, username: user, password }, 'PING');

async function refused(server: RedisServer, password: string): Promise<boolean> {
  try {
    await as(server, 'app', password);
    return false;
  } catch (err) {
    return /WRONGPASS/.test((err as Error).message);
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const adminEnv = { REDIS_USER: 'admin', REDIS_PASSWORD: ADMIN };

async function linkUp(server: RedisServer): Promise<boolean> {
  const info = await respCommand({ ...server.endpoint, username: 'admin', password: ADMIN }, 'INFO', 'replication');
  return String(info).includes('master_link_status:up');
}

test('rotate master + replica: no client, login or scrape is lost, and the old password is refused after --finish', async () => {
  await until('the replica to sync', () => linkUp(replica));
  const pwFile = join(dir, 'passwords.json');
  const appKey = `redis://app@127.0.0.1:${master.port}`;
  writeFileSync(pwFile, JSON.stringify({ [appKey]: OLD }), { mode: 0o600 });
  const envFile = join(dir, '.env');
  writeFileSync(envFile, 'OTHER=kept\nAPP_PASSWORD=old\n', { mode: 0o640 });
  const stateFile = join(dir, 'rotate.json');

  // A client logged in with the old password, kept open throughout.
  const client = new RespConnection(withCredentials(parseTarget(master.url), 'app', OLD));
  await client.ready();
  const generation = client.generation;

  const exporter = await startExporter(
    [
      '--redis.addr',
      master.url,
      '--redis.user',
      'app',
      '--redis.password-file',
      pwFile,
      '--include-system-metrics=false',
    ],
    {},
  );
  const ups: string[] = [];
  let polling = true;
  let killExporterConnection = false;
  const poller = (async () => {
    while (polling) {
      const r = await httpGet(`${exporter.url}/metrics`);
      ups.push(/^redis_up (\S+)/m.exec(r.body)?.[1] ?? 'missing');
      if (killExporterConnection) {
        // Between two scrapes: the exporter must log in again, now with the new password only.
        killExporterConnection = false;
        const admin = { ...master.endpoint, username: 'admin', password: ADMIN };
        let listed = String(await respCommand(admin, 'CLIENT', 'LIST', 'TYPE', 'normal'));
        const killedIds = [...listed.matchAll(/^id=(\d+) [^\n]*user=app /gm)].map((m) => m[1]);
        await respCommand(
          { ...master.endpoint, username: 'admin', password: ADMIN },
          'CLIENT',
          'KILL',
          'USER',
          'app',
          'SKIPME',
          'yes',
        );
        // (the old client above is killed too: it reconnects, which is not what this test watches)
        // Redis closes killed clients asynchronously: the next scrape waits until the exporter's is gone, so it
        // cannot be sent down a socket that is closing (that scrape would fail for the test's timing, not rotate).
        while (killedIds.some((id) => listed.includes(`id=${id} `)))
          listed = String(await respCommand(admin, 'CLIENT', 'LIST', 'TYPE', 'normal'));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await until('the exporter to scrape', async () => ups.length > 3);
    const exporterClientId = async () => {
      const list = String(
        await respCommand({ ...master.endpoint, username: 'admin', password: ADMIN }, 'CLIENT', 'LIST'),
      );
      return /id=(\d+) [^\n]*name=redis_exporter/.exec(list)?.[1];
    };
    const before = await exporterClientId();

    const start = await runMain(
      [
        'rotate',
        '--redis',
        master.url,
        '--redis',
        replica.url,
        '--user',
        'app',
        '--password-file',
        pwFile,
        '--dotenv',
        envFile,
        '--env-key',
        'APP_PASSWORD',
        '--state-file',
        stateFile,
      ],
      adminEnv,
    );
    assert.equal(start.code, 0, start.stderr + start.stdout);
    const NEW = /^APP_PASSWORD=(.*)$/m.exec(readFileSync(envFile, 'utf8'))?.[1] ?? '';
    assert.equal(NEW.length, 40);
    assert.match(readFileSync(envFile, 'utf8'), /^OTHER=kept\n/);
    assert.equal(statSync(envFile).mode & 0o777, 0o640, 'the .env keeps its mode');
    assert.deepEqual(JSON.parse(readFileSync(pwFile, 'utf8')), { [appKey]: NEW });
    for (const out of [start.stdout, start.stderr]) assert.ok(!out.includes(NEW) && !out.includes(OLD));
    assert.match(start.stdout, /masterauth/);
    const state = readFileSync(stateFile, 'utf8');
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);
    assert.ok(!state.includes(NEW) && !state.includes(OLD), 'the state file holds hashes only');
    assert.ok(state.includes(aclPasswordHash(OLD)) && state.includes(aclPasswordHash(NEW)));

    // Grace period: both passwords log in on both servers; both are saved in each aclfile.
    for (const s of [master, replica]) {
      assert.equal(await as(s, 'app', OLD), 'PONG');
      assert.equal(await as(s, 'app', NEW), 'PONG');
      const acl = readFileSync(join(s.dir, 'users.acl'), 'utf8');
      assert.ok(acl.includes(aclPasswordHash(NEW)) && acl.includes(aclPasswordHash(OLD)));
    }
    const masterauth = await respCommand(
      { ...replica.endpoint, username: 'admin', password: ADMIN },
      'CONFIG',
      'GET',
      'masterauth',
    );
    assert.deepEqual(masterauth, ['masterauth', NEW]);
    assert.match(readFileSync(join(replica.dir, 'redis.conf'), 'utf8'), new RegExp(`masterauth "?${NEW}`));
    // The exporter read the new file and logged in again with it.
    await until('the exporter to reconnect with the new password', async () => (await exporterClientId()) !== before);

    const status = await runMain(['rotate', '--status', '--state-file', stateFile], adminEnv);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /logged in before the rotation, with the old password/);
    assert.match(status.stdout, /acl_access_denied_auth: not reported/);

    const finish = await runMain(['rotate', '--finish', '--state-file', stateFile], adminEnv);
    assert.equal(finish.code, 0, finish.stderr + finish.stdout);
    for (const out of [finish.stdout, finish.stderr]) assert.ok(!out.includes(NEW) && !out.includes(OLD));
    assert.throws(() => statSync(stateFile), /ENOENT/);
    for (const s of [master, replica]) {
      assert.ok(await refused(s, OLD), 'a new login with the old password is refused');
      assert.equal(await as(s, 'app', NEW), 'PONG');
      const acl = readFileSync(join(s.dir, 'users.acl'), 'utf8');
      assert.ok(acl.includes(aclPasswordHash(NEW)) && !acl.includes(aclPasswordHash(OLD)));
    }
    // The client logged in with the old password still works, on the same connection.
    assert.equal(await client.call('PING'), 'PONG');
    assert.equal(client.generation, generation, 'the old client never reconnected');

    // The refused login shows in --status style reports as a failed login in ACL LOG.
    const log = await respCommand({ ...master.endpoint, username: 'admin', password: ADMIN }, 'ACL', 'LOG', '10');
    assert.match(JSON.stringify(log), /"reason","auth".*"username","app"/);

    // The exporter's connection is cut: it logs in again with the new password, without a failed scrape.
    const scrapesBefore = ups.length;
    killExporterConnection = true;
    await until('scrapes after the reconnect', async () => ups.length > scrapesBefore + 10);
  } finally {
    polling = false;
    await poller;
    await exporter.stop();
    await client.close();
  }
  // At least the ten after the reconnect (a fast machine gets through the rotation itself in a few scrapes).
  assert.ok(ups.length > 10, `only ${ups.length} scrapes`);
  assert.deepEqual(
    ups.filter((u) => u !== '1'),
    [],
    'redis_up stayed 1 in every scrape',
  );

  // What was saved works: the replica restarts with the new masterauth and syncs as "app".
  await replica.restart();
  await until('the restarted replica to sync with the new password', () => linkUp(replica));
});
