import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { consoleRequest } from '../support/console-client.ts';
import { waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-api-bounds-'));
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
let up: RunningUp;

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  // A 1 ms query timeout: any request that reads the store for longer than that must end with the timeout error.
  up = await startUp(['--redis', redis.url, '--data-dir', join(dir, 'data'), '--query.timeout', '1ms'], {
    REDOUBT_ADMIN_PASSWORD: 'admin-pass-bounds-0123456789',
  });
  cleanups.push(() => up.stop('SIGKILL'));
  await waitFor('the first scrape stored', async () => {
    const r = await consoleRequest(`${up.url}/api/v1/series?match[]=redis_up`);
    return r.status === 200 && JSON.parse(r.body).data.length > 0 ? true : undefined;
  });
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** 1,000 selectors of every series over the whole history, as one form POST (well under the body limit). */
function everythingThousandTimes(): string {
  return Array.from({ length: 1000 }, (_, i) => `match[]=${encodeURIComponent(`{__name__=~".+",x!="${i}"}`)}`).join(
    '&',
  );
}

test('/api/v1/series, /labels, /label/…/values and /federate end at the query timeout (a viewer could stall up for minutes)', async () => {
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  for (const path of ['/api/v1/series', '/api/v1/labels', '/api/v1/label/instance/values']) {
    const r = await consoleRequest(`${up.url}${path}`, {
      method: 'POST',
      headers: form,
      body: everythingThousandTimes(),
    });
    assert.equal(r.status, 503, `${path}: ${r.body.slice(0, 200)}`);
    assert.equal(JSON.parse(r.body).errorType, 'timeout', path);
  }
  const fed = await consoleRequest(`${up.url}/federate`, {
    method: 'POST',
    headers: form,
    body: everythingThousandTimes(),
  });
  assert.equal(fed.status, 503, fed.body.slice(0, 200));
  assert.match(fed.body, /timed out/);
});

test('one client holding idle connections cannot fill the listener: another client is still served', async () => {
  const { connect } = await import('node:net');
  const held: import('node:net').Socket[] = [];
  try {
    // More than the listener takes in all (512): before a cap per address, the next client was turned away.
    for (let i = 0; i < 560; i++) {
      const s = connect({ host: '127.0.0.1', port: up.port, localAddress: '127.0.0.12' });
      s.on('error', () => {});
      held.push(s);
      await new Promise<void>((resolve) => {
        s.once('connect', () => resolve());
        s.once('close', () => resolve());
      });
      s.write('GET / HTTP/1.1\r\n'); // headers never finished: each connection is held open
    }
    const r = await consoleRequest(`${up.url}/-/healthy`, { localAddress: '127.0.0.13' });
    assert.equal(r.status, 200);
    await waitFor('the connections beyond the cap of 64 closed by up', async () =>
      held.filter((s) => s.destroyed).length >= 560 - 64 ? true : undefined,
    );
  } finally {
    for (const s of held) s.destroy();
  }
});
