import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseEnvFile } from '../../src/config/stack-env.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli, runMain } from '../support/redoubt.ts';

/**
 * The round trip of issue 3, through the real CLI: `redoubt harden --out` writes the files (in process), a
 * redis-server starts with them, and the built `redoubt audit` (a child process) audits them — as files, live as the
 * auditor user (over mutual TLS for --tls), and both at once — with `--fail-on high`: exit 0, no check at high or
 * critical fails.
 */
const root = mkdtempSync(join(tmpdir(), 'redoubt-harden-audit-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface JsonFinding {
  id: string;
  severity: string;
  status: string;
  evidence: string;
}

interface JsonReport {
  redis_version: string | null;
  unobserved: Record<string, string>;
  findings: JsonFinding[];
}

/**
 * `redoubt audit … --fail-on high` must exit 0; on failure the message lists the high and critical failures.
 * Returns the JSON report of the same audit.
 */
async function auditPasses(args: string[], env: NodeJS.ProcessEnv): Promise<JsonReport> {
  const json = await runCli(['audit', ...args, '--format', 'json'], { env, timeoutMs: 30000 });
  assert.ok(json.code === 0, `redoubt audit ${args.join(' ')} --format json: exit ${json.code}\n${json.stderr}`);
  const report = JSON.parse(json.stdout) as JsonReport;
  const r = await runCli(['audit', ...args, '--fail-on', 'high'], { env, timeoutMs: 30000 });
  const failures = report.findings
    .filter((f) => f.status === 'fail' && (f.severity === 'high' || f.severity === 'critical'))
    .map((f) => `${f.id} ${f.severity}: ${f.evidence}`);
  assert.equal(r.code, 0, `redoubt audit ${args.join(' ')} --fail-on high\n${r.stderr}${failures.join('\n')}`);
  assert.deepEqual(failures, []);
  return report;
}

/** The live audit logged in and saw the server (not just what an outsider sees). */
function sawTheServer(report: JsonReport): void {
  assert.match(report.redis_version ?? '', /^\d+\.\d+/);
  for (const part of ['info', 'config', 'users'])
    assert.equal(report.unobserved[part], undefined, `${part}: ${report.unobserved[part]}`);
}

const readEnv = (dir: string) => parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'));

for (const tls of [false, true])
  describe(`harden --out${tls ? ' --tls --role cache' : ' (role store)'}, then redoubt audit --fail-on high: exit 0`, () => {
    const dir = join(root, tls ? 'tls' : 'plain');
    const conf = join(dir, 'redis-secure.conf');
    const tlsFlags = tls
      ? [
          '--tls-ca-cert-file',
          join(dir, 'tls/ca.crt'),
          '--tls-client-cert-file',
          join(dir, 'tls/client.crt'),
          '--tls-client-key-file',
          join(dir, 'tls/client.key'),
        ]
      : [];

    test('audited as files', async () => {
      const h = await runMain(['harden', '--out', dir, ...(tls ? ['--tls', '--role', 'cache'] : [])]);
      assert.equal(h.code, 0, h.stderr);
      await auditPasses(['--config', conf], {});
    });

    test('audited live as the auditor user, and live with its files', async () => {
      const env = readEnv(dir);
      const port = await freePort();
      const data = join(dir, 'data');
      mkdirSync(data, { mode: 0o700 });
      // Started as written, changing only the port, the data directory and the log (to stdout).
      const own = new Set([tls ? 'tls-port' : 'port', 'dir', 'logfile']);
      const lines = readFileSync(conf, 'utf8')
        .split('\n')
        .filter((l) => !own.has(l.split(' ')[0]));
      let server: RedisServer | undefined;
      try {
        server = await startRedis({
          port,
          config: [...lines, `${tls ? 'tls-port' : 'port'} ${port}`, `dir ${data}`, 'logfile ""'],
        });
        const url = `${tls ? 'rediss' : 'redis'}://auditor@localhost:${port}`;
        const auditor = { REDIS_PASSWORD: env.REDIS_AUDITOR_PASSWORD };
        sawTheServer(await auditPasses(['--redis', url, ...tlsFlags], auditor));
        sawTheServer(
          await auditPasses(['--redis', url, ...tlsFlags, '--config', join(server.dir, 'redis.conf')], auditor),
        );
      } finally {
        await server?.stop();
      }
    });
  });
