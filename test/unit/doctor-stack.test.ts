import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_STACK_CONFIG } from '../../src/config/redoubt-yml.ts';
import { diagnoseAlertmanager } from '../../src/doctor/alertmanager-health.ts';
import { diagnoseEnvAddress, diagnoseEnvPassword, envPasswordFor } from '../../src/doctor/env-file.ts';
import { diagnoseExporterScrape } from '../../src/doctor/exporter-scrape.ts';
import { samplesOf } from '../../src/doctor/exposition-values.ts';
import type { Finding } from '../../src/doctor/finding.ts';
import { displayUrl, type HttpAnswer, parseHttpAddress } from '../../src/doctor/http-probe.ts';
import { diagnoseManagedLimits } from '../../src/doctor/managed-limits.ts';
import { planDoctor } from '../../src/doctor/plan.ts';
import { diagnoseRules, diagnoseTargets } from '../../src/doctor/prometheus-health.ts';
import { renderJson, renderText } from '../../src/doctor/report.ts';
import type { ServerFacts } from '../../src/doctor/server-facts.ts';

const ok = (body: unknown, status = 200): HttpAnswer => ({
  ok: true,
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  truncated: false,
});

describe('doctor: the exporter', () => {
  test('samplesOf reads escaped label values and skips other families', () => {
    const body =
      '# HELP redis_up x\nredis_up 0\nredis_exporter_last_scrape_error{err="dial tcp: \\"x\\" refused\\n"} 1\nredis_other 5\n';
    const s = samplesOf(body, new Set(['redis_up', 'redis_exporter_last_scrape_error']));
    assert.equal(s.length, 2);
    assert.equal(s[1].labels.err, 'dial tcp: "x" refused\n');
  });

  test('redis_up 0 with the error and a fix from its words; control characters neutralised', () => {
    const [f] = diagnoseExporterScrape(
      'e',
      ok('redis_up 0\nredis_exporter_last_scrape_error{err="WRONGPASS invalid username-password pair\\u001b"} 1\n'),
    );
    assert.equal(f.status, 'fail');
    assert.match(f.fix ?? '', /REDIS_EXPORTER_PASSWORD/);
    const [n] = diagnoseExporterScrape(
      'e',
      ok(
        'redis_up 0\nredis_exporter_last_scrape_error{err="NOPERM this user has no permissions to run the \'info\' command"} 1\n',
      ),
    );
    assert.match(n.fix ?? '', /ACL SETUSER/);
  });

  test('up, up with a past error, no redis_up (multi-target), unreachable, 401', () => {
    assert.equal(
      diagnoseExporterScrape('e', ok('redis_up 1\nredis_exporter_last_scrape_error{err=""} 0\n'))[0].status,
      'ok',
    );
    assert.equal(
      diagnoseExporterScrape('e', ok('redis_up 1\nredis_exporter_last_scrape_error{err="i/o timeout"} 1\n'))[0].status,
      'warn',
    );
    assert.equal(diagnoseExporterScrape('e', ok('go_goroutines 5\n'))[0].status, 'info');
    assert.match(
      diagnoseExporterScrape('e', { ok: false, code: 'ECONNREFUSED', message: 'x' })[0].summary,
      /connection refused/,
    );
    assert.match(diagnoseExporterScrape('e', ok('', 401))[0].fix ?? '', /http:\/\/user:password@host/);
  });
});

describe('doctor: the exporter, the path a refusal names', () => {
  test('a 404 on /scrape names /scrape, not /metrics, and says what serves it', () => {
    const [f] = diagnoseExporterScrape('e', ok('404 page not found\n', 404), '/scrape?target=redis%3A%2F%2Fh%3A1');
    assert.equal(f.status, 'fail');
    assert.equal(f.summary, 'GET /scrape?target=redis%3A%2F%2Fh%3A1 answered HTTP 404');
    assert.match(f.fix ?? '', /does not serve \/scrape/);
    assert.equal(diagnoseExporterScrape('e', ok('', 500))[0].summary, 'GET /metrics answered HTTP 500');
  });
});

describe('doctor: Prometheus', () => {
  test('targets: down ones named with their error; none; all up; not scraped yet', () => {
    const down = diagnoseTargets(
      'p',
      ok({
        data: {
          activeTargets: [
            {
              labels: { job: 'redis', instance: 'r:9121' },
              health: 'down',
              lastError: 'Get "http://r:9121/metrics": dial tcp: lookup r: no such host',
            },
            { health: 'up' },
          ],
        },
      }),
    );
    assert.equal(down.length, 1);
    assert.match(down[0].summary, /target redis\/r:9121 is down/);
    assert.match(down[0].fix ?? '', /does not resolve/);
    const secret = diagnoseTargets(
      'p',
      ok({
        data: {
          activeTargets: [
            {
              labels: { job: 'r', instance: 'redis://:Pw-1@h:6379' },
              health: 'down',
              lastError: 'dial redis://u:Pw-2@h:6379: refused',
            },
          ],
        },
      }),
    );
    assert.ok(!/Pw-1|Pw-2/.test(secret[0].summary), secret[0].summary);
    assert.equal(diagnoseTargets('p', ok({ data: { activeTargets: [] } }))[0].status, 'warn');
    assert.equal(diagnoseTargets('p', ok({ data: { activeTargets: [{ health: 'up' }] } }))[0].status, 'ok');
    assert.equal(diagnoseTargets('p', ok({ data: { activeTargets: [{ health: 'unknown' }] } }))[0].status, 'info');
    assert.equal(diagnoseTargets('p', ok('not json'))[0].status, 'fail');
  });

  test('rules: none loaded is a warning; a failing rule is named', () => {
    assert.equal(diagnoseRules('p', ok({ data: { groups: [] } }))[0].status, 'warn');
    const r = diagnoseRules(
      'p',
      ok({
        data: {
          groups: [
            {
              rules: [
                { name: 'A', type: 'alerting', health: 'ok' },
                { name: 'B', type: 'recording', health: 'err', lastError: 'bad' },
              ],
            },
          ],
        },
      }),
    );
    assert.deepEqual(
      r.map((f) => f.status),
      ['warn', 'fail'],
    );
    assert.match(r[1].summary, /rule B fails to evaluate: bad/);
  });
});

describe('doctor: Alertmanager', () => {
  test('healthy with status; a placeholder receiver; unreachable', () => {
    const status = ok({
      versionInfo: { version: '0.25.0' },
      cluster: { status: 'disabled' },
      config: { original: 'url: http://alert-receiver.invalid/alerts\n' },
    });
    const f = diagnoseAlertmanager('a', ok('OK'), status);
    assert.deepEqual(
      f.map((x) => x.status),
      ['ok', 'warn'],
    );
    assert.equal(
      diagnoseAlertmanager('a', { ok: false, code: 'ECONNREFUSED', message: '' }, undefined)[0].status,
      'fail',
    );
  });
});

describe('doctor: .env', () => {
  test("envPasswordFor: redoubt's users read REDIS_<USER>_PASSWORD, others REDIS_PASSWORD", () => {
    const env = { REDIS_EXPORTER_PASSWORD: 'a', REDIS_PASSWORD: 'b' };
    assert.deepEqual(envPasswordFor(env, 'exporter'), { variable: 'REDIS_EXPORTER_PASSWORD', value: 'a' });
    assert.deepEqual(envPasswordFor(env, 'default'), { variable: 'REDIS_PASSWORD', value: 'b' });
    assert.equal(envPasswordFor({}, 'default'), undefined);
  });

  test('diagnoseEnvPassword: out of step, stale given one, both fine', () => {
    const good = { ok: true, user: 'u', origin: 'flag' as const };
    const bad = {
      ok: false,
      kind: 'wrong_password',
      user: 'u',
      origin: '.env' as const,
      envVariable: 'REDIS_PASSWORD',
    };
    assert.equal(diagnoseEnvPassword('t', good, bad, '.env').status, 'fail');
    assert.equal(
      diagnoseEnvPassword('t', { ...bad, origin: 'flag' }, { ...good, origin: '.env' }, '.env').status,
      'warn',
    );
    assert.equal(diagnoseEnvPassword('t', good, { ...good, origin: '.env' }, '.env').status, 'ok');
  });

  test("REDIS_ADDR against redoubt.yml's targets (credentials in it are not printed)", () => {
    assert.equal(
      diagnoseEnvAddress('.env', { REDIS_ADDR: 'redis://10.0.0.1:6379' }, ['redis://10.0.0.1:6379'])?.status,
      'ok',
    );
    const off = diagnoseEnvAddress('.env', { REDIS_ADDR: 'redis://u:Secret-9@10.0.0.2:6379' }, [
      'redis://10.0.0.1:6379',
    ]);
    assert.equal(off?.status, 'warn');
    assert.ok(!off?.summary.includes('Secret-9'));
    assert.equal(diagnoseEnvAddress('.env', {}, ['redis://10.0.0.1:6379']), undefined);
  });
});

describe('doctor: the plan', () => {
  const base = { redis: [], stepMs: 1000, sample: { maxKeys: 10, ms: 1000 } };

  test('nothing named: REDIS_ADDR from .env, else localhost', () => {
    assert.equal(planDoctor(base).redis[0].target.display, 'redis://localhost:6379');
    const p = planDoctor({
      ...base,
      env: { file: '.env', values: { REDIS_ADDR: 'redis://db:6380', REDIS_PASSWORD: 'pw' } },
    });
    assert.equal(p.redis[0].target.display, 'redis://db:6380');
    assert.equal(p.redis[0].origin, '.env');
    assert.equal(p.redis[0].target.password, 'pw');
  });

  test("credentials: the URL's, then the flag's, then .env's; redoubt.yml's targets log in as the stack's exporter", () => {
    const env = { file: '.env', values: { REDIS_EXPORTER_PASSWORD: 'e', REDIS_PASSWORD: 'd' } };
    const p = planDoctor({ ...base, redis: ['redis://:u@h:1'], password: 'f', env });
    assert.equal(p.redis[0].origin, 'url');
    assert.equal(p.redis[0].env?.variable, 'REDIS_PASSWORD');
    assert.equal(planDoctor({ ...base, redis: ['redis://h:1'], password: 'f' }).redis[0].origin, 'flag');
    const config = structuredClone(DEFAULT_STACK_CONFIG);
    config.redis.targets = ['redis://10.0.0.1:6379'];
    const stack = planDoctor({ ...base, env, config: { config, hasUpSection: false } });
    assert.equal(stack.redis[0].target.username, 'exporter');
    assert.equal(stack.redis[0].target.password, 'e');
    assert.equal(stack.up, undefined);
    assert.equal(planDoctor({ ...base, config: { config, hasUpSection: true } }).up?.host, '127.0.0.1:9122');
  });

  test('component addresses: host:port or URLs; credentials never displayed', () => {
    const u = parseHttpAddress('http://admin:Pw-7@prom:9090/prometheus');
    assert.equal(displayUrl(u), 'http://prom:9090/prometheus');
    assert.equal(parseHttpAddress('127.0.0.1:9093').href, 'http://127.0.0.1:9093/');
    assert.throws(() => parseHttpAddress('ftp://x'), TypeError);
  });
});

describe('doctor: the report', () => {
  const findings: Finding[] = [
    { subject: 'redis://h:1', check: 'tcp', status: 'ok', summary: 'fine' },
    {
      subject: 'redis://h:1',
      check: 'login',
      status: 'fail',
      summary: 'evil \x1b]0;title\x07 text\u202e',
      fix: 'do \x1b[2J this',
    },
    { subject: 'prometheus http://p', check: 'targets', status: 'warn', summary: 'none', fix: 'add' },
  ];

  test('text: grouped by subject, fixes under failures, control characters escaped, counts', () => {
    const t = renderText(findings);
    for (const c of ['\x1b', '\x07', '\u202e']) assert.ok(!t.includes(c));
    assert.match(t, /FAIL {4}login +evil \\x1b\]0;title\\x07 text\\u202e/);
    assert.match(t, /fix: do \\x1b\[2J this/);
    assert.match(t, /1 ok, 1 warning, 1 failure/);
    assert.equal(t.split('\n').filter((l) => l === 'redis://h:1').length, 1);
  });

  test('json: the findings as they are, controls escaped', () => {
    const j = renderJson(findings);
    assert.ok(!j.includes('\u202e'));
    const parsed = JSON.parse(j);
    assert.equal(parsed.findings[1].summary, findings[1].summary);
    assert.deepEqual(parsed.counts, { ok: 1, info: 0, advice: 0, warn: 1, fail: 1 });
  });
});

describe('doctor: what a managed service or an ACL blocks', () => {
  const facts = (over: Partial<ServerFacts>): ServerFacts => ({
    user: 'app',
    info: new Map(),
    config: new Map(),
    denied: new Map(),
    unknown: new Set(),
    dryRun: new Map(),
    ...over,
  });

  test('nothing blocked: one ok', () => {
    const f = diagnoseManagedLimits(
      't',
      facts({
        dryRun: new Map([
          ['psync', 'OK'],
          ['acl|list', 'OK'],
        ]),
      }),
    );
    assert.deepEqual(
      f.map((x) => x.status),
      ['ok'],
    );
  });

  test('CONFIG, PSYNC and ACL hidden (a managed service): each with its cost', () => {
    const f = diagnoseManagedLimits('t', facts({ unknown: new Set(['config', 'psync', 'acl']) }));
    assert.equal(f.length, 3);
    assert.match(f[0].summary, /CONFIG .*redis_config_\*/);
    assert.match(f[1].summary, /PSYNC .*logical copy/);
    assert.match(f[2].summary, /ACL .*rotate/);
  });

  test('PSYNC and ACL refused by the ACL (ACL DRYRUN): notes naming the user to use instead', () => {
    const f = diagnoseManagedLimits(
      't',
      facts({
        dryRun: new Map([
          ['psync', "This user has no permissions to run the 'psync' command"],
          ['acl|list', "This user has no permissions to run the 'acl|list' command"],
        ]),
      }),
    );
    assert.deepEqual(
      f.map((x) => x.status),
      ['info', 'info'],
    );
    assert.match(f[0].fix ?? '', /"backup" user/);
    assert.match(f[1].fix ?? '', /"auditor"/);
    // DRYRUN itself refused: nothing known, nothing said.
    const unknown = diagnoseManagedLimits(
      't',
      facts({ dryRun: new Map([['psync', "NOPERM … 'acl|dryrun' command"]]) }),
    );
    assert.deepEqual(
      unknown.map((x) => x.status),
      ['ok'],
    );
  });
});
