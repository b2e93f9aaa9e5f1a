import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { DEFAULT_STACK_CONFIG, parseStackConfig } from '../../src/config/redoubt-yml.ts';
import { parseEnvFile, STACK_ENV } from '../../src/config/stack-env.ts';
import { IMAGES } from '../../src/stack/compose.ts';
import { STACK_LAYOUT } from '../../src/stack/layout.ts';
import { COMPOSE_NGINX_RUNTIME, renderNginxConf } from '../../src/stack/nginx.ts';
import { renderCommittedFiles } from '../../src/stack/render.ts';
import { requireBinary } from '../support/binaries.ts';
import { httpGet } from '../support/http.ts';
import { type Schema, SchemaValidator } from '../support/json-schema.ts';
import { freePort } from '../support/ports.ts';
import { startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';
import { httpsRequest, nginxTest, type StackNginx, startStackNginx, writeStackNginx } from '../support/stack-nginx.ts';

/**
 * The generated stack checked by the real tools (Debian's promtool, amtool and nginx), and the compose file by the
 * Compose Specification's JSON schema plus the project's own rules, since there is no Docker engine here.
 */
const root = mkdtempSync(join(tmpdir(), 'redoubt-stack-tools-'));
after(() => rmSync(root, { recursive: true, force: true }));

function writeStack(dir: string, config = DEFAULT_STACK_CONFIG): void {
  for (const f of renderCommittedFiles(config)) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.data);
  }
}

function run(bin: string, args: string[], cwd?: string): { code: number; output: string } {
  const r = spawnSync(requireBinary(bin), args, { encoding: 'utf8', cwd, timeout: 60000 });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

const CUSTOM = parseStackConfig(
  [
    'redis:',
    '  targets: [redis://10.0.0.5:6379, rediss://cache.internal:6380, "redis://exporter@[fd00::5]:6379/2"]',
    '  tlsCaFile: tls/ca.crt',
    '  tlsClientCertFile: tls/client.crt',
    '  tlsClientKeyFile: /etc/redis/tls/client.key',
    'prometheus: { retention: 30d }',
    'alertmanager: { webhookUrl: "https://alerts:s3cr%40t@hooks.example.internal/alerts?channel=ops" }',
    'grafana: { adminUser: ops }',
    'proxy:',
    '  publicUrl: https://monitoring.example.internal:8443',
    '  allow: [10.1.0.0/16, 192.168.7.20, "2001:db8::/32"]',
    '  user: oncall',
  ].join('\n'),
  'custom.yml',
);

describe('promtool and amtool accept the generated configuration', () => {
  for (const [name, config] of [
    ['defaults', DEFAULT_STACK_CONFIG],
    ['a custom redoubt.yml', CUSTOM],
  ] as const) {
    test(`${name}: promtool check config (rule file next to it), check rules, amtool check-config`, () => {
      const dir = join(root, name.replace(/\W+/g, '-'));
      writeStack(dir, config);
      const prom = join(dir, 'monitoring/prometheus');
      const config1 = run('promtool', ['check', 'config', join(prom, 'prometheus.yml')]);
      assert.equal(config1.code, 0, config1.output);
      assert.match(config1.output, /SUCCESS: 1 rule files found/);
      const rules = run('promtool', ['check', 'rules', join(prom, 'alert.rules')]);
      assert.equal(rules.code, 0, rules.output);
      assert.match(rules.output, /SUCCESS: \d+ rules found/);
      const am = run('amtool', ['check-config', join(dir, 'monitoring/alertmanager/alertmanager.yml')]);
      assert.equal(am.code, 0, am.output);
      assert.match(am.output, /SUCCESS/);
      assert.match(am.output, /- 3 inhibit rules/);
      assert.match(am.output, /- 1 receivers/);
      assert.doesNotMatch(readFileSync(join(dir, 'monitoring/alertmanager/alertmanager.yml'), 'utf8'), /s3cr/);
    });
  }
});

describe('nginx runs the generated proxy configuration', () => {
  let upstream: Server;
  let upstreamPort: number;
  let nginx: StackNginx;

  before(async () => {
    // One fake upstream for all three UIs: it echoes the path and headers it received.
    upstream = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers }));
    });
    upstreamPort = await freePort();
    await new Promise<void>((r) => upstream.listen(upstreamPort, '127.0.0.1', r));
    const addr = `127.0.0.1:${upstreamPort}`;
    nginx = await startStackNginx({ upstreams: { grafana: addr, prometheus: addr, alertmanager: addr } });
  });
  after(async () => {
    await nginx?.stop();
    await new Promise((r) => upstream?.close(r));
  });

  const get = (path: string, extra: Parameters<typeof httpsRequest>[2] extends infer O ? Partial<O> : never = {}) =>
    httpsRequest(nginx.port, path, { ca: nginx.caCert, auth: `${nginx.user}:${nginx.password}`, ...extra });

  test('nginx -t accepts the committed file with the service names mapped to loopback, and the custom one', async () => {
    for (const config of [DEFAULT_STACK_CONFIG, CUSTOM]) {
      const dir = mkdtempSync(join(root, 'nginx-t-'));
      const addr = `127.0.0.1:${upstreamPort}`;
      await writeStackNginx(dir, await freePort(), {
        config,
        upstreams: { grafana: addr, prometheus: addr, alertmanager: addr },
      });
      const r = nginxTest(dir);
      assert.equal(r.code, 0, r.output);
      // The test copy differs from the committed file only in the runtime lines.
      const committed = renderNginxConf(config, COMPOSE_NGINX_RUNTIME).split('\n');
      const copy = readFileSync(join(dir, 'nginx.conf'), 'utf8')
        .split('\n')
        .filter((l) => !/_temp_path /.test(l));
      assert.equal(copy.length, committed.length);
      const differing = copy.filter((l, i) => l !== committed[i]);
      for (const l of differing)
        assert.match(l, /^\s*(listen|pid|error_log|access_log|proxy_pass) /, `unexpected difference: ${l}`);
    }
  });

  test('with the proxy login: /grafana/ keeps its path, /prometheus/ and /alertmanager/ are stripped', async () => {
    const g = await get('/grafana/api/health');
    assert.equal(g.status, 200, g.body);
    const gb = JSON.parse(g.body);
    assert.equal(gb.url, '/grafana/api/health');
    assert.equal(gb.headers.authorization, undefined, 'the proxy login must not reach Grafana');
    assert.equal(gb.headers['x-forwarded-proto'], 'https');
    assert.equal(gb.headers.host, `127.0.0.1:${nginx.port}`, 'Host keeps the port (Grafana compares it with Origin)');
    const p = await get('/prometheus/api/v1/query?query=up');
    assert.equal(JSON.parse(p.body).url, '/api/v1/query?query=up');
    const reload = await get('/prometheus/-/reload', { method: 'POST' });
    assert.equal(reload.status, 200);
    assert.deepEqual([JSON.parse(reload.body).method, JSON.parse(reload.body).url], ['POST', '/-/reload']);
    const a = await get('/alertmanager/api/v2/status');
    assert.equal(JSON.parse(a.body).url, '/api/v2/status');
    assert.match(String(g.headers['strict-transport-security']), /max-age=/);
  });

  test('no login or a wrong one gets 401; /prometheus/-/quit and unknown paths are refused', async () => {
    assert.equal((await get('/grafana/', { auth: undefined })).status, 401);
    assert.equal((await get('/grafana/', { auth: `${nginx.user}:wrong` })).status, 401);
    assert.equal((await get('/prometheus/', { auth: `someone:${nginx.password}` })).status, 401);
    assert.equal((await get('/prometheus/-/quit', { method: 'POST' })).status, 403);
    // The admin API (TSDB snapshots for backups) answers inside the stack network only, whatever the spelling.
    for (const path of [
      '/prometheus/api/v1/admin/tsdb/snapshot',
      '/prometheus/api/v1//admin/tsdb/snapshot',
      '/prometheus/api/v1/%61dmin/tsdb/delete_series',
      '/prometheus/api/v1/query/../admin/tsdb/clean_tombstones',
    ])
      assert.equal((await get(path, { method: 'POST' })).status, 403, path);
    assert.equal((await get('/elsewhere')).status, 404);
    const root = await get('/', { auth: undefined });
    assert.equal(root.status, 302);
    assert.equal(
      root.headers.location,
      '/grafana/',
      'relative: the published port may differ from the one nginx listens on',
    );
    const bare = await get('/prometheus');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.location, '/prometheus/');
  });

  test('an address outside proxy.allow gets 403 whatever it sends (127.0.0.2 is not in the default list)', async () => {
    for (const path of ['/grafana/', '/prometheus/-/reload', '/', '/healthz']) {
      const r = await get(path, { localAddress: '127.0.0.2' });
      assert.equal(r.status, 403, path);
    }
  });

  test('plain HTTP on the TLS port gets 400, and there is no other listener', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(nginx.port, '127.0.0.1', () => s.end('GET /grafana/ HTTP/1.0\r\nHost: localhost\r\n\r\n'));
      let data = '';
      s.on('data', (d) => {
        data += d;
      });
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400 /);
    const conf = readFileSync(join(nginx.dir, 'nginx.conf'), 'utf8');
    assert.deepEqual(
      conf.match(/^\s*listen .*$/gm)?.map((l) => l.trim()),
      [`listen 127.0.0.1:${nginx.port} ssl;`],
    );
  });
});

describe('docker-compose.monitoring.yml', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const schema = JSON.parse(readFileSync(join(here, '../fixtures/compose-spec/compose-spec.json'), 'utf8')) as Schema;
  const validator = new SchemaValidator(schema);
  const files = renderCommittedFiles(DEFAULT_STACK_CONFIG);
  const composeText = files.find((f) => f.id === 'compose')?.data ?? '';
  const compose = parse(composeText) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const services = Object.entries(compose.services);

  test('is valid against the Compose Specification schema (defaults and a custom redoubt.yml)', () => {
    assert.deepEqual(validator.validate(compose), []);
    const custom = parse(renderCommittedFiles(CUSTOM).find((f) => f.id === 'compose')?.data ?? '');
    assert.deepEqual(validator.validate(custom), []);
  });

  test('the schema validator is not vacuous: it rejects what Compose rejects', () => {
    const broken = structuredClone(compose);
    broken.services.nginx.imagee = 'typo';
    broken.services.prometheus.restart = 5;
    broken.services.grafana.healthcheck = { test: 7 };
    (broken as Record<string, unknown>).volumes = [];
    const paths = validator.validate(broken).map((e) => e.path);
    for (const p of [
      '/services/nginx/imagee',
      '/services/prometheus/restart',
      '/services/grafana/healthcheck/test',
      '/volumes',
    ])
      assert.ok(paths.includes(p), `${p} not reported: ${paths.join(', ')}`);
  });

  test('has the five services, every image pinned to a release (no latest), the exporter built here', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'alertmanager',
      'grafana',
      'nginx',
      'prometheus',
      'redis-exporter',
    ]);
    for (const [name, s] of services) {
      const image = String(s.image);
      const tag = image.slice(image.lastIndexOf(':') + 1);
      assert.ok(image.includes(':') && !image.includes('latest'), `${name}: ${image}`);
      assert.match(tag, /^v?\d+\.\d+\.\d+(-[a-z0-9.]+)?$/, `${name}: ${image} is not a pinned release`);
    }
    assert.deepEqual(
      Object.values(IMAGES).sort(),
      services
        .filter(([, s]) => !s.build)
        .map(([, s]) => s.image)
        .sort(),
    );
    const exporter = compose.services['redis-exporter'];
    assert.deepEqual(exporter.build, { context: '.', dockerfile: 'Dockerfile' });

    // The exporter's own image is only as pinned as the base image its Dockerfile starts FROM.
    const dockerfile = files.find((f) => f.id === 'dockerfile')?.data ?? '';
    const from = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(from.length > 0, 'the Dockerfile has a FROM line');
    for (const image of from) {
      const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
      assert.ok(tag && !tag.includes('latest'), `Dockerfile FROM ${image}: no tag or latest`);
      assert.match(tag, /^v?\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/, `Dockerfile FROM ${image} is not a pinned release`);
    }
  });

  test('healthchecks and restart policies everywhere; only nginx publishes ports; named volumes', () => {
    for (const [name, s] of services) {
      const hc = s.healthcheck as { test: string[] } | undefined;
      assert.ok(hc && Array.isArray(hc.test) && hc.test[0] === 'CMD' && hc.test.length > 2, `${name} healthcheck`);
      assert.equal(s.restart, 'unless-stopped', name);
      if (name !== 'nginx') assert.equal(s.ports, undefined, `${name} must not publish ports`);
    }
    assert.deepEqual(compose.services.nginx.ports, ['443:443']);
    assert.match(composeText, /^ {6}- "443:443"$/m, 'ports are quoted (YAML 1.1 reads 443:443 as a number)');
    for (const v of ['prometheus_data', 'grafana_data']) assert.ok(v in compose.volumes, v);
    assert.ok((compose.services.prometheus.volumes as string[]).includes('prometheus_data:/prometheus'));
    assert.ok((compose.services.grafana.volumes as string[]).includes('grafana_data:/var/lib/grafana'));
    const named = new Set(Object.keys(compose.volumes));
    for (const [name, s] of services)
      for (const v of (s.volumes as string[] | undefined) ?? []) {
        const source = v.split(':')[0];
        assert.ok(source.startsWith('./') || named.has(source), `${name}: volume ${v} is neither a bind nor declared`);
      }
  });

  test('bind mounts point at generated directories', () => {
    const dirs = new Set(files.map((f) => dirname(f.path)));
    for (const [name, s] of services)
      for (const v of (s.volumes as string[] | undefined) ?? []) {
        const source = v.split(':')[0];
        if (!source.startsWith('./')) continue;
        const rel = source.slice(2);
        assert.ok(
          [...dirs].some((d) => d === rel || d.startsWith(`${rel}/`)),
          `${name}: ${source} is not a generated directory`,
        );
      }
  });

  test('Prometheus runs with --web.enable-lifecycle and its public URL; Grafana has no default login', () => {
    const cmd = compose.services.prometheus.command as string[];
    assert.ok(cmd.includes('--web.enable-lifecycle'));
    assert.ok(cmd.includes('--web.external-url=https://localhost/prometheus/'));
    assert.ok(cmd.includes('--web.route-prefix=/'));
    const env = compose.services.grafana.environment as Record<string, string>;
    assert.match(env.GF_SECURITY_ADMIN_USER, /^\$\{GRAFANA_ADMIN_USER:\?.+\}$/);
    assert.match(env.GF_SECURITY_ADMIN_PASSWORD, /^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/);
    assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'false');
    assert.equal(env.GF_USERS_ALLOW_SIGN_UP, 'false');
    assert.equal(env.GF_SERVER_ROOT_URL, 'https://localhost/grafana/');
    assert.equal(env.GF_SERVER_SERVE_FROM_SUB_PATH, 'true');
    const exporter = compose.services['redis-exporter'].environment as Record<string, string>;
    assert.equal(exporter.REDIS_USER, 'exporter');
    assert.match(exporter.REDIS_PASSWORD, /^\$\{REDIS_EXPORTER_PASSWORD:\?.+\}$/);
  });

  test('no literal secrets: secret-looking settings are required references to variables of .env.example', () => {
    const declared = new Set(STACK_ENV.map((v) => v.name));
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries((s.environment as Record<string, string> | undefined) ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|_KEY\b/.test(key))
          assert.match(value, /^\$\{[A-Z_]+:\?[^}]+\}$/, `${name}.${key} must come from .env`);
      }
    }
    const referenced = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    assert.ok(referenced.length >= 3);
    for (const v of referenced) assert.ok(declared.has(v), `${v} is not in .env.example`);
    assert.doesNotMatch(composeText, /[A-Za-z0-9]{32,}/, 'nothing that looks like a generated password');
    assert.doesNotMatch(
      composeText,
      /\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=+]/,
      'no variable has a default or alternative value',
    );
  });
});

describe('the exporter as the compose file runs it, against Redis with the generated redis-secure.conf and users.acl', () => {
  test('logs in as the exporter user and scrapes only the configured targets', async () => {
    const port = await freePort();
    const dir = join(root, 'wired');
    const cfg = join(root, 'wired.yml');
    writeFileSync(cfg, `redis: { targets: ["redis://127.0.0.1:${port}"] }\n`);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const code = await main(['stack', '--out', dir, '--config', cfg], {
      stdout: out,
      stderr: out,
      env: {},
      stopSignal: new Promise(() => {}),
    });
    assert.equal(code, 0, text);

    // redis-secure.conf as written, with the test's port, data directory, log and ACL file.
    const replaced = new Set(['port', 'dir', 'logfile', 'aclfile']);
    const conf = readFileSync(join(dir, STACK_LAYOUT.redisConf.path), 'utf8')
      .split('\n')
      .filter((l) => !replaced.has(l.split(' ')[0]));
    const data = join(dir, 'data');
    mkdirSync(data);
    const redis = await startRedis({
      port,
      config: [
        ...conf,
        `port ${port}`,
        `dir ${data}`,
        'logfile ""',
        `aclfile ${join(dir, STACK_LAYOUT.usersAcl.path)}`,
      ],
    });
    const env = parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'));
    const service = parse(readFileSync(join(dir, STACK_LAYOUT.compose.path), 'utf8')).services['redis-exporter'];
    // Compose's interpolation of ${VAR:?message} from .env.
    const exporterEnv = Object.fromEntries(
      Object.entries(service.environment as Record<string, string>).map(([k, v]) => [
        k,
        v.replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_m, name: string) => {
          assert.ok(env[name], `${name} missing from .env`);
          return env[name];
        }),
      ]),
    );
    assert.equal(exporterEnv.REDIS_USER, 'exporter');
    const exporter = await startExporter([], exporterEnv);
    try {
      const scrape = await httpGet(`${exporter.url}/scrape?target=${encodeURIComponent(`redis://127.0.0.1:${port}`)}`);
      assert.equal(scrape.status, 200);
      assert.match(scrape.body, /^redis_up 1$/m, exporter.logs());
      assert.match(scrape.body, /^redis_connected_clients \d+$/m);
      const admin = { host: '127.0.0.1', port, username: 'admin', password: env.REDIS_ADMIN_PASSWORD };
      // The exporter's background security audit probes commands the minimal exporter user may not run (once per
      // connection); the login itself and the scrape's own commands must never be refused.
      const log = (await respCommand(admin, 'ACL', 'LOG')) as string[][];
      const entries = log.map((e) => Object.fromEntries(e.flatMap((v, i) => (i % 2 ? [] : [[v, e[i + 1]]]))));
      assert.deepEqual(
        entries.filter((e) => e.reason === 'auth'),
        [],
        'the exporter user logged in',
      );
      const scrapeCommands = /^(info|config\|get|slowlog\|(get|len)|latency\|latest|ping|client\|setname)$/;
      assert.deepEqual(
        entries.filter((e) => scrapeCommands.test(String(e.object))).map((e) => e.object),
        [],
      );
      const outside = await httpGet(`${exporter.url}/scrape?target=${encodeURIComponent(`redis://127.0.0.2:${port}`)}`);
      assert.equal(outside.status, 403, 'targets outside REDOUBT_SCRAPE_ALLOWED_TARGETS are refused');
    } finally {
      await exporter.stop();
      await redis.stop();
    }
  });
});

describe('rediss:// targets: the exporter gets the CA and client certificate', () => {
  test('mounted read-only, named by the variables the exporter reads', () => {
    const compose = parse(renderCommittedFiles(CUSTOM).find((f) => f.id === 'compose')?.data ?? '');
    const ex = compose.services['redis-exporter'];
    assert.deepEqual(ex.volumes, [
      './tls/ca.crt:/etc/redoubt/tls/ca.crt:ro',
      './tls/client.crt:/etc/redoubt/tls/client.crt:ro',
      '/etc/redis/tls/client.key:/etc/redoubt/tls/client.key:ro',
    ]);
    assert.equal(ex.environment.REDIS_EXPORTER_TLS_CA_CERT_FILE, '/etc/redoubt/tls/ca.crt');
    assert.equal(ex.environment.REDIS_EXPORTER_TLS_CLIENT_CERT_FILE, '/etc/redoubt/tls/client.crt');
    assert.equal(ex.environment.REDIS_EXPORTER_TLS_CLIENT_KEY_FILE, '/etc/redoubt/tls/client.key');
    const plain = parse(renderCommittedFiles(DEFAULT_STACK_CONFIG).find((f) => f.id === 'compose')?.data ?? '');
    assert.equal(plain.services['redis-exporter'].volumes, undefined);
  });
});
