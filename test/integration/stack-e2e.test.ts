import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, parseDocument } from 'yaml';
import { envName } from '../../src/catalog/acl-users.ts';
import { ALERT_GROUPS, type AlertThresholds, buildAlerts, MEMORY_USAGE_TIERS } from '../../src/catalog/alerts.ts';
import { renderAlertRules } from '../../src/catalog/render-rules.ts';
import { parseStackConfig, type StackConfig } from '../../src/config/redoubt-yml.ts';
import { generateStackPasswords, PROXY_AUTH_PASSWORD, type StackEnv } from '../../src/config/stack-env.ts';
import { DOWN_ALERT, renderAlertmanagerConfig, WEBHOOK_RECEIVER } from '../../src/stack/alertmanager.ts';
import { renderCompose, SERVICES } from '../../src/stack/compose.ts';
import {
  EXPORTER_JOB,
  REDIS_JOB,
  RULES_FILE,
  renderPrometheusConfig,
  SCRAPE_INTERVAL,
} from '../../src/stack/prometheus.ts';
import { renderStackRedisConf } from '../../src/stack/redis.ts';
import { renderUsersAclFile } from '../../src/stack/render.ts';
import { httpGet } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import {
  type AmAlert,
  apiGet,
  type Daemon,
  nativeArgs,
  type PromAlert,
  type PromRuleGroup,
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningExporter, startExporter } from '../support/redoubt.ts';
import { type RespEndpoint, respCommand, respCommands } from '../support/resp.ts';
import { httpsRequest, type StackNginx, startStackNginx } from '../support/stack-nginx.ts';

/**
 * The generated monitoring stack end to end on loopback, with the real tools and no Docker: two redis-servers
 * running the generated redis-secure.conf and users.acl (the second with maxmemory 2mb, allkeys-lru), redoubt's exporter
 * with the compose file's environment (multi-target /scrape, logged in as the `exporter` ACL user), Debian's
 * Prometheus with the generated prometheus.yml and alert.rules and the compose file's flags, Debian's Alertmanager
 * with the generated alertmanager.yml posting to a webhook receiver in this test, and Debian's nginx with the
 * generated proxy configuration in front of both.
 *
 * Only time is changed, never an expression, a label or a route: the service names are mapped to 127.0.0.1 ports
 * through the renderers' own parameters, scrape/evaluation intervals and Alertmanager's group_wait/group_interval
 * are shortened in the rendered YAML (the generator has no setting for them), RedisDown's `for` through the
 * `downFor` threshold, and the `for` the catalogue fixes (not a threshold) divided by TIME_SCALE.
 */

/** Every `for` the catalogue fixes is divided by this: 5m → 10s, 2m → 4s. */
const TIME_SCALE = 30;
/** RedisDown's `for` (default 1m) through its threshold, scaled like the others. */
const DOWN_FOR = '2s';
const INTERVAL = '1s';
const GROUP_WAIT_MS = 1000;
const GROUP_INTERVAL_MS = 2000;
/** How long an inhibited group may take to reach a flush: group_wait, a group_interval and a margin. */
const FLUSH_WINDOW_MS = GROUP_WAIT_MS + GROUP_INTERVAL_MS + 1500;

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: 86400e3,
  w: 7 * 86400e3,
  y: 365 * 86400e3,
};

function durationMs(d: string): number {
  let ms = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(m[1]) * UNITS[m[2]];
  return ms;
}

function scaled(d: string): string {
  const ms = Math.round(durationMs(d) / TIME_SCALE);
  if (ms === 0) return '0m';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The catalogue's alerts as the test runs them: built with `overrides` plus the shortened downFor; every `for` that
 * no threshold sets (it is the same as with the default thresholds) divided by TIME_SCALE. Expressions untouched.
 */
function e2eAlerts(overrides: Partial<AlertThresholds> = {}) {
  const fixed = new Map(buildAlerts().map((a) => [a.name, a.for]));
  return buildAlerts({ downFor: DOWN_FOR, ...overrides }).map((a) =>
    a.for === fixed.get(a.name) ? { ...a, for: scaled(a.for) } : a,
  );
}

/** Sets YAML values of a rendered file, checking that each still has the value the generator is known to write. */
function retime(text: string, changes: Array<[path: string[], generated: string, value: string]>): string {
  const doc = parseDocument(text);
  for (const [path, generated, value] of changes) {
    assert.equal(doc.getIn(path), generated, `${path.join('.')} as generated`);
    doc.setIn(path, value);
  }
  return doc.toString({ lineWidth: 0 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseInfo(text: unknown): Record<string, string> {
  return Object.fromEntries(
    String(text)
      .split('\r\n')
      .filter((l) => l.includes(':') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

describe('the generated monitoring stack end to end (Prometheus, Alertmanager, nginx, exporter, redis-server)', {
  timeout: 180000,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'redoubt-stack-e2e-'));
  const passwords: StackEnv = generateStackPasswords();
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  let receiver: WebhookReceiver;
  let nginx: StackNginx;
  let config: StackConfig;
  let redisA: RedisServer;
  let redisB: RedisServer;
  let exporter: RunningExporter;
  let prom: Daemon;
  let am: Daemon;
  let rulesPath: string;
  let proxyAuth: string;

  const admin = (r: RedisServer): RespEndpoint => ({
    host: '127.0.0.1',
    port: r.port,
    username: 'admin',
    password: passwords[envName('admin')],
  });
  const query = (q: string) =>
    apiGet<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
      `${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`,
    ).then((d) => d.result);
  const promAlerts = () => apiGet<{ alerts: PromAlert[] }>(`${prom.url}/api/v1/alerts`).then((d) => d.alerts);
  const amAlerts = () => apiGet<AmAlert[]>(`${am.url}/api/v2/alerts`);
  const firingAt = (alertname: string, instance: string) =>
    receiver
      .alerts()
      .filter((a) => a.status === 'firing' && a.labels.alertname === alertname && a.labels.instance === instance);
  const state = () =>
    [
      `receiver: ${JSON.stringify(receiver.alerts().map((a) => [a.status, a.labels.alertname, a.labels.instance]))}`,
      `prometheus:\n${prom?.logs().slice(-3000)}`,
      `alertmanager:\n${am?.logs().slice(-3000)}`,
      `exporter:\n${exporter?.logs().slice(-2000)}`,
    ].join('\n');

  before(async () => {
    receiver = await startWebhookReceiver();
    cleanup.push(() => receiver.stop());
    const [portA, portB, promPort, amPort, grafanaPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);

    // nginx first: its port is part of the public URL that Prometheus and Alertmanager are started with (the
    // proxy configuration itself does not depend on it). Its login is the generated PROXY_AUTH_PASSWORD.
    nginx = await startStackNginx({
      upstreams: {
        grafana: `127.0.0.1:${grafanaPort}`,
        prometheus: `127.0.0.1:${promPort}`,
        alertmanager: `127.0.0.1:${amPort}`,
      },
      password: passwords[PROXY_AUTH_PASSWORD],
    });
    cleanup.push(() => nginx.stop());

    config = parseStackConfig(
      [
        `redis: { targets: ["redis://127.0.0.1:${portA}", "redis://127.0.0.1:${portB}"] }`,
        `alertmanager: { webhookUrl: "${receiver.url}" }`,
        `proxy: { publicUrl: "https://localhost:${nginx.port}" }`,
      ].join('\n'),
      'e2e.yml',
    );
    assert.equal(nginx.user, config.proxy.user);
    proxyAuth = `${nginx.user}:${nginx.password}`;

    // Both Redis servers run the generated redis-secure.conf and users.acl; only paths and ports are the test's.
    writeFileSync(join(root, 'users.acl'), renderUsersAclFile(passwords).data, { mode: 0o600 });
    const replaced = new Set(['port', 'dir', 'logfile', 'aclfile']);
    const secureConf = renderStackRedisConf(config)
      .split('\n')
      .filter((l) => !replaced.has(l.split(' ')[0]));
    const redisConf = [...secureConf, `aclfile ${join(root, 'users.acl')}`];
    redisA = await startRedis({ port: portA, config: redisConf });
    cleanup.push(() => redisA.stop());
    redisB = await startRedis({ port: portB, config: [...redisConf, 'maxmemory 2mb', 'maxmemory-policy allkeys-lru'] });
    cleanup.push(() => redisB.stop());
    // A slow log that is not empty before the first scrape (RedisExpensiveCommands does not judge a window that
    // saw id 0): three entries logged with the threshold at 0, then the generated threshold again.
    const [, slower] = (await respCommand(admin(redisA), 'CONFIG', 'GET', 'slowlog-log-slower-than')) as string[];
    await respCommands(admin(redisA), [
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['PING'],
      ['PING'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', slower],
    ]);

    // The exporter with the compose service's environment, ${VAR:?…} filled from the generated passwords.
    const compose = parse(renderCompose(config)) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
    };
    const exporterEnv = Object.fromEntries(
      Object.entries(compose.services[SERVICES.exporter.host].environment ?? {}).map(([k, v]) => [
        k,
        v.replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_m, name: string) => passwords[name]),
      ]),
    );
    assert.equal(exporterEnv.REDOUBT_SCRAPE_ALLOWED_TARGETS, `redis://127.0.0.1:${portA},redis://127.0.0.1:${portB}`);
    exporter = await startExporter([], exporterEnv);
    cleanup.push(() => exporter.stop());

    // prometheus.yml and alert.rules, rendered for loopback and shortened in time.
    const promDir = join(root, 'prometheus');
    mkdirSync(promDir);
    const promYml = retime(
      renderPrometheusConfig(config, {
        exporter: `127.0.0.1:${exporter.port}`,
        alertmanager: `127.0.0.1:${amPort}`,
      }),
      [
        [['global', 'scrape_interval'], SCRAPE_INTERVAL, INTERVAL],
        // Must not exceed the interval; the exporter answers within it (X-Prometheus-Scrape-Timeout-Seconds).
        [['global', 'scrape_timeout'], '10s', INTERVAL],
        [['global', 'evaluation_interval'], SCRAPE_INTERVAL, INTERVAL],
      ],
    );
    writeFileSync(join(promDir, 'prometheus.yml'), promYml);
    rulesPath = join(promDir, RULES_FILE);
    writeFileSync(rulesPath, renderAlertRules(e2eAlerts()));

    const amDir = join(root, 'alertmanager');
    mkdirSync(amDir);
    const amYml = retime(renderAlertmanagerConfig(config), [
      [['route', 'group_wait'], '30s', `${GROUP_WAIT_MS / 1000}s`],
      [['route', 'group_interval'], '5m', `${GROUP_INTERVAL_MS / 1000}s`],
    ]);
    writeFileSync(join(amDir, 'alertmanager.yml'), amYml);

    // The compose file's command lines, with paths of this machine.
    am = await startAlertmanager(
      nativeArgs(compose.services.alertmanager.command ?? [], {
        '--config.file': join(amDir, 'alertmanager.yml'),
        '--storage.path': join(root, 'alertmanager-data'),
      }),
      amPort,
    );
    cleanup.push(() => am.stop());
    prom = await startPrometheus(
      nativeArgs(compose.services.prometheus.command ?? [], {
        '--config.file': join(promDir, 'prometheus.yml'),
        '--storage.tsdb.path': join(root, 'prometheus-data'),
      }),
      promPort,
    );
    cleanup.push(() => prom.stop());
  });

  after(async () => {
    const errors: unknown[] = [];
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (e) {
        errors.push(e);
      }
    }
    rmSync(root, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  });

  test('Prometheus scrapes both Redis servers through the exporter, loads every generated rule and finds Alertmanager', async () => {
    type Target = { labels: Record<string, string>; scrapeUrl: string; health: string; lastError: string };
    const targets = await waitFor(
      'the three targets up',
      async () => {
        const t = (await apiGet<{ activeTargets: Target[] }>(`${prom.url}/api/v1/targets?state=active`)).activeTargets;
        return t.length === 3 && t.every((x) => x.health === 'up') && t;
      },
      { detail: state },
    );
    const redisTargets = targets.filter((t) => t.labels.job === REDIS_JOB);
    assert.deepEqual(redisTargets.map((t) => t.labels.instance).sort(), [redisA.url, redisB.url].sort());
    for (const t of redisTargets) {
      const u = new URL(t.scrapeUrl);
      assert.equal(`${u.origin}${u.pathname}`, `${exporter.url}/scrape`);
      assert.equal(u.searchParams.get('target'), t.labels.instance, 'relabelling: ?target= is the Redis URL');
    }
    assert.deepEqual(
      targets.filter((t) => t.labels.job === EXPORTER_JOB).map((t) => t.labels.instance),
      [`127.0.0.1:${exporter.port}`],
    );

    // The exporter reached both servers as the generated `exporter` ACL user.
    await waitFor('redis_up 1 for both servers', async () => {
      const r = await query('redis_up == 1');
      return r.length === 2;
    });
    // …and its own /metrics (job redoubt-exporter) has no redis_up: the compose file sets REDIS_ADDR to "" (no
    // default target), and a redis_up 0 there would fire RedisDown for the exporter's address for ever.
    assert.deepEqual(
      (await query('redis_up')).map((r) => `${r.metric.job} ${r.metric.instance}`).sort(),
      [`${REDIS_JOB} ${redisA.url}`, `${REDIS_JOB} ${redisB.url}`].sort(),
    );

    const expected = e2eAlerts();
    const groups = await waitFor(
      'every rule evaluated with health ok',
      async () => {
        const g = (await apiGet<{ groups: PromRuleGroup[] }>(`${prom.url}/api/v1/rules`)).groups;
        const rules = g.flatMap((x) => x.rules);
        return rules.length === expected.length && rules.every((r) => r.health === 'ok') && g;
      },
      { detail: state },
    );
    // The API lists groups by name; rules keep their order within a group.
    assert.deepEqual(groups.map((g) => g.name).sort(), [...ALERT_GROUPS].sort());
    for (const g of groups) {
      assert.deepEqual(
        g.rules.map((r) => r.name),
        expected.filter((a) => a.group === g.name).map((a) => a.name),
        g.name,
      );
      for (const r of g.rules) {
        const a = expected.find((x) => x.name === r.name);
        assert.equal(r.type, 'alerting');
        assert.equal(r.duration, durationMs(a?.for ?? '') / 1000, `${r.name}: the shortened for`);
        assert.equal(r.lastError ?? '', '', r.name);
      }
    }

    const ams = await apiGet<{ activeAlertmanagers: Array<{ url: string }> }>(`${prom.url}/api/v1/alertmanagers`);
    assert.deepEqual(
      ams.activeAlertmanagers.map((a) => a.url),
      [`${am.url}/api/v2/alerts`],
    );
  });

  test('stopping redis-server delivers RedisDown for its instance; its other alerts are inhibited', async () => {
    // Slow commands logged just before the stop: RedisExpensiveCommands (for 10s) goes pending for this instance
    // and fires while RedisDown (for 2s) already fires, since increase() over its window outlives the scrapes.
    const [, slower] = (await respCommand(admin(redisA), 'CONFIG', 'GET', 'slowlog-log-slower-than')) as string[];
    const replies = await respCommands(admin(redisA), [
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ...Array.from({ length: 20 }, () => ['PING']),
      ['CONFIG', 'SET', 'slowlog-log-slower-than', slower],
      ['SLOWLOG', 'GET', '1'],
    ]);
    const lastId = Number((replies.at(-1) as unknown[][])[0][0]);
    assert.ok(lastId > 20, `slowlog id ${lastId}`);
    await waitFor('Prometheus to scrape the new slowlog id', async () => {
      const r = await query(`redis_slowlog_last_id{instance="${redisA.url}"}`);
      return Number(r[0]?.value[1]) >= lastId;
    });
    await redisA.kill();

    const [down] = await waitFor(
      'RedisDown for the stopped server at the receiver',
      () => firingAt(DOWN_ALERT, redisA.url).length > 0 && firingAt(DOWN_ALERT, redisA.url),
      {
        timeoutMs: 30000,
        detail: state,
      },
    );
    assert.equal(down.labels.job, REDIS_JOB);
    assert.equal(down.labels.severity, 'critical');
    assert.match(down.annotations.summary, new RegExp(`${redisA.url} is down`));
    // The public URLs of the compose file's flags reach the notification.
    assert.ok(down.generatorURL.startsWith(`https://localhost:${nginx.port}/prometheus/graph?`), down.generatorURL);
    const notification = receiver.notifications.find((n) => n.alerts.some((a) => a.fingerprint === down.fingerprint));
    assert.equal(notification?.externalURL, `https://localhost:${nginx.port}/alertmanager`);
    assert.equal(notification?.receiver, WEBHOOK_RECEIVER);
    assert.deepEqual(notification?.groupLabels, { alertname: DOWN_ALERT, instance: redisA.url });
    assert.equal(firingAt(DOWN_ALERT, redisB.url).length, 0, 'the other server is not down');

    // The lower alert fires in Prometheus and reaches Alertmanager, which holds it back.
    await waitFor(
      'RedisExpensiveCommands firing for the stopped server in Prometheus',
      async () =>
        (await promAlerts()).some(
          (a) =>
            a.labels.alertname === 'RedisExpensiveCommands' && a.labels.instance === redisA.url && a.state === 'firing',
        ),
      { timeoutMs: 30000, detail: state },
    );
    const inhibited = await waitFor(
      'Alertmanager to inhibit RedisExpensiveCommands by RedisDown',
      async () => {
        const alerts = (await amAlerts()).filter((a) => a.labels.instance === redisA.url);
        const source = alerts.find((a) => a.labels.alertname === DOWN_ALERT);
        const target = alerts.find((a) => a.labels.alertname === 'RedisExpensiveCommands');
        return (
          source?.status.state === 'active' &&
          target?.status.state === 'suppressed' &&
          target.status.inhibitedBy.includes(source.fingerprint) &&
          alerts
        );
      },
      { detail: state },
    );
    for (const a of inhibited)
      if (a.labels.alertname !== DOWN_ALERT) assert.equal(a.status.state, 'suppressed', a.labels.alertname);
    await sleep(FLUSH_WINDOW_MS);
    assert.deepEqual(
      receiver
        .alerts()
        .filter(
          (a) =>
            a.status === 'firing' &&
            a.labels.instance === redisA.url &&
            a.labels.alertname !== DOWN_ALERT &&
            a.receivedAt >= down.receivedAt,
        )
        .map((a) => a.labels.alertname),
      [],
      'nothing but RedisDown arrives for the instance while RedisDown fires',
    );
    assert.deepEqual(firingAt('RedisExpensiveCommands', redisA.url), []);
  });

  test('filling the 2 MB server raises all three memory tiers; only RedisMemoryUsageCritical is delivered', async () => {
    const usage = async () => {
      const info = parseInfo(await respCommand(admin(redisB), 'INFO', 'memory'));
      return Number(info.used_memory) / Number(info.maxmemory);
    };
    const start = await usage();
    assert.ok(start < 0.8, `starts below the lowest tier: ${start}`);
    // 1 KiB values, a few per connection: the query buffers stay small, so what remains is data at maxmemory.
    const value = 'x'.repeat(1024);
    for (let i = 0; i < 3000; i += 16)
      await respCommands(
        admin(redisB),
        Array.from({ length: 16 }, (_, j) => ['SET', `fill:${i + j}`, value]),
      );
    const full = await usage();
    assert.ok(full > 0.96, `full: ${full}`);

    const tiers = [...MEMORY_USAGE_TIERS];
    await waitFor(
      'all three memory tiers firing for the full server in Prometheus',
      async () => {
        const firing = (await promAlerts())
          .filter((a) => a.labels.instance === redisB.url && a.state === 'firing')
          .map((a) => a.labels.alertname);
        return tiers.every((t) => firing.includes(t));
      },
      { timeoutMs: 30000, detail: state },
    );
    const [critical] = await waitFor(
      'RedisMemoryUsageCritical at the receiver',
      () => {
        const c = firingAt('RedisMemoryUsageCritical', redisB.url);
        return c.length > 0 && c;
      },
      { detail: state },
    );
    assert.equal(critical.labels.tier, 'critical');
    assert.equal(critical.labels.severity, 'critical');

    const source = critical.fingerprint;
    await waitFor(
      'Alertmanager to inhibit the warning and high tiers by the critical one',
      async () => {
        const alerts = (await amAlerts()).filter((a) => a.labels.instance === redisB.url);
        return tiers.slice(0, 2).every((t) => {
          const a = alerts.find((x) => x.labels.alertname === t);
          return a?.status.state === 'suppressed' && a.status.inhibitedBy.includes(source);
        });
      },
      { detail: state },
    );
    await sleep(FLUSH_WINDOW_MS);
    for (const t of tiers.slice(0, 2)) assert.deepEqual(firingAt(t, redisB.url), [], `${t} must not be delivered`);
    assert.equal(firingAt('RedisMemoryUsageCritical', redisB.url).length, 1);

    // The hardened servers are otherwise quiet: these two are all the receiver ever got.
    assert.deepEqual(
      [
        ...new Set(
          receiver
            .alerts()
            .filter((a) => a.status === 'firing')
            .map((a) => `${a.labels.alertname} ${a.labels.instance}`),
        ),
      ].sort(),
      [`${DOWN_ALERT} ${redisA.url}`, `RedisMemoryUsageCritical ${redisB.url}`].sort(),
    );
  });

  test('an edited rule file is loaded after POST /prometheus/-/reload through the generated nginx proxy', async () => {
    const via = (path: string, options: { method?: string; auth?: string } = {}) =>
      httpsRequest(nginx.port, path, { ca: nginx.caCert, auth: proxyAuth, ...options });
    const clientsRule = async () => {
      const r = await via('/prometheus/api/v1/rules?type=alert');
      assert.equal(r.status, 200, r.body);
      const groups = (JSON.parse(r.body) as { data: { groups: PromRuleGroup[] } }).data.groups;
      const rule = groups.flatMap((g) => g.rules).find((x) => x.name === 'RedisConnectedClientsHigh');
      assert.ok(rule, 'RedisConnectedClientsHigh is loaded');
      return rule;
    };
    assert.match((await clientsRule()).query, /redis_connected_clients > 1000 /);

    // The edit: the threshold of connected clients down to 0, through the catalogue's parameter.
    const edited = renderAlertRules(e2eAlerts({ connectedClients: 0 }));
    assert.notEqual(edited, readFileSync(rulesPath, 'utf8'));
    writeFileSync(rulesPath, edited);
    // Prometheus does not scrape itself in the generated configuration: its reload metrics come from /metrics.
    const reloadMetric = async (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec((await httpGet(`${prom.url}/metrics`)).body);
      assert.ok(m, `${name} in Prometheus' /metrics`);
      return Number(m[1]);
    };
    const reloadedAt = () => reloadMetric('prometheus_config_last_reload_success_timestamp_seconds');
    const before = await reloadedAt();

    for (const auth of [undefined, `${config.proxy.user}:wrong`]) {
      const refused = await via('/prometheus/-/reload', { method: 'POST', auth });
      assert.equal(refused.status, 401, `reload with ${auth ? 'a wrong' : 'no'} login`);
    }
    assert.match((await clientsRule()).query, /redis_connected_clients > 1000 /, 'not reloaded without the login');
    assert.equal(await reloadedAt(), before);

    const reload = await via('/prometheus/-/reload', { method: 'POST' });
    assert.equal(reload.status, 200, reload.body);
    const rule = await waitFor('the edited rule in /api/v1/rules', async () => {
      const r = await clientsRule();
      return /redis_connected_clients > 0 /.test(r.query) && r;
    });
    assert.doesNotMatch(rule.query, /> 1000/);
    assert.ok((await reloadedAt()) > before);
    assert.equal(await reloadMetric('prometheus_config_last_reload_successful'), 1);

    // …and evaluates it: the running server has clients (the exporter), so the edited alert becomes active.
    await waitFor('RedisConnectedClientsHigh active for the running server', async () =>
      (await promAlerts()).some(
        (a) => a.labels.alertname === 'RedisConnectedClientsHigh' && a.labels.instance === redisB.url,
      ),
    );
    assert.deepEqual(receiver.rejected, []);
  });
});
