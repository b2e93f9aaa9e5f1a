import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { httpGet } from '../support/http.ts';
import { startRedis } from '../support/redis-server.ts';
import { runCli, startExporter } from '../support/redoubt.ts';

const SECRET = 'S3cr#t:p@ss/w%rd?x';
const FILE_SECRET = 'f1le-Secr3t@#';
const ACL_SECRET = 'acl-Secr3t:/x';
const all = [SECRET, FILE_SECRET, ACL_SECRET].flatMap((s) => [s, encodeURIComponent(s)]);

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function assertNoSecret(where: string, text: string): void {
  for (const s of all) assert.ok(!text.includes(s), `a secret appeared in ${where}`);
}

test('no secret reaches a metric, label, log line, error or HTTP answer', async () => {
  const redis = await startRedis({
    password: SECRET,
    aclUsers: [
      `exporter on >${ACL_SECRET} +@connection +info +config|get +latency +slowlog +client|setname +command|info`,
    ],
  });
  cleanups.push(() => redis.stop());
  const other = await startRedis({ password: FILE_SECRET });
  cleanups.push(() => other.stop());
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-secrets-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const pwFile = join(dir, 'pw.json');
  writeFileSync(pwFile, JSON.stringify({ [other.url]: FILE_SECRET }));

  // Records every command a fake server receives: the global password must never be sent to it.
  const received: string[] = [];
  const fake = createServer((s: Socket) => {
    s.on('data', (d) => {
      const text = d.toString('latin1');
      received.push(text);
      // One error reply per RESP command in the chunk (pipelines arrive together).
      const commands = text.match(/(?:^|\r\n)\*\d+\r\n/g)?.length ?? 1;
      s.write('-ERR nope\r\n'.repeat(commands));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  cleanups.push(async () => fake.close());
  const fakePort = (fake.address() as { port: number }).port;

  const outputs: string[] = [];
  const exp = await startExporter(
    [
      '--redis.addr',
      redis.url,
      '--redis.password-file',
      pwFile,
      '--scrape.allow-any-target',
      '--debug',
      '--scrape-timeout',
      '3s',
    ],
    {
      REDIS_PASSWORD: SECRET,
    },
  );
  cleanups.push(() => exp.stop());
  for (const path of [
    '/metrics',
    `/scrape?target=${encodeURIComponent(other.url)}`,
    `/scrape?target=${encodeURIComponent(`redis://127.0.0.1:${fakePort}`)}`,
    `/scrape?target=${encodeURIComponent(`redis://exporter:${encodeURIComponent(ACL_SECRET)}@127.0.0.1:${redis.port}`)}`,
    `/scrape?target=${encodeURIComponent(`redis://exporter:wrong${encodeURIComponent(ACL_SECRET)}@127.0.0.1:${redis.port}`)}`,
    `/scrape?target=${encodeURIComponent(`redis://:${SECRET}@127.0.0.1:${redis.port}`)}`,
    '/scrape?target=unix:///tmp/x.sock',
  ]) {
    const r = await httpGet(`${exp.url}${path}`);
    outputs.push(r.body);
  }
  assert.match(outputs[0], /^redis_up 1$/m);
  assert.match(outputs[1], /^redis_up 1$/m, 'password file credentials reach their own target');
  assert.match(outputs[3], /^redis_up 1$/m, 'ACL user in the target URL');
  assert.match(outputs[4], /^redis_up 0$/m);
  assert.ok(received.length > 0, 'the fake server was contacted');
  assertNoSecret('traffic to a target that is not --redis.addr', received.join(''));
  for (const [i, o] of outputs.entries()) assertNoSecret(`HTTP answer ${i}`, o);
  assertNoSecret('logs', exp.logs());

  // CLI errors with secrets in the input.
  const bad = await runCli([
    'exporter',
    '--redis.addr',
    `redis://:${SECRET}@127.0.0.1:1`,
    '--web.listen-address',
    '127.0.0.1:0',
  ]);
  assert.notEqual(bad.code, 0);
  assertNoSecret('CLI error', bad.stderr + bad.stdout);
  writeFileSync(pwFile, `{"${other.url}": ${JSON.stringify(FILE_SECRET)}, broken`);
  const badFile = await runCli(['exporter', '--redis.password-file', pwFile, '--web.listen-address', '127.0.0.1:0']);
  assert.notEqual(badFile.code, 0);
  assertNoSecret('password file error', badFile.stderr + badFile.stdout);
});
