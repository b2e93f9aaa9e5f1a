import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Finding } from '../../src/doctor/finding.ts';
import { startPeerExporter } from '../support/peer-exporter.ts';
import { freePort } from '../support/ports.ts';
import { type Daemon, startAlertmanager, startPrometheus, waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runMain, startExporter } from '../support/redoubt.ts';
import { startUp } from '../support/redoubt-up.ts';

const stops: Array<() => Promise<unknown>> = [];
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'redoubt-doctor-stack-'));
});
after(async () => {
  for (const stop of stops.reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function doctor(args: string[]) {
  const r = await runMain(['doctor', '--format', 'json', '--step-timeout', '10s', ...args]);
  assert.notEqual(r.code, 2, r.stderr);
  return { ...r, findings: JSON.parse(r.stdout).findings as Finding[] };
}

function only(findings: Finding[], check: string): Finding[] {
  const found = findings.filter((x) => x.check === check);
  assert.ok(found.length > 0, `no "${check}" finding in ${JSON.stringify(findings, null, 1)}`);
  return found;
}

describe('redoubt doctor: the exporter, Prometheus, Alertmanager and redoubt up', () => {
  test('redis_exporter 1.45 pointed at a dead Redis: redis_up 0, its error, and the fix', async () => {
    const dead = await freePort();
    const peer = await startPeerExporter({ redisAddr: `redis://127.0.0.1:${dead}` });
    stops.push(() => peer.stop());
    const r = await doctor(['--exporter', peer.url]);
    const [e] = only(r.findings, 'exporter');
    assert.equal(e.status, 'fail');
    // 1.45 retries a failed redis:// dial as Dial("redis", …), whose error is the one it reports.
    assert.match(e.summary, /redis_up 0, last scrape error: dial redis: unknown network redis/);
    assert.match(e.fix ?? '', /could not connect to REDIS_ADDR .*redoubt doctor --redis/);
    assert.equal(r.code, 1);
    const plain = await startPeerExporter({ redisAddr: `127.0.0.1:${dead}` });
    stops.push(() => plain.stop());
    const [e2] = only((await doctor(['--exporter', plain.url])).findings, 'exporter');
    assert.match(e2.summary, /redis_up 0, last scrape error: .*refused/);
    assert.match(e2.fix ?? '', /nothing listens at REDIS_ADDR/);
  });

  test('redoubt exporter pointed at a dead Redis: the same diagnosis', async () => {
    const dead = await freePort();
    const ex = await startExporter(['--redis.addr', `redis://127.0.0.1:${dead}`]);
    stops.push(() => ex.stop());
    const r = await doctor(['--exporter', ex.url]);
    const [e] = only(r.findings, 'exporter');
    assert.equal(e.status, 'fail');
    assert.match(e.summary, /redis_up 0/);
    assert.match(e.fix ?? '', /nothing listens at REDIS_ADDR/);
  });

  test("the stack's exporter (no target of its own): each target is scraped through /scrape", async () => {
    const s: RedisServer = await startRedis({ password: 'Exp-Secret-3' });
    stops.push(() => s.stop());
    const ex = await startExporter(['--redis.addr', '', '--scrape.allowed-targets', `127.0.0.1:${s.port}`], {
      REDIS_PASSWORD: 'Wrong-Secret-4',
    });
    stops.push(() => ex.stop());
    const r = await doctor([
      '--exporter',
      ex.url,
      '--redis',
      `redis://:Exp-Secret-3@127.0.0.1:${s.port}`,
      '--sample-keys',
      '0',
    ]);
    const [e] = only(r.findings, 'exporter');
    assert.match(e.subject, new RegExp(`/scrape\\?target=redis://127\\.0\\.0\\.1:${s.port}$`));
    assert.equal(e.status, 'fail');
    assert.match(e.summary, /WRONGPASS/);
    assert.match(e.fix ?? '', /password is refused/);
    assert.ok(!r.stdout.includes('Exp-Secret-3') && !r.stdout.includes('Wrong-Secret-4'));
  });

  test('an exporter scraping a live Redis: ok', async () => {
    const s: RedisServer = await startRedis();
    stops.push(() => s.stop());
    const peer = await startPeerExporter({ redisAddr: s.url });
    stops.push(() => peer.stop());
    const r = await doctor(['--exporter', peer.url, '--redis', s.url, '--sample-keys', '0']);
    assert.equal(only(r.findings, 'exporter')[0].status, 'ok');
  });

  test('a real Prometheus with a target down, its rules loaded, and no Alertmanager to send to', async () => {
    const dead = await freePort();
    const rules = join(dir, 'rules.yml');
    writeFileSync(
      rules,
      'groups:\n- name: redis\n  rules:\n  - alert: RedisDown\n    expr: redis_up == 0\n    for: 1m\n',
    );
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\nrule_files: ["${rules}"]\nscrape_configs:\n- job_name: redis\n  static_configs:\n  - targets: ["127.0.0.1:${dead}"]\n`,
    );
    const prom: Daemon = await startPrometheus([`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`]);
    stops.push(() => prom.stop());
    const r = await waitFor('the target to be scraped once', async () => {
      const d = await doctor(['--prometheus', prom.url]);
      const t = d.findings.find((f) => f.check === 'targets');
      return t?.status === 'fail' ? d : undefined;
    });
    const [t] = only(r.findings, 'targets');
    assert.match(t.summary, new RegExp(`target redis/127\\.0\\.0\\.1:${dead} is down: .*refused`));
    assert.match(t.fix ?? '', /nothing listens at the scrape address/);
    const [rulesFinding] = only(r.findings, 'rules');
    assert.equal(rulesFinding.status, 'ok');
    assert.match(rulesFinding.summary, /1 rule group, 1 rules \(1 alerting\) loaded/);
    assert.equal(only(r.findings, 'alert-delivery')[0].status, 'warn');
  });

  test('a real Alertmanager: healthy, and its placeholder receiver reported; nothing at the address: refused', async () => {
    const config = join(dir, 'alertmanager.yml');
    writeFileSync(
      config,
      'route:\n  receiver: hook\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: http://alert-receiver.invalid/alerts\n',
    );
    const am = await startAlertmanager([
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'am')}`,
      '--cluster.listen-address=',
    ]);
    stops.push(() => am.stop());
    const r = await doctor(['--alertmanager', am.url]);
    const [a] = only(r.findings, 'alertmanager');
    assert.equal(a.status, 'ok');
    assert.match(a.summary, /Alertmanager 0\.\d+\.\d+ is healthy/);
    assert.equal(only(r.findings, 'alert-delivery')[0].status, 'warn');

    const nothing = await freePort();
    const r2 = await doctor(['--alertmanager', `http://127.0.0.1:${nothing}`]);
    const [gone] = only(r2.findings, 'alertmanager');
    assert.equal(gone.status, 'fail');
    assert.match(gone.summary, /connection refused/);
    assert.equal(r2.code, 1);
  });

  test('redoubt up: healthy, with its targets', async () => {
    const s = await startRedis();
    stops.push(() => s.stop());
    const up = await startUp(['--redis', s.url, '--data-dir', join(dir, 'up'), '--scrape-interval', '1s']);
    stops.push(() => up.stop());
    const r = await waitFor('up to scrape its target', async () => {
      const d = await doctor(['--up', up.url]);
      return d.findings.some((f) => f.check === 'targets' && f.status === 'ok') ? d : undefined;
    });
    assert.equal(only(r.findings, 'up')[0].status, 'ok');
    assert.equal(r.code, 0);
  });
  test('redoubt up given as --exporter: named as such, and no 404 blamed on /metrics', async () => {
    const s = await startRedis();
    stops.push(() => s.stop());
    const up = await startUp(['--redis', s.url, '--data-dir', join(dir, 'up-as-exporter')]);
    stops.push(() => up.stop());
    const r = await doctor(['--exporter', up.url, '--redis', s.url]);
    const exporter = only(r.findings, 'exporter');
    assert.equal(exporter.length, 1, JSON.stringify(exporter));
    assert.equal(exporter[0].status, 'fail');
    assert.match(exporter[0].summary, /this looks like redoubt up, not an exporter/);
    assert.match(exporter[0].fix ?? '', /redoubt doctor --up/);
    assert.doesNotMatch(JSON.stringify(r.findings), /GET \/metrics answered HTTP 404/);
    assert.equal(r.code, 1);
  });
});
