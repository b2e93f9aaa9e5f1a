/**
 * redoubt backup monitoring against the real things: a running `redoubt up` (its data directory copied while it
 * writes, then opened by a second `redoubt up` that answers from the copied history) and Debian's Prometheus with
 * --web.enable-admin-api (a TSDB snapshot archived, its snapshot directory removed, then a second Prometheus
 * started on the extracted copy answers for the first one's samples). Archives are read back with Debian's age
 * and tar. A Prometheus without the admin API is refused with what to do, and nothing is written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ageKeyPair, readJson } from '../support/backup-data.ts';
import { login } from '../support/console-client.ts';
import { httpGet } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { apiGet, type Daemon, startPrometheus, waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-backup-mon-')));
const stops: Array<() => Promise<unknown>> = [];
let keys: { identityFile: string; recipient: string };

before(() => {
  keys = ageKeyPair(root);
});
after(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

/** age -d | tar x into a fresh directory; returns the directory the archive holds (its one top entry). */
function extract(archive: string, into: string): string {
  mkdirSync(into);
  execFileSync('sh', ['-c', 'age -d -i "$1" "$2" | tar -x -C "$3"', 'sh', keys.identityFile, archive, into]);
  const top = readdirSync(into);
  assert.equal(top.length, 1, top.join());
  return join(into, top[0]);
}

function archiveIn(dir: string, kind: string): string {
  const f = readdirSync(dir).filter((n) => n.startsWith(kind) && n.endsWith('.tar.age'));
  assert.equal(f.length, 1, readdirSync(dir).join());
  return join(dir, f[0]);
}

test("redoubt up's data directory, copied while up writes, opens in a second up with its history", async () => {
  const redis: RedisServer = await startRedis();
  stops.push(() => redis.stop());
  const data = join(root, 'up-data');
  const up: RunningUp = await startUp(['--redis', redis.url, '--data-dir', data, '--scrape-interval', '1s'], {
    REDOUBT_ADMIN_PASSWORD: 'console-admin-pw-0003',
  });
  stops.push(() => up.stop('SIGKILL'));
  // A console session, so up's data directory holds sessions.json (which the archive must leave out).
  await login(up.url, 'admin', 'console-admin-pw-0003');
  assert.ok(existsSync(join(data, 'sessions.json')), 'the login saved sessions.json');
  // The store flushes a head segment every 30 s: wait for one, so the copy holds history.
  await waitFor('a head segment on disk', () => readdirSync(join(data, 'history')).some((f) => f.endsWith('.seg')), {
    timeoutMs: 120_000,
  });
  const out = join(root, 'up-out');
  const r = await runCli(['backup', 'monitoring', '--up-data-dir', data, '--out', out, '--recipient', keys.recipient], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^up-data archive of .*: \d+ files, \d+ bytes, sha256 [0-9a-f]{64}$/m);
  const archive = archiveIn(out, 'up-data-');
  const manifest = readJson(archive.replace(/\.tar\.age$/, '.manifest.json'));
  assert.equal(manifest.kind, 'up-data');
  assert.equal(manifest.encryption, 'age-x25519');
  const copy = extract(archive, join(root, 'up-restored'));
  assert.ok(!existsSync(join(copy, 'redoubt.lock')), 'the lock is not copied');
  assert.ok(!existsSync(join(copy, 'sessions.json')), "the console's sessions are not copied");
  assert.ok(existsSync(join(copy, 'users.json')), "the console's users are copied");
  assert.ok(readdirSync(join(copy, 'history')).some((f) => f.endsWith('.seg')));
  await up.stop('SIGTERM');
  await redis.stop();

  // A second up on the copy, with the Redis gone: the API answers from the copied history.
  const second = await startUp(['--redis', redis.url, '--data-dir', copy, '--scrape-interval', '1s'], {
    REDOUBT_ADMIN_PASSWORD: 'console-admin-pw-0003',
  });
  stops.push(() => second.stop('SIGKILL'));
  const q = await httpGet(`${second.url}/api/v1/query?query=${encodeURIComponent('max_over_time(redis_up[10m])')}`);
  assert.equal(q.status, 200, q.body);
  const result = JSON.parse(q.body).data.result as Array<{ value: [number, string] }>;
  assert.equal(result.length, 1, q.body);
  assert.equal(result[0].value[1], '1', 'redis_up 1 from before the copy');
  assert.equal(await second.stop('SIGTERM'), 0);
});

async function prometheus(dataDir: string, adminApi: boolean): Promise<Daemon> {
  const port = await freePort();
  const config = join(root, `prometheus-${port}.yml`);
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  );
  const p = await startPrometheus(
    [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, ...(adminApi ? ['--web.enable-admin-api'] : [])],
    port,
  );
  stops.push(() => p.stop());
  return p;
}

test('Prometheus through its TSDB snapshot API: archived, the snapshot removed, readable by another Prometheus', async () => {
  const data = join(root, 'prom-data');
  const p = await prometheus(data, true);
  await waitFor(
    'Prometheus scraping itself',
    async () => (await apiGet<{ result: unknown[] }>(`${p.url}/api/v1/query?query=up`)).result.length === 1,
    { timeoutMs: 60_000 },
  );
  const out = join(root, 'prom-out');
  const pass = join(root, 'pass.txt');
  writeFileSync(pass, 'a-long-monitoring-passphrase-5c1b\n', { mode: 0o600 });
  const r = await runCli(
    [
      'backup',
      'monitoring',
      '--prometheus',
      p.url,
      '--prometheus-data-dir',
      data,
      '--out',
      out,
      '--recipient',
      keys.recipient,
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(join(data, 'snapshots')), [], 'the snapshot directory is removed after archiving');
  const archive = archiveIn(out, 'prometheus-');
  assert.equal(readJson(archive.replace(/\.tar\.age$/, '.manifest.json')).kind, 'prometheus');
  const copy = extract(archive, join(root, 'prom-restored'));
  assert.ok(
    readdirSync(copy).some((d) => existsSync(join(copy, d, 'meta.json'))),
    `a TSDB block in ${readdirSync(copy).join()}`,
  );
  await p.stop();
  const second = await prometheus(copy, false);
  const old = await apiGet<{ result: Array<{ value: [number, string] }> }>(
    `${second.url}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="self"}[1h])')}`,
  );
  assert.equal(old.result.length, 1, "the first Prometheus's samples are in the copy");
  assert.ok(Number(old.result[0].value[1]) >= 1);

  // Without --web.enable-admin-api: refused with the flag to add, nothing written.
  const refusedOut = join(root, 'refused-out');
  const refused = await runCli(
    [
      'backup',
      'monitoring',
      '--prometheus',
      second.url,
      '--prometheus-data-dir',
      copy,
      '--out',
      refusedOut,
      '--passphrase-file',
      pass,
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /start it with --web\.enable-admin-api/);
  assert.deepEqual(readdirSync(refusedOut), []);
});
