import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parseExposition } from '../support/exposition-parse.ts';
import { startFakeListener } from '../support/fake-listener.ts';
import { httpGet } from '../support/http.ts';
import { startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';

/** What an open /scrape must not give away: key values, connections, plaintext passwords, smuggled lines. */

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const q = encodeURIComponent;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('key values through /scrape query overrides', () => {
  test('are refused (400, one line) under default flags, and nothing is read', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    await redis.command('SET', 'secret:token', 's3cr3t-value');
    const exp = await startExporter(['--redis.addr', redis.url]);
    cleanups.push(() => exp.stop());
    for (const param of ['check-keys', 'check-single-keys', 'check-streams', 'check-single-streams', 'count-keys']) {
      const r = await httpGet(`${exp.url}/scrape?target=${q(redis.url)}&${param}=${q('db0=*')}`);
      assert.equal(r.status, 400, param);
      assert.match(r.body, new RegExp(`^the query parameter ${param} is refused: .*--scrape\\.allow-query-key-checks`));
      assert.equal(r.body.trimEnd().split('\n').length, 1, 'one line');
      assert.doesNotMatch(r.body, /s3cr3t/);
    }
    // An empty parameter overrides nothing (upstream reads it so): the scrape goes on, without key metrics.
    const empty = await httpGet(`${exp.url}/scrape?target=${q(redis.url)}&check-keys=`);
    assert.equal(empty.status, 200);
    assert.match(empty.body, /^redis_up 1$/m);
    assert.doesNotMatch(empty.body, /redis_key_value|s3cr3t/);
  });

  test('with --scrape.allow-query-key-checks, only items of the same flag pass', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    await redis.command('SET', 'secret:token', 's3cr3t-value');
    await redis.command('SET', 'pub:count', '7');
    const exp = await startExporter([
      '--redis.addr',
      redis.url,
      '--scrape.allow-query-key-checks',
      '--check-keys',
      'db0=pub:*',
    ]);
    cleanups.push(() => exp.stop());
    const scrape = (query: string) => httpGet(`${exp.url}/scrape?target=${q(redis.url)}&${query}`);
    for (const query of [
      `check-keys=${q('db0=*')}`, // wider than configured
      `check-keys=${q('db0=pub:*,db0=secret:*')}`, // one configured item, one not
      `check-keys=${q('db1=pub:*')}`, // another database
      `check-single-keys=${q('db0=secret:token')}`, // --check-single-keys is empty
      `check-single-keys=${q('db0=pub:count')}`, // --check-keys does not cover check-single-keys
    ]) {
      const r = await scrape(query);
      assert.equal(r.status, 400, query);
      assert.match(r.body, /is not one of the exporter's --check-(single-)?keys items/, query);
      assert.doesNotMatch(r.body, /s3cr3t/);
    }
    const ok = await scrape(`check-keys=${q('db0=pub:*')}`);
    assert.equal(ok.status, 200);
    assert.equal(
      parseExposition(ok.body)
        .get('redis_key_value')
        ?.samples.find((s) => s.labels.key === 'pub:count')?.value,
      7,
    );
    assert.doesNotMatch(ok.body, /s3cr3t/);
  });

  test("--disable-exporting-key-values (and its variable) keeps sizes and drops values, as upstream's", async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    await redis.command('SET', 'secret:token', 's3cr3t-value');
    await redis.command('SET', 'secret:count', '42');
    for (const [args, env] of [
      [['--disable-exporting-key-values'], {}],
      [[], { REDIS_EXPORTER_DISABLE_EXPORTING_KEY_VALUES: 'true' }],
    ] as const) {
      const exp = await startExporter(['--redis.addr', redis.url, '--check-keys', 'db0=secret:*', ...args], env);
      const body = (await httpGet(`${exp.url}/metrics`)).body;
      await exp.stop();
      const f = parseExposition(body);
      const size = f.get('redis_key_size')?.samples.find((s) => s.labels.key === 'secret:token')?.value;
      assert.equal(size, 's3cr3t-value'.length, 'STRLEN still exported');
      assert.equal(f.get('redis_key_value'), undefined);
      assert.equal(f.get('redis_key_value_as_string'), undefined);
      assert.doesNotMatch(body, /s3cr3t/);
    }
  });
});

describe('connections per target', () => {
  test('many distinct query strings share one connection; distinct credentials are capped per server', async () => {
    const users = Array.from({ length: 8 }, (_, i) => `u${i} on >pw${i} ~* +@all`);
    const redis = await startRedis({ aclUsers: users });
    cleanups.push(() => redis.stop());
    const keys = Array.from({ length: 8 }, (_, i) => `db0=k${i}`);
    for (let i = 0; i < 8; i++) await redis.command('SET', `k${i}`, String(i));
    const exp = await startExporter([
      '--redis.addr',
      redis.url,
      '--scrape.allow-query-key-checks',
      '--check-single-keys',
      keys.join(','),
      '--security-interval',
      '100ms',
    ]);
    cleanups.push(() => exp.stop());
    const exporterClients = async () =>
      String(await redis.command('CLIENT', 'LIST'))
        .split('\n')
        .filter((l) => / name=redis_exporter /.test(l)).length;

    // 60 query strings, each different: subsets of the configured keys, TLS server names, unknown parameters.
    const urls = Array.from({ length: 60 }, (_, i) => {
      const subset = keys.filter((_, bit) => ((i + 1) >> bit) & 1);
      return `${exp.url}/scrape?target=${q(redis.url)}&check-single-keys=${q(subset.join(','))}&tls_server_name=n${i}&x=${i}`;
    });
    for (let i = 0; i < urls.length; i += 10) {
      const batch = await Promise.all(urls.slice(i, i + 10).map((u) => httpGet(u)));
      for (const r of batch) assert.match(r.body, /^redis_up 1$/m);
    }
    assert.equal(await exporterClients(), 1, 'one connection for the home target, whatever the query');

    // Eight users that all log in: at most four persistent connections to one server besides the home one.
    for (let i = 0; i < 8; i++) {
      const r = await httpGet(`${exp.url}/scrape?target=${q(`redis://u${i}:pw${i}@127.0.0.1:${redis.port}`)}`);
      assert.match(r.body, /^redis_up 1$/m);
    }
    await until('evicted connections to close', async () => ((await exporterClients()) <= 5 ? true : undefined));
    assert.ok((await exporterClients()) <= 5);
  });

  test('one background audit per server and credential: a target per database does not start one each', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const exp = await startExporter(['--redis.addr', redis.url]);
    cleanups.push(() => exp.stop());
    // ACL LIST is sent once per audit, and by nothing else.
    const audits = async () =>
      Number(/cmdstat_acl\|list:calls=(\d+)/.exec(String(await redis.command('INFO', 'commandstats')))?.[1] ?? 0);
    for (const db of [1, 2, 3]) {
      const r = await httpGet(`${exp.url}/scrape?target=${q(`${redis.url}/${db}`)}`);
      assert.match(r.body, /^redis_up 1$/m);
    }
    // The home target's audit (started by its first scrape) is done when /metrics shows its families.
    await until('the home audit', async () =>
      /^redis_security_check_status\{/m.test((await httpGet(`${exp.url}/metrics`)).body) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await audits(), 1, 'the home connection audits the server; the database targets do not repeat it');
    // the database targets still answer, with the server's metrics
    const again = await httpGet(`${exp.url}/scrape?target=${q(`${redis.url}/2`)}`);
    assert.match(again.body, /^redis_up 1$/m);
  });

  test('an allowlisted server scraped through five databases in turn (past the cap of four) is audited once', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const exp = await startExporter(['--redis.addr', '', '--scrape.allowed-targets', redis.url]);
    cleanups.push(() => exp.stop());
    const audits = async () =>
      Number(/cmdstat_acl\|list:calls=(\d+)/.exec(String(await redis.command('INFO', 'commandstats')))?.[1] ?? 0);
    for (let round = 0; round < 3; round++)
      for (const db of [0, 1, 2, 3, 4]) {
        const r = await httpGet(`${exp.url}/scrape?target=${q(`${redis.url}/${db}`)}`);
        assert.match(r.body, /^redis_up 1$/m);
        // each audit is given time to run before its connection is evicted
        await new Promise((r) => setTimeout(r, 200));
      }
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await audits(), 1, '15 scrapes, five databases, one audit of the server');
  });
});

describe('TLS downgrade through the allowlist', () => {
  test('rediss://host:port allows TLS to it and refuses redis://host:port before anything is sent', async () => {
    const witness = await startFakeListener('error');
    cleanups.push(() => witness.close());
    const exp = await startExporter(
      ['--redis.addr', '', '--scrape.allowed-targets', `rediss://127.0.0.1:${witness.port}`],
      { REDIS_PASSWORD: 'global-secret' },
    );
    cleanups.push(() => exp.stop());
    const r = await httpGet(`${exp.url}/scrape?target=${q(`redis://127.0.0.1:${witness.port}`)}`);
    assert.equal(r.status, 403);
    assert.match(r.body, /not in --scrape\.allowed-targets/);
    assert.equal(witness.connections(), 0, 'nothing reached the port');
    assert.doesNotMatch(witness.received().toString('latin1'), /global-secret/);
  });

  test('a real TLS server: rediss:// scrapes with the global password, redis:// to the same port is refused', async () => {
    const redis = await startRedis({ tls: true, password: 'tls-secret' });
    cleanups.push(() => redis.stop());
    const exp = await startExporter(
      [
        '--redis.addr',
        '',
        '--scrape.allowed-targets',
        `rediss://127.0.0.1:${redis.port}`,
        '--tls-ca-cert-file',
        redis.tlsFiles!.caCert,
      ],
      { REDIS_PASSWORD: 'tls-secret' },
    );
    cleanups.push(() => exp.stop());
    const tls = await httpGet(`${exp.url}/scrape?target=${q(`rediss://127.0.0.1:${redis.port}`)}`);
    assert.match(tls.body, /^redis_up 1$/m);
    const plain = await httpGet(`${exp.url}/scrape?target=${q(`redis://127.0.0.1:${redis.port}`)}`);
    assert.equal(plain.status, 403);
  });
});

describe('request smuggling through the target', () => {
  test('control characters in the user, password, host or TLS server name: 400, and no byte reaches the target', async () => {
    const witness = await startFakeListener('silent');
    cleanups.push(() => witness.close());
    const exp = await startExporter(['--redis.addr', '', '--scrape.allow-any-target', '--scrape-timeout', '2s']);
    cleanups.push(() => exp.stop());
    const at = `127.0.0.1:${witness.port}`;
    const http = 'GET / HTTP/1.1\r\nHost: internal\r\n\r\n';
    const targets = [
      `redis://${q(http)}:pw@${at}`, // percent-encoded user: decoded into separate lines
      `redis://user:${q(`x\r\n${http}`)}@${at}`, // percent-encoded password
      `redis://user:p\r\nFLUSHALL\r\n@${at}`, // raw CR LF
      `redis://user:p\u0000w@${at}`, // NUL
      `redis://user:${q('p\u001bw')}@${at}`, // ESC
      `redis://user:${q('p\u007fw')}@${at}`, // DEL
      `redis://user:${q('p\u0085w')}@${at}`, // C1 (NEL)
      `redis://user:p\tw@${at}`, // tab
      `redis://evil%0D%0AHost%3A%20internal:${witness.port}`, // percent-encoded host (a URL keeps it encoded)
    ];
    for (const t of targets) {
      const r = await httpGet(`${exp.url}/scrape?target=${q(t)}`);
      assert.equal(r.status, 400, JSON.stringify(t));
      assert.match(r.body, /^invalid target: it contains a control character/);
    }
    const sni = await httpGet(`${exp.url}/scrape?target=${q(`rediss://${at}`)}&tls_server_name=${q('a\r\nb')}`);
    assert.equal(sni.status, 400);
    assert.equal(witness.connections(), 0, 'nothing reached the listener');
    assert.equal(witness.received().length, 0);
  });

  test('without an allowlist, /scrape reaches only --redis.addr unless --scrape.allow-any-target', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const witness = await startFakeListener('error');
    cleanups.push(() => witness.close());
    const other = `redis://127.0.0.1:${witness.port}`;
    const closed = await startExporter(['--redis.addr', redis.url]);
    cleanups.push(() => closed.stop());
    const home = await httpGet(`${closed.url}/scrape?target=${q(redis.url)}`);
    assert.match(home.body, /^redis_up 1$/m);
    const refused = await httpGet(`${closed.url}/scrape?target=${q(other)}`);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /--scrape\.allowed-targets .*--scrape\.allow-any-target/);
    assert.equal(witness.connections(), 0);

    // Opened on purpose: a one-shot connection, closed after the scrape, and no password of the exporter's.
    const open = await startExporter(['--redis.addr', redis.url, '--scrape.allow-any-target'], {
      REDIS_PASSWORD: 'home-secret',
    });
    cleanups.push(() => open.stop());
    const r = await httpGet(`${open.url}/scrape?target=${q(other)}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /^redis_up 0$/m);
    assert.equal(witness.connections(), 1);
    await until('the one-shot connection to close', async () => (witness.open() === 0 ? true : undefined));
    assert.doesNotMatch(witness.received().toString('latin1'), /home-secret/);
  });

  test('one-shot connections to a target outside the allowlist: at most 4 in flight, the 5th is answered 429', async () => {
    const silent = await startFakeListener('silent');
    cleanups.push(() => silent.close());
    const exp = await startExporter(['--redis.addr', '', '--scrape.allow-any-target', '--scrape-timeout', '60s']);
    cleanups.push(() => exp.stop());
    const url = `${exp.url}/scrape?target=${q(`redis://127.0.0.1:${silent.port}`)}`;
    const pending = Array.from({ length: 4 }, () => httpGet(url, { timeoutMs: 90_000 }).catch((e: Error) => e));
    await until('four connections', async () => (silent.connections() === 4 ? true : undefined));
    const fifth = await httpGet(url);
    assert.equal(fifth.status, 429);
    assert.match(fifth.body, /already has 4 scrapes in flight/);
    // The same address written another way is the same server (the resolver takes each of these for 127.0.0.1).
    for (const alias of ['127.1', '0x7f.0.0.1', '2130706433', '127.0.0.1.']) {
      const r = await httpGet(`${exp.url}/scrape?target=${q(`redis://${alias}:${silent.port}`)}`);
      assert.equal(r.status, 429, alias);
    }
    assert.equal(silent.connections(), 4, 'the refused scrapes dialled nothing');
    await exp.stop();
    await Promise.all(pending);
    await until('the one-shot sockets to close with the exporter', async () =>
      silent.open() === 0 ? true : undefined,
    );
  });

  test('one-shot connections in all: at most 32 in flight, whatever the number of servers', async () => {
    const servers = await Promise.all(Array.from({ length: 9 }, () => startFakeListener('silent')));
    for (const s of servers) cleanups.push(() => s.close());
    const exp = await startExporter(['--redis.addr', '', '--scrape.allow-any-target', '--scrape-timeout', '60s']);
    cleanups.push(() => exp.stop());
    const urls = servers.map((s) => `${exp.url}/scrape?target=${q(`redis://127.0.0.1:${s.port}`)}`);
    const dialled = () => servers.reduce((n, s) => n + s.connections(), 0);
    // 4 to each of 8 servers: 32, each within its server's cap
    const pending = urls
      .slice(0, 8)
      .flatMap((u) => Array.from({ length: 4 }, () => httpGet(u, { timeoutMs: 90_000 }).catch((e: Error) => e)));
    await until('32 connections', async () => (dialled() === 32 ? true : undefined));
    const over = await httpGet(urls[8]);
    assert.equal(over.status, 429);
    assert.match(over.body, /^32 scrapes of targets outside --scrape\.allowed-targets are in flight/);
    assert.equal(servers[8].connections(), 0, 'the refused scrape dialled nothing');
    await exp.stop();
    await Promise.all(pending);
  });
});
