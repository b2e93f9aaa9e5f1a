/**
 * What must never happen with backups, against real redis-servers: a backup killed with SIGKILL mid-transfer,
 * or cut by the server, leaves nothing under a backup's name; a wrong key or passphrase, a truncated or altered
 * file, a manifest that does not match, all write nothing (no dump.rdb, no key in the target) and exit 2; the
 * restore traps (a replica as target, maxmemory too small) refuse before anything is sent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ageKeyPair, writePassphrase } from '../support/backup-data.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { BIN, runCli } from '../support/redoubt.ts';
import { respCommand, respCommands } from '../support/resp.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-backup-faults-')));
const servers: RedisServer[] = [];
let source: RedisServer;
let keys: { identityFile: string; recipient: string };
let goodFile: string;
const metricsFile = join(root, 'redoubt-backup.prom');

before(async () => {
  source = await startRedis({ config: ['enable-debug-command yes'] });
  servers.push(source);
  await respCommands(
    source.endpoint,
    [
      // 3000 keys of 1 kB random text: 3 MB that LZF cannot shrink, so the encrypted file grows during a slow transfer.
      ...Array.from({ length: 3000 }, (_, i) => ['SET', `k:${i}`, randomBytes(750).toString('base64')]),
      ['SET', 'ttl', 'v', 'EX', '1000'],
    ],
    20000,
  );
  keys = ageKeyPair(root);
  const out = join(root, 'good');
  const r = await runCli(
    ['backup', '--redis', source.url, '--out', out, '--recipient', keys.recipient, '--metrics-file', metricsFile],
    { timeoutMs: 60000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const metrics = readFileSync(metricsFile, 'utf8');
  assert.match(
    metrics,
    /^redoubt_backup_last_success_timestamp_seconds\{source="redis:\/\/127\.0\.0\.1:\d+"\} \d{10}$/m,
  );
  assert.match(metrics, /^redoubt_backup_last_size_bytes\{[^}]*\} [1-9]\d*$/m);
  assert.match(metrics, /^redoubt_backup_failures_total\{[^}]*\} 0$/m);
  goodFile = join(out, readdirSync(out).find((f) => f.endsWith('.rdb.age')) as string);
});

after(async () => {
  for (const s of servers.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Temporary files in DIR that hold RDB data (more than the age header: the first 1 MiB write has happened). */
function growingTemp(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.tmp') && statSync(join(dir, f)).size > 1000);
  } catch {
    return false;
  }
}

describe('a backup that does not finish leaves nothing under a backup name', () => {
  test('kill -9 in the middle of the transfer', async () => {
    await respCommand(source.endpoint, 'CONFIG', 'SET', 'rdb-key-save-delay', '3000'); // ~9 s of transfer
    const out = join(root, 'killed');
    const child = spawn(
      process.execPath,
      [BIN, 'backup', '--redis', source.url, '--out', out, '--recipient', keys.recipient],
      {
        stdio: 'ignore',
      },
    );
    try {
      await until('the backup to start writing', () => growingTemp(out));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      child.kill('SIGKILL');
      await respCommand(source.endpoint, 'CONFIG', 'SET', 'rdb-key-save-delay', '0');
    }
    const left = readdirSync(out);
    assert.deepEqual(
      left.filter((f) => !f.endsWith('.tmp')),
      [],
      left.join(' '),
    );
    // The next backup removes a dead temporary once it is an hour old, and says so.
    const temps = left.filter((f) => f.endsWith('.tmp'));
    assert.equal(temps.length, 1, left.join(' '));
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(out, temps[0]), old, old);
    const again = await runCli(['backup', '--redis', source.url, '--out', out, '--recipient', keys.recipient], {
      timeoutMs: 60000,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`removed ${temps[0].replace(/\./g, '\\.')}`));
    assert.ok(!readdirSync(out).some((f) => f.endsWith('.tmp')));
  });

  test('the server cutting the transfer: exit 1, says so, keeps nothing', async () => {
    await respCommand(source.endpoint, 'CONFIG', 'SET', 'rdb-key-save-delay', '3000');
    const out = join(root, 'cut');
    try {
      const run = runCli(
        ['backup', '--redis', source.url, '--out', out, '--recipient', keys.recipient, '--metrics-file', metricsFile],
        { timeoutMs: 60000 },
      );
      await until('the backup to start writing', () => growingTemp(out));
      await respCommand(source.endpoint, 'CLIENT', 'KILL', 'TYPE', 'replica');
      const r = await run;
      assert.equal(r.code, 1, r.stderr);
      const metrics = readFileSync(metricsFile, 'utf8');
      assert.match(metrics, /^redoubt_backup_failures_total\{[^}]*\} 1$/m, metrics);
      assert.match(
        metrics,
        /^redoubt_backup_last_success_timestamp_seconds\{[^}]*\} \d{10}$/m,
        'the last success stays',
      );
      assert.match(r.stderr, /closed the connection during the transfer.*nothing was kept/);
    } finally {
      await respCommand(source.endpoint, 'CONFIG', 'SET', 'rdb-key-save-delay', '0');
    }
    assert.deepEqual(readdirSync(out), []);
  });
});

describe('restore writes nothing from a backup it cannot trust', () => {
  async function refused(file: string, decrypt: string[], pattern: RegExp): Promise<void> {
    const dir = mkdtempSync(join(root, 'restore-'));
    const r = await runCli(['restore', file, ...decrypt, '--to-rdb', join(dir, 'dump.rdb')], { timeoutMs: 60000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.deepEqual(readdirSync(dir), [], 'nothing written, not even a temporary file');
    const target = await startRedis();
    servers.push(target);
    const live = await runCli(['restore', file, ...decrypt, '--redis', target.url, '--yes'], { timeoutMs: 60000 });
    assert.equal(live.code, 2, live.stderr);
    assert.equal(await respCommand(target.endpoint, 'DBSIZE'), 0, 'no key reached the target');
  }

  test('a wrong identity', async () => {
    const other = ageKeyPair(mkdtempSync(join(root, 'other-')));
    await refused(goodFile, ['--identity', other.identityFile], /the identity does not open .*nothing was written/);
  });

  test('a wrong passphrase', async () => {
    const out = join(root, 'pass');
    const pass = writePassphrase(root, 'right.txt', 'the-right-passphrase-4b1c');
    const r = await runCli(['backup', '--redis', source.url, '--out', out, '--passphrase-file', pass], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 0, r.stderr);
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.age')) as string);
    const wrong = writePassphrase(root, 'wrong.txt', 'the-wrong-passphrase-9e2d');
    await refused(file, ['--passphrase-file', wrong], /the passphrase does not open .*nothing was written/);
  });

  test('a truncated file', async () => {
    const data = readFileSync(goodFile);
    const file = join(root, 'truncated.rdb.age');
    writeFileSync(file, data.subarray(0, Math.floor(data.length * 0.6)));
    await refused(file, ['--identity', keys.identityFile], /damaged or truncated.*nothing was written/);
  });

  test('an altered byte', async () => {
    const data = Buffer.from(readFileSync(goodFile));
    data[Math.floor(data.length / 2)] ^= 0x01;
    const file = join(root, 'altered.rdb.age');
    writeFileSync(file, data);
    await refused(file, ['--identity', keys.identityFile], /damaged or truncated.*nothing was written/);
  });

  test('a manifest that describes another file', async () => {
    const dir = join(root, 'swapped');
    mkdirSync(dir);
    const file = join(dir, 'redis-x-1-20260101T000000Z.rdb.age');
    copyFileSync(goodFile, file);
    writeFileSync(
      join(dir, 'redis-x-1-20260101T000000Z.manifest.json'),
      JSON.stringify({ format: 'redoubt-backup/1', sha256: '0'.repeat(64) }),
    );
    const r = await runCli(['restore', file, '--identity', keys.identityFile, '--to-rdb', join(dir, 'dump.rdb')], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /SHA-256 differs/);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('dump.rdb') || f.endsWith('.tmp')));
  });

  test('an existing dump.rdb is not replaced without --force', async () => {
    const dir = mkdtempSync(join(root, 'exists-'));
    writeFileSync(join(dir, 'dump.rdb'), 'mine');
    const r = await runCli(['restore', goodFile, '--identity', keys.identityFile, '--to-rdb', join(dir, 'dump.rdb')], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(readFileSync(join(dir, 'dump.rdb'), 'utf8'), 'mine');
  });
});

describe('the traps of a live restore are checked before anything is sent', () => {
  test('a replica as target is refused', async () => {
    const master = await startRedis();
    servers.push(master);
    const replica = await startRedis({ replicaOf: master });
    servers.push(replica);
    const r = await runCli(['restore', goodFile, '--identity', keys.identityFile, '--redis', replica.url, '--yes'], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the target is a replica.*Restore into the master/s);
    assert.equal(await respCommand(master.endpoint, 'DBSIZE'), 0);
  });

  test('not enough maxmemory is refused with the size to raise it to', async () => {
    const small = await startRedis({ config: ['maxmemory-policy noeviction'] });
    servers.push(small);
    const info = String(await respCommand(small.endpoint, 'INFO', 'memory'));
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
    await respCommand(small.endpoint, 'CONFIG', 'SET', 'maxmemory', String(used + 100_000));
    const r = await runCli(['restore', goodFile, '--identity', keys.identityFile, '--redis', small.url, '--yes'], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /not enough memory.*Raise maxmemory/s);
    assert.equal(await respCommand(small.endpoint, 'DBSIZE'), 0);
  });

  test('without a terminal, a live restore needs --yes', async () => {
    const target = await startRedis();
    servers.push(target);
    const r = await runCli(['restore', goodFile, '--identity', keys.identityFile, '--redis', target.url], {
      timeoutMs: 60000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /pass --yes/);
    assert.equal(await respCommand(target.endpoint, 'DBSIZE'), 0);
  });

  test('--rdb-only refuses the logical fallback', async () => {
    const locked = await startRedis({ aclUsers: ['default on nopass ~* &* +@all -psync -sync'] });
    servers.push(locked);
    const out = join(root, 'rdb-only');
    const r = await runCli(
      ['backup', '--redis', locked.url, '--out', out, '--recipient', keys.recipient, '--rdb-only'],
      { timeoutMs: 60000 },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /refused replication.*psync/);
    assert.deepEqual(readdirSync(out), []);
  });
});

test('a password without a user logs in as "backup", and a requirepass-only server gets the hint', async () => {
  const secured = await startRedis({ password: 'requirepass-only-5e1f' });
  servers.push(secured);
  const out = join(root, 'requirepass');
  const r = await runCli(['backup', '--redis', secured.url, '--out', out, '--recipient', keys.recipient], {
    env: { REDIS_PASSWORD: 'requirepass-only-5e1f' },
    timeoutMs: 60000,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /WRONGPASS.*"backup".*name the default user: redis:\/\/default@host:port/);
  assert.ok(!`${r.stdout}${r.stderr}`.includes('requirepass-only-5e1f'));
  const named = await runCli(
    ['backup', '--redis', secured.url.replace('://', '://default@'), '--out', out, '--recipient', keys.recipient],
    { env: { REDIS_PASSWORD: 'requirepass-only-5e1f' }, timeoutMs: 60000 },
  );
  assert.equal(named.code, 0, named.stderr);
});

test('--keep removes this server’s older backups and their manifests, nothing else', async () => {
  const out = join(root, 'retention');
  mkdirSync(out);
  const prefix = `redis-127.0.0.1-${source.port}`;
  const old = ['20260101T000000Z', '20260102T000000Z', '20260103T000000Z'];
  for (const t of old) {
    writeFileSync(join(out, `${prefix}-${t}.rdb.age`), 'old');
    writeFileSync(join(out, `${prefix}-${t}.manifest.json`), '{}');
  }
  writeFileSync(join(out, 'redis-other-6379-20250101T000000Z.rdb.age'), 'another server');
  writeFileSync(join(out, 'notes.txt'), 'mine');
  const r = await runCli(
    ['backup', '--redis', source.url, '--out', out, '--recipient', keys.recipient, '--keep', '2'],
    {
      timeoutMs: 60000,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`removed ${prefix}-20260101T000000Z\\.rdb\\.age`));
  const left = readdirSync(out).sort();
  assert.ok(left.includes(`${prefix}-20260103T000000Z.rdb.age`));
  assert.ok(left.includes(`${prefix}-20260103T000000Z.manifest.json`));
  for (const t of old.slice(0, 2)) {
    assert.ok(!left.includes(`${prefix}-${t}.rdb.age`), left.join(' '));
    assert.ok(!left.includes(`${prefix}-${t}.manifest.json`), left.join(' '));
  }
  assert.ok(left.includes('redis-other-6379-20250101T000000Z.rdb.age'));
  assert.ok(left.includes('notes.txt'));
  assert.equal(left.filter((f) => f.startsWith(prefix) && f.endsWith('.rdb.age')).length, 2);
});
