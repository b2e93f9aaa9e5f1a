import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { USER_SPECS } from '../../src/catalog/acl-users.ts';
import type { Finding } from '../../src/doctor/finding.ts';
import { nonLoopbackAddress } from '../support/host-address.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runMain } from '../support/redoubt.ts';

const servers: RedisServer[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function redis(options: Parameters<typeof startRedis>[0] = {}): Promise<RedisServer> {
  const s = await startRedis(options);
  servers.push(s);
  return s;
}

/** Runs `redoubt doctor … --format json` in this process; returns the exit code, findings and raw output. */
async function doctor(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await runMain(['doctor', '--format', 'json', '--step-timeout', '10s', ...args], env);
  const findings = r.code === 2 ? [] : (JSON.parse(r.stdout).findings as Finding[]);
  return { ...r, findings };
}

function step(findings: Finding[], check: string): Finding {
  const f = findings.find((x) => x.check === check);
  assert.ok(f, `no "${check}" finding in ${JSON.stringify(findings, null, 1)}`);
  return f;
}

function assertNoSecret(text: string, ...secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `the output contains the secret ${s}`);
}

describe('redoubt doctor: a Redis target broken in one way, diagnosed with the fix', () => {
  test('a healthy server: every step ok, the chain runs to the end', async () => {
    const s = await redis();
    const r = await doctor(['--redis', s.url]);
    const checks = r.findings.map((f) => f.check);
    assert.deepEqual(checks.slice(0, 6), ['dns', 'tcp', 'protocol', 'login', 'permissions', 'managed-limits']);
    for (const c of ['dns', 'tcp', 'protocol', 'login', 'permissions', 'managed-limits', 'fragmentation', 'big-keys'])
      assert.equal(step(r.findings, c).status, 'ok', c);
    assert.ok(checks.includes('fork-headroom'));
  });

  test('nothing listening: TCP refused, with the fix, and the chain stops there', async () => {
    const port = await freePort();
    const r = await doctor(['--redis', `redis://127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    const tcp = step(r.findings, 'tcp');
    assert.equal(tcp.status, 'fail');
    assert.match(tcp.summary, /connection refused/);
    assert.match(tcp.fix ?? '', /start redis-server/);
    assert.equal(r.findings.at(-1), tcp);
  });

  test('a port whose connections are dropped (a stopped server with a full backlog): TCP timeout, told apart from refused', async () => {
    // A SYN to a listening socket whose accept queue is full is dropped, as a filtering firewall drops it.
    const s = await redis({ config: ['tcp-backlog 1'] });
    s.process.kill('SIGSTOP');
    const fillers: Socket[] = [];
    try {
      for (let i = 0; i < 4; i++) fillers.push(connect(s.port, '127.0.0.1').on('error', () => {}));
      await new Promise((r) => setTimeout(r, 300));
      const r = await runMain(['doctor', '--format', 'json', '--step-timeout', '2s', '--redis', s.url]);
      const findings = JSON.parse(r.stdout).findings as Finding[];
      const tcp = step(findings, 'tcp');
      assert.equal(tcp.status, 'fail');
      assert.match(
        tcp.summary,
        /no answer from 127\.0\.0\.1:\d+ within 2s: the connection attempt was dropped \(filtered/,
      );
      assert.match(tcp.fix ?? '', /firewall/);
    } finally {
      for (const f of fillers) f.destroy();
      s.process.kill('SIGCONT');
    }
  });

  test('a stopped server: TCP connects (the kernel answers), PING does not: hung, not "not Redis"', async () => {
    const s = await redis();
    s.process.kill('SIGSTOP');
    try {
      const r = await runMain(['doctor', '--format', 'json', '--step-timeout', '2s', '--redis', s.url]);
      const findings = JSON.parse(r.stdout).findings as Finding[];
      assert.equal(step(findings, 'tcp').status, 'ok');
      const p = step(findings, 'protocol');
      assert.equal(p.status, 'fail');
      assert.match(p.summary, /nothing answered PING .*hung or stopped/);
    } finally {
      s.process.kill('SIGCONT');
    }
  });

  test('a name that does not resolve: DNS fails first', async () => {
    const r = await doctor(['--redis', 'redis://no-such-host.invalid:6379']);
    const dns = step(r.findings, 'dns');
    assert.equal(dns.status, 'fail');
    assert.match(dns.summary, /does not resolve/);
    assert.equal(r.findings.length, 1);
  });

  test('wrong password: WRONGPASS, never the password', async () => {
    const s = await redis({ password: 'Right-Pass-123' });
    const r = await doctor(['--redis', `redis://:Wrong-Pass-456@127.0.0.1:${s.port}`]);
    const login = step(r.findings, 'login');
    assert.equal(login.status, 'fail');
    assert.match(login.summary, /WRONGPASS/);
    assert.match(login.summary, /came from the url/);
    assert.match(login.fix ?? '', /ACL LIST/);
    assert.equal(r.findings.at(-1), login);
    assertNoSecret(r.stdout + r.stderr, 'Right-Pass-123', 'Wrong-Pass-456');
  });

  test('a password given to a server that has none: a warning that the hardening is not in place', async () => {
    const s = await redis();
    const r = await doctor(['--redis', s.url], { REDIS_PASSWORD: 'Given-Pw-6' });
    const login = step(r.findings, 'login');
    assert.equal(login.status, 'warn');
    assert.match(login.summary, /server has no password/);
    assert.match(login.fix ?? '', /redoubt harden/);
    assert.ok(
      r.findings.some((f) => f.check === 'memory-limit'),
      'the chain goes on',
    );
    assertNoSecret(r.stdout, 'Given-Pw-6');
  });

  test('no password given to a server that needs one: NOAUTH', async () => {
    const s = await redis({ password: 'Right-Pass-123' });
    const r = await doctor(['--redis', s.url]);
    const login = step(r.findings, 'login');
    assert.equal(login.status, 'fail');
    assert.match(login.summary, /NOAUTH/);
    assert.match(login.fix ?? '', /REDIS_PASSWORD/);
  });

  test('a user without CONFIG, SLOWLOG and LATENCY: NOPERM naming the ACL rules to add', async () => {
    const s = await redis({
      password: 'admin-pw',
      aclUsers: [
        'limited on >limited-pw ~* -@all +ping +info +acl|whoami +client|setname +command|info +scan +memory|usage',
      ],
    });
    const r = await doctor(['--redis', `redis://limited:limited-pw@127.0.0.1:${s.port}`]);
    const p = step(r.findings, 'permissions');
    assert.equal(p.status, 'warn');
    assert.match(p.summary, /CONFIG GET/);
    assert.match(p.fix ?? '', /ACL SETUSER limited \+config\|get \+slowlog\|len \+latency\|latest/);
    // The memory checks still run on INFO.
    assert.ok(r.findings.some((f) => f.check === 'memory-limit'));
    assert.match(step(r.findings, 'fragmentation').summary, /active defrag unknown/);
  });

  test('a user without INFO: the chain stops at the permissions (nothing could be scraped)', async () => {
    const s = await redis({ password: 'admin-pw', aclUsers: ['blind on >blind-pw -@all +ping +client|setname'] });
    const r = await doctor(['--redis', `redis://blind:blind-pw@127.0.0.1:${s.port}`]);
    const p = step(r.findings, 'permissions');
    assert.equal(p.status, 'fail');
    assert.match(p.fix ?? '', /\+info/);
    assert.equal(r.findings.at(-1), p);
  });

  test('protected mode on a non-loopback bind: DENIED, with the fix (not "turn it off")', async () => {
    const ip = nonLoopbackAddress();
    const s = await redis({ config: [`bind 127.0.0.1 ${ip}`, 'protected-mode yes'] });
    const r = await doctor(['--redis', `redis://${ip}:${s.port}`]);
    const login = step(r.findings, 'login');
    assert.equal(login.status, 'fail');
    assert.match(login.summary, /protected mode \(DENIED\)/);
    assert.match(login.fix ?? '', /Do not turn protected-mode off/);
  });

  test('a password with an unencoded "@" in the URL: the encoded form is shown, not the password, and the login works', async () => {
    const s = await redis({ password: 'pa@ss#w' });
    const r = await doctor(['--redis', `redis://:pa@ss#w@127.0.0.1:${s.port}`]);
    const u = step(r.findings, 'url-encoding');
    assert.equal(u.status, 'fail');
    assert.match(u.fix ?? '', /@ as %40, # as %23/);
    assert.equal(r.findings[0], u);
    assert.equal(step(r.findings, 'login').status, 'ok');
    assertNoSecret(r.stdout + r.stderr, 'pa@ss#w', 'pa%40ss');
  });

  test('CONFIG renamed: what that costs, and --config-command as the fix', async () => {
    const s = await redis({ renameConfig: 'HIDDEN-CONFIG-9' });
    const r = await doctor(['--redis', s.url]);
    const m = r.findings.find((f) => f.check === 'managed-limits' && f.status === 'warn');
    assert.ok(m, JSON.stringify(r.findings));
    assert.match(m.summary, /CONFIG is renamed or disabled/);
    assert.match(m.summary, /redis_config_/);
    assert.match(m.fix ?? '', /--config-command/);
    assertNoSecret(r.stdout, 'HIDDEN-CONFIG-9');
  });

  test('high memory: near maxmemory with noeviction, a cache-like workload, and the big keys found by sampling', async () => {
    const s = await redis({ config: ['maxmemory-policy noeviction'] });
    const big = 'x'.repeat(4 * 1024 * 1024);
    for (const k of ['big:1', 'big:2', 'big:3', 'big:4']) await s.command('SET', k, big);
    for (let i = 0; i < 60; i++) await s.command('SET', `session:${i}`, 'v', 'EX', 3600);
    // maxmemory just above what the data takes (95% used), whatever the allocator's size classes make of it.
    const used = Number(/used_memory:(\d+)/.exec(String(await s.command('INFO', 'memory')))?.[1]);
    const maxmemory = Math.ceil(used / 0.95);
    await s.command('CONFIG', 'SET', 'maxmemory', maxmemory);
    const r = await doctor(['--redis', s.url]);
    const limit = step(r.findings, 'memory-limit');
    assert.equal(limit.status, 'fail', limit.summary);
    assert.match(limit.summary, /of maxmemory .* \(9\d\.\d%\), policy noeviction/);
    assert.match(limit.fix ?? '', /maxmemory-policy allkeys-lru/);
    const policy = step(r.findings, 'memory-policy');
    assert.equal(policy.status, 'advice');
    assert.match(policy.summary, /60 of 64 keys have a TTL/);
    const keys = step(r.findings, 'big-keys');
    assert.equal(keys.status, 'warn');
    for (const k of ['big:1', 'big:2', 'big:3', 'big:4']) assert.match(keys.summary, new RegExp(k));
    assert.match(keys.summary, /all 64 keys/);
    assert.match(step(r.findings, 'fork-headroom').summary, /needs up to .* more/);
  });

  test('a unix socket: reached without DNS; a socket file that is not there is named', async () => {
    const s = await redis({ unixSocket: true });
    const r = await doctor(['--redis', s.socketUrl ?? '', '--sample-keys', '0']);
    assert.equal(r.findings[0].check, 'tcp');
    assert.match(r.findings[0].summary, /the socket .*redis\.sock accepts connections/);
    assert.equal(step(r.findings, 'login').status, 'ok');
    assert.equal(step(r.findings, 'fork-headroom').status === 'fail', false);
    const gone = await doctor(['--redis', `unix://${s.dir}/nothing.sock`]);
    const tcp = step(gone.findings, 'tcp');
    assert.equal(tcp.status, 'fail');
    assert.match(tcp.summary, /does not exist/);
  });

  test('bad input exits 2 with one line', async () => {
    const r1 = await doctor(['--redis', 'http://127.0.0.1:6379']);
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /unsupported scheme/);
    const r2 = await runMain(['doctor', '--format', 'xml']);
    assert.equal(r2.code, 2);
    const r3 = await runMain(['doctor', '--env-file', '/nonexistent/.env']);
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /no such file/);
  });
});

describe('redoubt doctor: .env out of step with the server and with redoubt.yml', () => {
  test('the password in .env is refused while the one given works', async () => {
    const s = await redis({
      password: 'admin-pw',
      aclUsers: ['exporter on >New-Secret-1 -@all +ping +info +config|get +client|setname'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-doctor-'));
    dirs.push(dir);
    const env = join(dir, '.env');
    writeFileSync(env, 'REDIS_EXPORTER_PASSWORD=Old-Secret-0\n');
    const r = await doctor(['--redis', `redis://exporter:New-Secret-1@127.0.0.1:${s.port}`, '--env-file', env]);
    const e = step(r.findings, 'env-password');
    assert.equal(e.status, 'fail');
    assert.match(e.summary, /REDIS_EXPORTER_PASSWORD .* out of step/);
    assertNoSecret(r.stdout, 'New-Secret-1', 'Old-Secret-0');
  });

  test("redoubt.yml's targets with .env's password (the stack's exporter user); REDIS_ADDR elsewhere is reported", async () => {
    const s = await redis({
      password: 'admin-pw',
      aclUsers: ['exporter on >Stack-Secret-2 -@all +ping +info +config|get +client|setname'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-doctor-'));
    dirs.push(dir);
    writeFileSync(join(dir, '.env'), `REDIS_EXPORTER_PASSWORD=Stack-Secret-2\nREDIS_ADDR=redis://127.0.0.1:1\n`);
    writeFileSync(join(dir, 'redoubt.yml'), `redis:\n  targets: ["redis://127.0.0.1:${s.port}"]\n`);
    const r = await doctor(['--config', join(dir, 'redoubt.yml'), '--env-file', join(dir, '.env')]);
    const addr = step(r.findings, 'env-address');
    assert.equal(addr.status, 'warn');
    assert.match(addr.summary, /REDIS_ADDR .* is not among redoubt\.yml's redis\.targets/);
    const login = step(r.findings, 'login');
    assert.equal(login.status, 'ok');
    assert.match(login.summary, /"exporter"/);
    assertNoSecret(r.stdout, 'Stack-Secret-2');
  });
});

describe("redoubt doctor as redoubt harden's least-privilege exporter user", () => {
  test('nothing the exporter needs is missing: no warning for ACL WHOAMI, SCAN or MEMORY USAGE it does not have', async () => {
    const s = await redis({
      password: 'admin-pw',
      aclUsers: [`exporter on >Exp-Pw-5 ${USER_SPECS.exporter.commands.join(' ')}`, 'default on >admin-pw ~* &* +@all'],
      config: ['maxmemory 100mb', 'maxmemory-policy allkeys-lru'],
    });
    const r = await doctor(['--redis', `redis://exporter:Exp-Pw-5@127.0.0.1:${s.port}`]);
    assert.equal(step(r.findings, 'permissions').status, 'ok', JSON.stringify(r.findings, null, 1));
    assert.equal(step(r.findings, 'big-keys').status, 'info');
    const notOk = r.findings.filter((f) => f.status === 'warn' || f.status === 'fail').map((f) => f.check);
    assert.deepEqual(
      notOk.filter((c) => c !== 'overcommit'),
      [],
    );
  });
});
