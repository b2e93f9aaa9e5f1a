/**
 * redoubt backup and restore at a terminal (a pseudo-terminal through util-linux `script`): the backup redraws one
 * progress line (bytes, rate, ETA) in place; a live restore asks before it changes anything, and "n" leaves the
 * target untouched while "y" restores.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ageKeyPair } from '../support/backup-data.ts';
import { runCliInPty } from '../support/pty.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { respCommand, respCommands } from '../support/resp.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-backup-tty-')));
const servers: RedisServer[] = [];
let source: RedisServer;
let keys: { identityFile: string; recipient: string };
let file: string;

before(async () => {
  source = await startRedis({ config: ['enable-debug-command yes'] });
  servers.push(source);
  await respCommands(source.endpoint, [['DEBUG', 'POPULATE', '2000', 'k', '500']], 20000);
  keys = ageKeyPair(root);
});

after(async () => {
  for (const s of servers.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

test('the backup shows its progress redrawn in place on a terminal', async () => {
  await respCommand(source.endpoint, 'CONFIG', 'SET', 'rdb-key-save-delay', '1000'); // ~2 s of transfer
  const out = join(root, 'out');
  try {
    const r = await runCliInPty(['backup', '--redis', source.url, '--out', out, '--recipient', keys.recipient], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 0, r.output);
    // Each redraw: carriage return, erase line (ESC [ K), then the line.
    assert.ok(r.output.includes('\r\u001b[Kbackup: '), r.output);
    assert.match(r.output, /\[Kbackup: \d+\.\d MB {2}\d+\.\d MB\/s/);
    assert.match(r.output, /RDB backup of/);
  } finally {
    await respCommand(source.endpoint, 'CONFIG', 'SET', 'rdb-key-save-delay', '0');
  }
  file = join(out, readdirSync(out).find((f) => f.endsWith('.rdb.age')) as string);
});

test('a live restore asks first: "n" changes nothing, "y" restores', async () => {
  const target = await startRedis();
  servers.push(target);
  const args = ['restore', file, '--identity', keys.identityFile, '--redis', target.url];
  const no = await runCliInPty(args, { answers: [{ prompt: /\[y\/N\] /, type: 'n\r' }], timeoutMs: 60000 });
  assert.equal(no.code, 1, no.output);
  assert.match(no.output, /Restore 2000 keys into redis:\/\/127\.0\.0\.1:\d+\? \[y\/N\]/);
  assert.match(no.output, /Nothing was restored/);
  assert.equal(await respCommand(target.endpoint, 'DBSIZE'), 0);
  const yes = await runCliInPty(args, { answers: [{ prompt: /\[y\/N\] /, type: 'y\r' }], timeoutMs: 60000 });
  assert.equal(yes.code, 0, yes.output);
  assert.equal(await respCommand(target.endpoint, 'DBSIZE'), 2000);
});
