/**
 * redoubt backup → redoubt restore against real redis-servers: a server with every data type (strings, lists,
 * sets, sorted sets, hashes, a stream with a consumer group and a pending entry, HyperLogLog, keys with TTLs, a
 * binary key name, several databases) is backed up over the replication protocol and, through an ACL user without
 * PSYNC, logically; each backup is restored both ways (--to-rdb, then redis-server started on that file; --redis
 * into a fresh server) and every key must come back with the same DEBUG DIGEST-VALUE and expiry (within a second).
 * Debian's `age -d` decrypts the backup to the bytes whose SHA-256 the manifest records.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ageKeyPair,
  compareSnapshots,
  fillEveryType,
  type KeyState,
  readJson,
  snapshotKeys,
  writePassphrase,
} from '../support/backup-data.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-backup-rt-')));
const servers: RedisServer[] = [];
const DEBUG = ['enable-debug-command yes'];
let source: RedisServer;
let before_: Map<string, KeyState>;
let keys: { identityFile: string; recipient: string };
let passFile: string;

before(async () => {
  source = await startRedis({
    config: DEBUG,
    password: 'source-admin-pw-1f0e',
    aclUsers: [
      'default on #PLACEHOLDER ~* &* +@all',
      'backup on >backup-pw-8c1d2e ~* -@all +ping +info +replconf +sync +psync',
      'dumper on >dumper-pw-3b9a77 ~* -@all +ping +info +select +scan +dump +pttl +client|setname',
    ].map((l) => l.replace('#PLACEHOLDER', '>source-admin-pw-1f0e')),
  });
  servers.push(source);
  await fillEveryType(source);
  before_ = await snapshotKeys(source);
  keys = ageKeyPair(root);
  passFile = writePassphrase(root, 'pass.txt', 'a-long-test-passphrase-0d9e');
});

after(async () => {
  for (const s of servers.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

async function backup(outDir: string, user: string, password: string, encryption: string[]) {
  const r = await runCli(
    ['backup', '--redis', `redis://${user}@127.0.0.1:${source.port}`, '--out', outDir, ...encryption],
    {
      env: { REDIS_PASSWORD: password },
      timeoutMs: 120000,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(password), 'no password in the output');
  const files = readdirSync(outDir);
  const data = files.find((f) => f.endsWith('.age'));
  const manifest = files.find((f) => f.endsWith('.manifest.json'));
  assert.ok(data && manifest, files.join(' '));
  return {
    r,
    path: join(outDir, data),
    manifest: readJson(join(outDir, manifest)),
    manifestText: JSON.stringify(readJson(join(outDir, manifest))),
  };
}

async function restoreToRdbAndStart(file: string, decrypt: string[]): Promise<RedisServer> {
  const dir = mkdtempSync(join(root, 'rdb-'));
  const r = await runCli(['restore', file, ...decrypt, '--to-rdb', join(dir, 'dump.rdb')], { timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(join(dir, 'dump.rdb')).mode & 0o777, 0o600);
  const server = await startRedis({ config: [...DEBUG, `dir ${dir}`, 'dbfilename dump.rdb'] });
  servers.push(server);
  return server;
}

async function restoreLive(file: string, decrypt: string[]): Promise<RedisServer> {
  const server = await startRedis({ config: DEBUG });
  servers.push(server);
  const r = await runCli(['restore', file, ...decrypt, '--redis', server.url, '--yes'], { timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /restored \d+ keys/);
  return server;
}

describe('RDB backup over the replication protocol', () => {
  let file: string;
  let manifest: Record<string, unknown>;

  test('backs up as the backup ACL user, verified, with a manifest and no credentials in it', async () => {
    const out = join(root, 'rdb');
    const b = await backup(out, 'backup', 'backup-pw-8c1d2e', ['--recipient', keys.recipient]);
    file = b.path;
    manifest = b.manifest;
    assert.match(file, /redis-127\.0\.0\.1-\d+-\d{8}T\d{6}Z\.rdb\.age$/);
    assert.equal(manifest.kind, 'rdb');
    assert.equal(manifest.checksum, 'verified');
    assert.equal(manifest.keys, before_.size);
    assert.equal(manifest.redis_version, '7.0.15');
    assert.equal(manifest.rdb_version, 10);
    assert.equal(manifest.source, `redis://backup@127.0.0.1:${source.port}`);
    assert.match(String((manifest.replication as { replid: string }).replid), /^[0-9a-f]{40}$/);
    assert.ok(!b.manifestText.includes('backup-pw'), 'no password in the manifest');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test("Debian's age -d decrypts it to the bytes the manifest describes", () => {
    const plain = execFileSync('age', ['-d', '-i', keys.identityFile, file], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(plain.length, manifest.size_bytes);
    assert.equal(createHash('sha256').update(plain).digest('hex'), manifest.sha256);
    assert.equal(plain.subarray(0, 9).toString(), 'REDIS0010');
  });

  test('--to-rdb writes a dump.rdb that a fresh redis-server loads with every key, digest and TTL', async () => {
    const server = await restoreToRdbAndStart(file, ['--identity', keys.identityFile]);
    assert.deepEqual(compareSnapshots(before_, await snapshotKeys(server)), []);
  });

  test('--redis restores every key into a live server with the same digests and TTLs', async () => {
    const server = await restoreLive(file, ['--identity', keys.identityFile]);
    assert.deepEqual(compareSnapshots(before_, await snapshotKeys(server)), []);
  });
});

describe('logical fallback where PSYNC is refused', () => {
  let file: string;

  test('says plainly that it fell back, and writes a .logical.age backup', async () => {
    const out = join(root, 'logical');
    const b = await backup(out, 'dumper', 'dumper-pw-3b9a77', ['--passphrase-file', passFile]);
    file = b.path;
    assert.match(b.r.stderr, /falling back to a LOGICAL backup \(SCAN \+ DUMP \+ PTTL\)/);
    assert.match(b.r.stdout, /^LOGICAL backup/);
    assert.match(file, /\.logical\.age$/);
    assert.equal(b.manifest.kind, 'logical');
    assert.equal(b.manifest.encryption, 'age-scrypt');
    assert.equal(b.manifest.keys, before_.size);
  });

  test('--to-rdb converts it to an RDB redis-server loads', async () => {
    const server = await restoreToRdbAndStart(file, ['--passphrase-file', passFile]);
    assert.deepEqual(compareSnapshots(before_, await snapshotKeys(server)), []);
  });

  test('--redis restores it into a live server', async () => {
    const server = await restoreLive(file, ['--passphrase-file', passFile]);
    assert.deepEqual(compareSnapshots(before_, await snapshotKeys(server)), []);
  });
});

describe('a master and its replica given', () => {
  test('the backup reads from the replica whose link is up', async () => {
    const replica = await startRedis({ config: DEBUG, replicaOf: source, password: 'source-admin-pw-1f0e' });
    servers.push(replica);
    const out = join(root, 'from-replica');
    const r = await runCli(
      ['backup', '--redis', source.url, '--redis', replica.url, '--out', out, '--recipient', keys.recipient],
      { env: { REDIS_PASSWORD: 'source-admin-pw-1f0e', REDIS_USER: 'default' }, timeoutMs: 120000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`reading from redis://default@127\\.0\\.0\\.1:${replica.port} \\(a replica with its link up\\)`),
    );
    const manifest = readJson(join(out, readdirSync(out).find((f) => f.endsWith('.manifest.json')) as string));
    assert.equal(manifest.source, `redis://default@127.0.0.1:${replica.port}`);
    assert.equal(manifest.keys, before_.size);
  });
});
