import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { aclPasswordHash, HARDENED_USERS } from '../../src/catalog/acl-users.ts';
import { buildAlerts, DEFAULT_ALERT_THRESHOLDS } from '../../src/catalog/alerts.ts';
import { DATASOURCE_UID } from '../../src/catalog/datasource.ts';
import { DEFAULT_STACK_CONFIG, parseStackConfig } from '../../src/config/redoubt-yml.ts';
import { missingSecrets, parseEnvFile, renderStackEnv, STACK_ENV, type StackEnv } from '../../src/config/stack-env.ts';
import { DOWN_ALERT, inhibitRules, renderAlertmanagerConfig } from '../../src/stack/alertmanager.ts';
import { renderCompose } from '../../src/stack/compose.ts';
import { NODE_IMAGE, renderDockerfile, renderDockerignore } from '../../src/stack/dockerfile.ts';
import { DASHBOARD_DIR, GRAFANA_PROVISIONING } from '../../src/stack/grafana.ts';
import { apr1Hash, renderHtpasswd } from '../../src/stack/htpasswd.ts';
import { renderMonitoringGitignore, STACK_LAYOUT, stackPaths } from '../../src/stack/layout.ts';
import { renderNginxConf } from '../../src/stack/nginx.ts';
import { EXPORTER_JOB, REDIS_JOB, renderPrometheusConfig } from '../../src/stack/prometheus.ts';
import { renderStackRedisConf, stackBind } from '../../src/stack/redis.ts';
import { renderCommittedFiles, renderLocalFiles } from '../../src/stack/render.ts';
import { flow, gap, note, renderYaml } from '../../src/stack/yaml.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = Object.fromEntries(renderCommittedFiles(DEFAULT_STACK_CONFIG).map((f) => [f.id, f.data]));
const CUSTOM = parseStackConfig(
  'redis: { targets: ["redis://10.0.0.5:6380", "redis://cache.internal:6379"] }\nalertmanager: { webhookUrl: "https://hooks.example.internal/x" }',
);

describe('htpasswd: apr1', () => {
  test('matches openssl passwd -apr1 (vectors made with OpenSSL 3.0)', () => {
    const vectors: [string, string][] = [
      ['secret', '$apr1$abcdEFG.$hTsZ1g1n6Mtp1KXuBGYnt1'],
      ['x', '$apr1$abcdEFG.$PzmBGlpaSu2.ZiQN4b52n0'],
      ['A3bC9dE0fG1hI2jK3lM4nO5pQ6rS7tU8vW9xY0z1', '$apr1$abcdEFG.$PRofOZ4Ck5rpezWbA6xP7.'],
      ['pässwörd with spaces and more than sixteen bytes', '$apr1$abcdEFG.$ZWg4jBkVFnGTXauwYhcIf0'],
    ];
    for (const [pw, hash] of vectors) assert.equal(apr1Hash(pw, 'abcdEFG.'), hash, pw);
    assert.equal(renderHtpasswd([{ user: 'monitor', password: 'x', salt: 'abcdEFG.' }]), `monitor:${vectors[1][1]}\n`);
    assert.throws(() => apr1Hash('x', 'bad$salt'));
  });
});

describe('prometheus.yml', () => {
  const prom = parse(files.prometheus);
  test('scrapes every Redis through /scrape with multi-target relabelling', () => {
    const redis = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === REDIS_JOB);
    assert.equal(redis.metrics_path, '/scrape');
    assert.deepEqual(redis.static_configs, [{ targets: DEFAULT_STACK_CONFIG.redis.targets }]);
    assert.deepEqual(redis.relabel_configs, [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: 'redis-exporter:9121' },
    ]);
    const self = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === EXPORTER_JOB);
    assert.deepEqual(self.static_configs, [{ targets: ['redis-exporter:9121'] }]);
    assert.deepEqual(prom.rule_files, ['alert.rules']);
    assert.deepEqual(prom.alerting.alertmanagers, [{ static_configs: [{ targets: ['alertmanager:9093'] }] }]);
  });

  test("the catalogue's job regex takes the Redis job for Redis, and not the exporter's own job", () => {
    const re = new RegExp(`^(?:${DEFAULT_ALERT_THRESHOLDS.redisJobRegex})$`);
    assert.ok(re.test(REDIS_JOB));
    assert.ok(!re.test(EXPORTER_JOB), `${EXPORTER_JOB} would make RedisDown fire for the exporter itself`);
  });

  test('loopback endpoints for tests that run Prometheus natively', () => {
    const p = parse(renderPrometheusConfig(CUSTOM, { exporter: '127.0.0.1:19121', alertmanager: '127.0.0.1:19093' }));
    assert.equal(p.scrape_configs[0].relabel_configs[2].replacement, '127.0.0.1:19121');
    assert.deepEqual(p.scrape_configs[0].static_configs[0].targets, CUSTOM.redis.targets);
    assert.deepEqual(p.alerting.alertmanagers[0].static_configs[0].targets, ['127.0.0.1:19093']);
  });
});

describe('alertmanager.yml', () => {
  const am = parse(files.alertmanager);
  test('inhibits lower memory tiers by higher ones and everything by RedisDown, on the same instance', () => {
    assert.deepEqual(am.inhibit_rules, inhibitRules());
    assert.deepEqual(am.inhibit_rules[0].target_matchers, [
      'alertname=~"RedisMemoryUsageWarning|RedisMemoryUsageHigh"',
    ]);
    assert.deepEqual(am.inhibit_rules[1].source_matchers, ['alertname="RedisMemoryUsageHigh"']);
    assert.deepEqual(am.inhibit_rules[2].target_matchers, ['alertname!="RedisDown"']);
    for (const r of am.inhibit_rules) assert.deepEqual(r.equal, ['instance']);
  });

  test('every alert name it refers to exists in the catalogue', () => {
    const names = new Set(buildAlerts().map((a) => a.name));
    const referenced = inhibitRules().flatMap((r) =>
      [...r.source_matchers, ...r.target_matchers].flatMap((m) => m.split('"')[1].split('|')),
    );
    for (const n of [...referenced, DOWN_ALERT]) assert.ok(names.has(n), `${n} is not an alert of the catalogue`);
  });

  test('groups by alertname and instance and sends to the configured webhook', () => {
    assert.deepEqual(am.route.group_by, ['alertname', 'instance']);
    assert.equal(am.route.receiver, 'webhook');
    assert.deepEqual(am.receivers, [
      {
        name: 'webhook',
        webhook_configs: [{ url: DEFAULT_STACK_CONFIG.alertmanager.webhookUrl, send_resolved: true }],
      },
    ]);
    const custom = parse(renderAlertmanagerConfig(CUSTOM));
    assert.equal(custom.receivers[0].webhook_configs[0].url, 'https://hooks.example.internal/x');
  });
});

describe('Grafana provisioning', () => {
  test('the datasource has the uid the dashboard uses and is the default', () => {
    const ds = parse(files.grafanaDatasource).datasources;
    assert.equal(ds.length, 1);
    assert.equal(ds[0].uid, DATASOURCE_UID);
    assert.equal(ds[0].url, 'http://prometheus:9090');
    assert.equal(ds[0].isDefault, true);
    assert.doesNotMatch(files.grafanaDashboard, /\$\{DS_/);
    assert.match(files.grafanaDashboard, new RegExp(`"uid": ?"${DATASOURCE_UID}"`));
  });

  test('the dashboard provider points at the directory the dashboard JSON is mounted in', () => {
    const provider = parse(files.grafanaDashboards).providers[0];
    assert.equal(provider.options.path, DASHBOARD_DIR);
    const mount = 'monitoring/grafana/provisioning';
    const inContainer = STACK_LAYOUT.grafanaDashboard.path.replace(mount, GRAFANA_PROVISIONING);
    assert.equal(dirname(inContainer), DASHBOARD_DIR);
    assert.ok(parse(files.compose).services.grafana.volumes.includes(`./${mount}:${GRAFANA_PROVISIONING}:ro`));
  });
});

describe('compose, exporter and redis-secure.conf follow the targets', () => {
  test('the exporter allows exactly the configured targets, and only reaches the host when asked to', () => {
    const def = parse(files.compose).services['redis-exporter'];
    assert.equal(def.environment.REDOUBT_SCRAPE_ALLOWED_TARGETS, 'redis://host.docker.internal:6379');
    assert.deepEqual(def.extra_hosts, ['host.docker.internal:host-gateway']);
    const custom = parse(renderCompose(CUSTOM)).services['redis-exporter'];
    assert.equal(
      custom.environment.REDOUBT_SCRAPE_ALLOWED_TARGETS,
      'redis://10.0.0.5:6380,redis://cache.internal:6379',
    );
    assert.equal(custom.extra_hosts, undefined);
  });

  test('redis-secure.conf listens where the exporter connects and uses the ACL file', () => {
    assert.deepEqual(stackBind(DEFAULT_STACK_CONFIG), ['127.0.0.1', '-::1', '-172.17.0.1']);
    assert.deepEqual(stackBind(CUSTOM), ['127.0.0.1', '-::1', '10.0.0.5']);
    assert.match(files.redisConf, /^bind 127\.0\.0\.1 -::1 -172\.17\.0\.1$/m);
    assert.match(files.redisConf, /^aclfile \/etc\/redis\/users\.acl$/m);
    assert.match(files.redisConf, /^protected-mode yes$/m);
    assert.match(renderStackRedisConf(CUSTOM), /^port 6380$/m);
  });
});

describe('nginx.conf allowlist', () => {
  const geo = (conf: string) =>
    /geo \$redoubt_allowed_client \{\n([\s\S]*?)\n\s*\}/
      .exec(conf)?.[1]
      .split('\n')
      .map((l) => l.trim().replace(/\s*#.*$/, ''))
      .filter((l) => l !== '') ?? [];

  test("the committed default lets in loopback and private client networks, not Docker's bridge range", () => {
    assert.deepEqual(geo(files.nginx), [
      'default 0;',
      '127.0.0.1 1;',
      '::1 1;',
      '10.0.0.0/8 1;',
      '192.168.0.0/16 1;',
      'fc00::/7 1;',
    ]);
    assert.doesNotMatch(files.nginx, /^\s*172\.16\.0\.0\/12 1;$/m);
    assert.match(files.nginx, /userland proxy/, 'the config says why the bridge range is left out');
  });

  test("a custom list is used as given, plus 127.0.0.1 for nginx's healthcheck", () => {
    const custom = parseStackConfig('proxy: { allow: [10.1.0.0/16, "2001:db8::/32"] }');
    assert.deepEqual(geo(renderNginxConf(custom)), [
      'default 0;',
      '10.1.0.0/16 1;',
      '2001:db8::/32 1;',
      '127.0.0.1 1;',
    ]);
    assert.match(parse(files.compose).services.nginx.healthcheck.test.join(' '), /https:\/\/127\.0\.0\.1:443\//);
  });
});

describe('.env and .env.example', () => {
  const passwords: StackEnv = Object.fromEntries(
    STACK_ENV.filter((v) => v.secret).map((v, i) => [v.name, `pw${i}`.padEnd(40, 'x')]),
  );
  test('.env.example names every variable and holds no secret value', () => {
    const example = parseEnvFile(files.envExample);
    assert.deepEqual(
      Object.keys(example),
      STACK_ENV.map((v) => v.name),
    );
    for (const v of STACK_ENV) if (v.secret) assert.equal(example[v.name], '', v.name);
    assert.equal(example.GRAFANA_ADMIN_USER, 'admin');
    assert.deepEqual(
      missingSecrets(example),
      STACK_ENV.filter((v) => v.secret).map((v) => v.name),
    );
    assert.deepEqual(
      HARDENED_USERS.map((u) => `REDIS_${u.toUpperCase()}_PASSWORD`).filter((n) => !(n in example)),
      [],
    );
  });

  test('.env round-trips through parseEnvFile, and the local files are made from it', () => {
    const env = parseEnvFile(renderStackEnv(DEFAULT_STACK_CONFIG, passwords));
    assert.deepEqual(missingSecrets(env), []);
    for (const [k, v] of Object.entries(passwords)) assert.equal(env[k], v);
    const local = renderLocalFiles(DEFAULT_STACK_CONFIG, {
      passwords,
      htpasswdSalt: 'abcdEFG.',
      tls: { caCert: 'CA', serverCert: 'CERT', serverKey: 'KEY' },
    });
    assert.deepEqual(
      local.map((f) => f.id).sort(),
      stackPaths('local')
        .map((p) => Object.entries(STACK_LAYOUT).find(([, q]) => q === p)?.[0])
        .filter((id) => id !== 'webhookPassword')
        .sort(),
    );
    const acl = local.find((f) => f.id === 'usersAcl')?.data ?? '';
    for (const u of HARDENED_USERS) {
      assert.ok(acl.includes(`#${aclPasswordHash(passwords[`REDIS_${u.toUpperCase()}_PASSWORD`])}`), u);
      assert.ok(!acl.includes(passwords[`REDIS_${u.toUpperCase()}_PASSWORD`]));
    }
    const htpasswd = local.find((f) => f.id === 'htpasswd')?.data ?? '';
    assert.equal(htpasswd, `monitor:${apr1Hash(passwords.PROXY_AUTH_PASSWORD, 'abcdEFG.')}\n`);
  });

  test('parseEnvFile takes comments, export and quotes', () => {
    assert.deepEqual(parseEnvFile('# c\nexport A=1\nB="two words"\nC=\'3\'\n  D = 4\nnot a line\n'), {
      A: '1',
      B: 'two words',
      C: '3',
      D: '4',
    });
  });
});

describe('layout', () => {
  test('committed and local files cover the layout exactly once', () => {
    const committed = renderCommittedFiles(DEFAULT_STACK_CONFIG).map((f) => f.path);
    assert.deepEqual(
      committed.slice().sort(),
      stackPaths('committed')
        .map((p) => p.path)
        .sort(),
    );
    assert.equal(new Set(committed).size, committed.length);
  });

  test('monitoring/.gitignore lists every local file under monitoring/', () => {
    const ignored = renderMonitoringGitignore()
      .split('\n')
      .filter((l) => l.startsWith('/'));
    for (const p of stackPaths('local'))
      if (p.path.startsWith('monitoring/')) assert.ok(ignored.includes(p.path.slice('monitoring'.length)), p.path);
    assert.equal(renderMonitoringGitignore(), files.gitignore);
  });

  test('secrets are 0600 except what nginx workers read (hashes, certificates)', () => {
    assert.equal(STACK_LAYOUT.env.mode, 0o600);
    assert.equal(STACK_LAYOUT.usersAcl.mode, 0o600);
    assert.equal(STACK_LAYOUT.serverKey.mode, 0o600);
    for (const p of stackPaths('committed')) assert.equal(p.mode, 0o644, p.path);
  });
});

describe('Dockerfile', () => {
  test('builds from the repository with npm ci and runs the exporter', () => {
    const df = renderDockerfile();
    assert.equal(df, files.dockerfile);
    assert.match(df, new RegExp(`^FROM ${NODE_IMAGE} AS build$`, 'm'));
    assert.match(df, /^RUN npm ci /m);
    assert.match(df, /^RUN npm run build$/m);
    assert.match(df, /^ENTRYPOINT \["node", "--max-semi-space-size=4", "bin\/redoubt\.js", "exporter"\]$/m);
    assert.match(df, /^USER node$/m);
    for (const m of df.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const src of m[1].split(' ')) assert.ok(existsSync(join(REPO, src)), `COPY ${src}: not in the repository`);
  });

  test('.dockerignore keeps secrets and local builds out of the context', () => {
    const ignore = renderDockerignore().split('\n');
    for (const p of ['.env', 'monitoring/', 'node_modules/', 'dist/', '.git/']) assert.ok(ignore.includes(p), p);
  });
});

describe('yaml helper', () => {
  test('comments, flow lists and blank lines', () => {
    assert.equal(
      renderYaml({ a: note('about a\nsecond line', 1), b: gap(flow(['x', 'y'])), c: { d: note('d', 'e: f') } }, 'top'),
      '# top\n\n# about a\n# second line\na: 1\n\nb: [x, y]\nc:\n  # d\n  d: "e: f"\n',
    );
  });
});
