import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { runMain } from '../support/redoubt.ts';

/**
 * A hostile "Prometheus" and "Alertmanager" whose JSON strings (job and instance labels, rule names, health,
 * version) are each a megabyte within the 8 MiB body limit: the doctor's report stays short.
 */
const BIG = 'J'.repeat(1024 * 1024);

function body(path: string): unknown {
  if (path.startsWith('/api/v1/targets'))
    return {
      status: 'success',
      data: { activeTargets: [{ labels: { job: BIG, instance: BIG }, health: BIG, lastError: BIG }] },
    };
  if (path.startsWith('/api/v1/rules'))
    return {
      status: 'success',
      data: { groups: [{ rules: [{ name: BIG, type: 'alerting', health: 'err', lastError: BIG }] }] },
    };
  if (path.startsWith('/api/v1/alertmanagers')) return { status: 'success', data: { activeAlertmanagers: [] } };
  if (path.startsWith('/api/v2/status')) return { versionInfo: { version: BIG }, cluster: { status: BIG } };
  return 'OK';
}

test('megabyte-long strings from Prometheus and Alertmanager: the report stays short', async () => {
  const server: Server = createServer((req, res) => {
    const b = body(req.url ?? '/');
    res.writeHead(200, { 'content-type': typeof b === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof b === 'string' ? b : JSON.stringify(b));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    for (const format of ['text', 'json']) {
      const base = `http://127.0.0.1:${port}`;
      const r = await runMain(['doctor', '--prometheus', base, '--alertmanager', base, '--format', format], {});
      assert.match(r.stdout, /prometheus/, r.stderr.slice(0, 2000));
      assert.ok(r.stdout.length < 30000, `${format}: the report is ${r.stdout.length} characters`);
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
});
