/**
 * redoubt backup over TLS (rediss://) against a real TLS-only redis-server: the replication socket verifies the
 * server with --tls-ca-cert-file, and a certificate it cannot verify is refused before anything is written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ageKeyPair, readJson } from '../support/backup-data.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { respCommands } from '../support/resp.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-backup-tls-')));
let server: RedisServer;
let keys: { identityFile: string; recipient: string };

before(async () => {
  server = await startRedis({ tls: true });
  await respCommands(server.endpoint, [
    ['SET', 'a', '1'],
    ['SELECT', 2],
    ['RPUSH', 'l', 'x', 'y'],
  ]);
  keys = ageKeyPair(root);
});

after(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('a backup over rediss:// verified against the CA', async () => {
  const out = join(root, 'ok');
  const r = await runCli(
    [
      'backup',
      '--redis',
      server.url,
      '--tls-ca-cert-file',
      server.tlsFiles?.caCert as string,
      '--out',
      out,
      '--recipient',
      keys.recipient,
    ],
    { timeoutMs: 60000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const manifest = readJson(join(out, readdirSync(out).find((f) => f.endsWith('.manifest.json')) as string));
  assert.deepEqual(manifest.keys_per_db, { '0': 1, '2': 1 });
  assert.equal(manifest.checksum, 'verified');
});

test('a server certificate that does not verify: refused, nothing written', async () => {
  const out = join(root, 'bad');
  const r = await runCli(['backup', '--redis', server.url, '--out', out, '--recipient', keys.recipient], {
    timeoutMs: 60000,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /TLS|certificate/i);
  assert.deepEqual(readdirSync(out), []);
});
