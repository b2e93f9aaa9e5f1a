import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import type { TlsOptions } from '../../src/redis/connection.ts';
import { IoRedisConnection } from '../../src/redis/connection.ts';
import { makeTarget } from '../../src/redis/target.ts';
import type { Check } from '../../src/security/check.ts';
import type { Facts } from '../../src/security/facts.ts';
import { factsFromFiles } from '../../src/security/file-facts.ts';
import { collectLiveFacts } from '../../src/security/live-facts.ts';
import { freePort } from '../support/ports.ts';
import { startRedis } from '../support/redis-server.ts';

/**
 * The round trip of issue 3: start redis-server with what `redoubt harden` wrote, audit it (live, as the auditor
 * user, and as files), and no check at high or critical fails. Until `redoubt audit` exists this runs the checks
 * directly; every `*_CHECKS` list in src/security/checks takes part.
 */
const root = mkdtempSync(join(tmpdir(), 'redoubt-harden-audit-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function allChecks(): Promise<Check[]> {
  const dir = fileURLToPath(new URL('../../src/security/checks/', import.meta.url));
  const checks: Check[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const m = (await import(join(dir, f))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(m)) if (name.endsWith('_CHECKS')) checks.push(...(value as Check[]));
  }
  return checks;
}

function highFailures(checks: Check[], facts: Facts): string[] {
  return checks
    .map((c) => ({ c, r: c.evaluate(facts) }))
    .filter(({ c, r }) => r.status === 'fail' && ['high', 'critical'].includes(r.severity ?? c.severity))
    .map(({ c, r }) => `${c.id} ${r.severity ?? c.severity}: ${r.evidence}`);
}

async function harden(args: string[]): Promise<void> {
  const s = new PassThrough();
  let out = '';
  s.on('data', (d) => {
    out += d;
  });
  const code = await main(['harden', ...args], { stdout: s, stderr: s, env: {}, stopSignal: new Promise(() => {}) });
  assert.equal(code, 0, out);
}

for (const tls of [false, true])
  describe(`harden --out${tls ? ' --tls --role cache' : ''}, then audit: no high or critical failure`, () => {
    const dir = join(root, tls ? 'tls' : 'plain');

    test('audited as files', async () => {
      await harden(['--out', dir, ...(tls ? ['--tls', '--role', 'cache'] : [])]);
      const facts = factsFromFiles({ confPath: join(dir, 'redis-secure.conf') });
      assert.deepEqual(highFailures(await allChecks(), facts), []);
    });

    test('audited live, as the auditor user', async () => {
      const env = Object.fromEntries(
        readFileSync(join(dir, '.env'), 'utf8')
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const port = await freePort();
      const data = join(dir, 'data');
      mkdirSync(data, { mode: 0o700 });
      const own = new Set([tls ? 'tls-port' : 'port', 'dir', 'logfile']);
      const lines = readFileSync(join(dir, 'redis-secure.conf'), 'utf8')
        .split('\n')
        .filter((l) => !own.has(l.split(' ')[0]));
      const server = await startRedis({
        port,
        config: [...lines, `${tls ? 'tls-port' : 'port'} ${port}`, `dir ${data}`, 'logfile ""'],
      });
      const tlsOptions: TlsOptions | undefined = tls
        ? {
            caFile: join(dir, 'tls/ca.crt'),
            certFile: join(dir, 'tls/client.crt'),
            keyFile: join(dir, 'tls/client.key'),
          }
        : undefined;
      const conn = new IoRedisConnection(
        makeTarget(tls ? 'rediss' : 'redis', 'localhost', port, '', 0, 'auditor', env.REDIS_AUDITOR_PASSWORD),
        { tls: tlsOptions, connectTimeoutMs: 5000 },
      );
      try {
        await conn.ready();
        const facts = await collectLiveFacts(conn, { deadlineMs: Date.now() + 10000, adminUsers: ['admin'] });
        assert.deepEqual(highFailures(await allChecks(), facts), []);
      } finally {
        await conn.close();
        await server.stop();
      }
    });
  });
