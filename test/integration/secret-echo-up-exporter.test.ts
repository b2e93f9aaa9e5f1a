import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type HostileServer, scripted, startHostileServer } from '../support/hostile-resp.ts';
import { startExporter } from '../support/redoubt.ts';
import { startUp } from '../support/redoubt-up.ts';

/**
 * A hostile "Redis" that echoes the password it was sent in its error reply to AUTH. The password does not look like
 * one (no URL around it): only knowing it finds it. Neither up nor the exporter may print, log or serve it.
 */
const PASSWORD = 'plain-words-not-a-url-7319';

function echoingServer(): Promise<HostileServer> {
  return startHostileServer(
    scripted((args) =>
      args[0]?.toUpperCase() === 'AUTH' ? `-ERR this server logs ${args.join(' ')}\r\n` : '-NOAUTH login first\r\n',
    ),
    'connect',
  );
}

async function until<T>(what: string, get: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('up: a password echoed by the server in an error reaches neither its output nor its API', async () => {
  const server = await echoingServer();
  const data = mkdtempSync(join(tmpdir(), 'redoubt-echo-up-'));
  const up = await startUp(
    ['--redis', `redis://127.0.0.1:${server.port}`, '--data-dir', data, '--scrape-interval', '1s'],
    { REDIS_PASSWORD: PASSWORD, REDOUBT_ADMIN_PASSWORD: 'admin-password-for-this-test-0123' },
  );
  try {
    await until('the target to be reported down', () => (up.stderr().includes('this server logs') ? true : undefined));
    const targets = await (await fetch(`${up.url}/api/v1/targets`)).text();
    assert.match(targets, /this server logs/, 'the error is served');
    assert.ok(!targets.includes(PASSWORD), `the password reached /api/v1/targets:\n${targets}`);
    const metrics = await (await fetch(`${up.url}/metrics`)).text();
    assert.ok(!metrics.includes(PASSWORD), 'the password reached /metrics');
  } finally {
    await up.stop();
    await server.close();
    rmSync(data, { recursive: true, force: true });
  }
  assert.match(up.stderr(), /this server logs AUTH \*\*\*/, up.stderr());
  assert.ok(!up.stderr().includes(PASSWORD), `the password reached up's output:\n${up.stderr()}`);
});

test('exporter: a password echoed by the server in an error reaches neither its log nor /metrics', async () => {
  const server = await echoingServer();
  const exporter = await startExporter(['--redis.addr', `redis://127.0.0.1:${server.port}`], {
    REDIS_PASSWORD: PASSWORD,
  });
  try {
    const body = await (await fetch(`${exporter.url}/metrics`)).text();
    assert.match(body, /redis_up 0/);
    assert.ok(!body.includes(PASSWORD), `the password reached /metrics:\n${body}`);
    await until('the scrape failure to be logged', () =>
      exporter.logs().includes('this server logs') ? true : undefined,
    );
  } finally {
    await exporter.stop();
    await server.close();
  }
  assert.match(exporter.logs(), /this server logs AUTH \*\*\*/, exporter.logs());
  assert.ok(!exporter.logs().includes(PASSWORD), `the password reached the exporter's log:\n${exporter.logs()}`);
});
