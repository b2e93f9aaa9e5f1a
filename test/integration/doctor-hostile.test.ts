import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import type { Finding } from '../../src/doctor/finding.ts';
import { type FakeListener, startFakeListener } from '../support/fake-listener.ts';
import { type HostileServer, startHostileServer } from '../support/hostile-resp.ts';
import { runMain } from '../support/redoubt.ts';

const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function doctor(args: string[]) {
  const r = await runMain(['doctor', '--step-timeout', '3s', ...args]);
  return r;
}

describe('redoubt doctor against hostile servers: bounded, and nothing they send reaches the terminal raw', () => {
  test('a "Redis" whose every reply carries terminal escapes: shown escaped', async () => {
    const evil = '-ERR \x1b]0;owned\x07\x1b[2J\u202e gotcha\r\n';
    const h: HostileServer = await startHostileServer((s) => {
      s.write(evil);
      s.on('data', () => s.write(evil));
    });
    closers.push(() => h.close());
    const r = await doctor(['--redis', `redis://127.0.0.1:${h.port}`]);
    assert.equal(r.code, 1);
    for (const c of ['\x1b', '\x07', '\u202e']) assert.ok(!r.stdout.includes(c), JSON.stringify(r.stdout));
    assert.match(r.stdout, /login .*\\x1b\]0;owned\\x07/);
  });

  test('a "Redis" that answers PING with an endless bulk string: the probe reads a bounded head, the login is cut', async () => {
    const f: FakeListener = await startFakeListener('endless-bulk');
    closers.push(() => f.close());
    const r = await runMain([
      'doctor',
      '--format',
      'json',
      '--step-timeout',
      '3s',
      '--redis',
      `redis://127.0.0.1:${f.port}`,
    ]);
    const findings = JSON.parse(r.stdout).findings as Finding[];
    const login = findings.find((x) => x.check === 'login');
    assert.equal(login?.status, 'fail', JSON.stringify(findings));
    assert.ok(f.sent() < 700 * 1024 * 1024, `${f.sent()} bytes were sent before the doctor stopped reading`);
  });

  test('an "exporter" whose /metrics never ends: read up to the limit or the deadline, then judged', async () => {
    const chunk = Buffer.alloc(64 * 1024, '#');
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('redis_up 0\nredis_exporter_last_scrape_error{err="x"} 1\n');
      const t = setInterval(() => {
        if (res.writableLength < chunk.length * 4) res.write(chunk);
      }, 2);
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => server.close(r)));
    closers.unshift(async () => server.closeAllConnections());
    const port = (server.address() as AddressInfo).port;
    const r = await runMain([
      'doctor',
      '--format',
      'json',
      '--step-timeout',
      '3s',
      '--exporter',
      `http://127.0.0.1:${port}`,
    ]);
    const findings = JSON.parse(r.stdout).findings as Finding[];
    assert.equal(findings.length, 1);
    assert.equal(findings[0].check, 'exporter');
  });
});
