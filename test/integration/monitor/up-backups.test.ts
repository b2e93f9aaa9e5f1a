/**
 * redoubt up's scheduled backups against real redis-servers: a 2 s schedule backs one server up as its `backup`
 * ACL user (kept backups that redoubt restore decrypts and verifies, at most `keep` of them), while a second
 * server's backup user is refused (a failure counted); both outcomes on /metrics, in the history (the API) and in
 * the catalogue's RedisBackupFailed; the names are the ones `redoubt backup --metrics-file` writes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BACKUP_METRICS } from '../../../src/catalog/promql-names.ts';
import { ageKeyPair, readJson } from '../../support/backup-data.ts';
import { type ParsedSample, parseExposition } from '../../support/exposition-parse.ts';
import { httpGet } from '../../support/http.ts';
import { waitFor } from '../../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../../support/redis-server.ts';
import { runCli } from '../../support/redoubt.ts';
import { type RunningUp, startUp } from '../../support/redoubt-up.ts';

const TOKEN = 'up-backups-token-0123456789';
const WATCHER = 'watcher-pw-5e1a90';
const BACKUP = 'backup-pw-77c0d2';
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-up-backups-')));
const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
let a: RedisServer;
let b: RedisServer;
let up: RunningUp;
let identityFile: string;

const users = (withBackup: boolean) => [
  `watcher on >${WATCHER} ~* &* +@all`,
  ...(withBackup ? [`backup on >${BACKUP} ~* -@all +ping +info +replconf +sync +psync`] : []),
];

before(async () => {
  a = await startRedis({ password: 'admin-a-pw-01', aclUsers: users(true) });
  b = await startRedis({ password: 'admin-b-pw-02', aclUsers: users(false) });
  for (let i = 0; i < 50; i++) await a.command('SET', `key:${i}`, `value-${i}`);
  const keys = ageKeyPair(dir);
  identityFile = keys.identityFile;
  const withUser = (url: string, user: string) => url.replace('redis://', `redis://${user}@`);
  writeFileSync(
    join(dir, 'passwords.json'),
    JSON.stringify({
      [withUser(a.url, 'watcher')]: WATCHER,
      [withUser(a.url, 'backup')]: BACKUP,
      [withUser(b.url, 'watcher')]: WATCHER,
      [withUser(b.url, 'backup')]: 'not-the-password',
    }),
    { mode: 0o600 },
  );
  writeFileSync(
    join(dir, 'redoubt.yml'),
    [
      'redis:',
      `  targets: [${a.url}, ${b.url}]`,
      'up:',
      '  backups:',
      `    - { target: ${a.url}, user: backup, schedule: 2s, out: backups-a, recipient: ${keys.recipient}, keep: 2 }`,
      `    - { target: ${b.url}, user: backup, schedule: 2s, out: backups-b, recipient: ${keys.recipient} }`,
      '',
    ].join('\n'),
  );
  up = await startUp(
    [
      '--config',
      join(dir, 'redoubt.yml'),
      '--redis.user',
      'watcher',
      '--redis.password-file',
      join(dir, 'passwords.json'),
      '--data-dir',
      join(dir, 'data'),
      '--scrape-interval',
      '1s',
    ],
    { REDOUBT_API_TOKEN: TOKEN, REDOUBT_ADMIN_PASSWORD: 'console-admin-pw-0002' },
  );
});

after(async () => {
  await up?.stop('SIGKILL');
  await a?.stop();
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sourceA = () => a.url.replace('redis://', 'redis://backup@');
const sourceB = () => b.url.replace('redis://', 'redis://backup@');
const kept = () =>
  readdirSync(join(dir, 'backups-a'))
    .filter((f) => f.endsWith('.rdb.age'))
    .sort();

function samplesByName(text: string): Map<string, ParsedSample[]> {
  return new Map([...parseExposition(text)].map(([name, f]) => [name, f.samples]));
}

async function metrics(): Promise<Map<string, ParsedSample[]>> {
  const r = await httpGet(`${up.url}/metrics`, auth);
  assert.equal(r.status, 200, r.body.slice(0, 200));
  return samplesByName(r.body);
}

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await httpGet(`${up.url}/api/v1/query?query=${encodeURIComponent(expr)}`, auth);
  assert.equal(r.status, 200, r.body.slice(0, 200));
  return JSON.parse(r.body).data.result;
}

test('a 2 s schedule keeps verified, encrypted backups (at most keep: 2) that redoubt restore reads back', async () => {
  await waitFor(
    'three backups of the first server',
    () => (up.stderr().match(/wrote \S+\.rdb\.age/g) ?? []).length >= 3,
    {
      timeoutMs: 90_000,
      detail: () => up.stderr(),
    },
  );
  await waitFor('retention down to 2', () => kept().length === 2, { timeoutMs: 30_000, detail: () => kept().join() });
  const newest = join(dir, 'backups-a', kept()[1]);
  const manifest = readJson(newest.replace(/\.rdb\.age$/, '.manifest.json'));
  assert.equal(manifest.keys, 50);
  assert.equal(manifest.source, sourceA());
  const r = await runCli(['restore', newest, '--identity', identityFile, '--to-rdb', join(dir, 'restored.rdb')], {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(dir, 'restored.rdb')).subarray(0, 5).toString() === 'REDIS');
  assert.ok(!up.stderr().includes(BACKUP), 'the backup password is never printed');
});

test('outcomes on /metrics and in the history, by source: success time and size, failures, the schedule', async () => {
  const m = await waitFor(
    'both sources on /metrics',
    async () => {
      const s = await metrics();
      const fails = s.get('redoubt_backup_failures_total')?.find((x) => x.labels.source === sourceB());
      return fails && fails.value >= 1 ? s : undefined;
    },
    { timeoutMs: 60_000 },
  );
  for (const name of BACKUP_METRICS) assert.ok(m.has(name), `${name} on /metrics`);
  const success = m.get('redoubt_backup_last_success_timestamp_seconds')?.find((x) => x.labels.source === sourceA());
  assert.ok(success && Math.abs(success.value - Date.now() / 1000) < 120, JSON.stringify(success));
  assert.equal(m.get('redoubt_backup_interval_seconds')?.find((x) => x.labels.source === sourceA())?.value, 2);
  assert.equal(
    m.get('redoubt_backup_last_success_timestamp_seconds')?.some((x) => x.labels.source === sourceB()),
    false,
    'no success for the refused one',
  );
  const size = await waitFor('the size in the history', async () => {
    const q = await query(`redoubt_backup_last_size_bytes{source="${sourceA()}"}`);
    return q.length === 1 ? Number(q[0].value[1]) : undefined;
  });
  const manifest = readJson(join(dir, 'backups-a', kept()[1]).replace(/\.rdb\.age$/, '.manifest.json'));
  assert.equal(size, manifest.size_bytes);
  assert.match(up.stderr(), /backup of redis:\/\/backup@127\.0\.0\.1:\d+: failed: /);
});

test("the catalogue's RedisBackupFailed fires for the refused source only", async () => {
  const alerts = await waitFor(
    'RedisBackupFailed firing',
    async () => {
      const r = await httpGet(`${up.url}/api/v1/alerts`, auth);
      const list = JSON.parse(r.body).data.alerts as Array<{ labels: Record<string, string>; state: string }>;
      const failed = list.filter((x) => x.labels.alertname === 'RedisBackupFailed' && x.state === 'firing');
      return failed.length > 0 ? failed : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.deepEqual(
    alerts.map((x) => x.labels.source),
    [sourceB()],
  );
});

test('redoubt backup --metrics-file writes the same names and label as up serves', async () => {
  const file = join(dir, 'backup.prom');
  const r = await runCli(
    [
      'backup',
      '--redis',
      a.url.replace('redis://', 'redis://backup@'),
      '--out',
      join(dir, 'manual'),
      '--recipient',
      readFileSync(identityFile, 'utf8').match(/public key: (age1\S+)/)?.[1] ?? '',
      '--metrics-file',
      file,
    ],
    { env: { REDIS_PASSWORD: BACKUP }, timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const written = samplesByName(readFileSync(file, 'utf8'));
  assert.ok(written.size >= 3);
  for (const [name, samples] of written) {
    assert.ok(BACKUP_METRICS.includes(name), name);
    for (const s of samples) assert.deepEqual(Object.keys(s.labels), ['source']);
  }
});

test('up stops cleanly (SIGTERM) with a schedule running', async () => {
  assert.equal(await up.stop('SIGTERM'), 0);
});
