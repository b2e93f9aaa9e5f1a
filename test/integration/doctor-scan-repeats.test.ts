import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scripted, startHostileServer } from '../support/hostile-resp.ts';
import { runMain } from '../support/redoubt.ts';

/**
 * SCAN may return a key more than once (Redis says so: a rehash during the scan), and a hostile server returns the
 * same one forever with a cursor that never ends: the biggest-keys list names each key once, counts it once, and the
 * sample still ends within its budget.
 */
function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

let huge = false;
const BIG = 'W'.repeat(1024 * 1024);

function reply(args: string[]): string {
  if (huge) return hugeReply(args);
  const [cmd, sub] = [args[0]?.toUpperCase(), args[1]?.toUpperCase()];
  if (cmd === 'PING') return '+PONG\r\n';
  if (cmd === 'INFO')
    return bulk('# Memory\r\nused_memory:104857600\r\nmaxmemory:0\r\n# Keyspace\r\ndb0:keys=3,expires=0\r\n');
  if (cmd === 'CONFIG') return '*0\r\n';
  if (cmd === 'ACL' && sub === 'WHOAMI') return bulk('default');
  if (cmd === 'COMMAND') return `*5\r\n${'*0\r\n'.repeat(5)}`;
  if (cmd === 'SCAN') return `*2\r\n${bulk('7')}*2\r\n${bulk('huge')}${bulk('small')}`;
  if (cmd === 'MEMORY') return args[2] === 'huge' ? ':52428800\r\n' : ':100\r\n';
  if (cmd === 'SLOWLOG' || cmd === 'LATENCY') return '*0\r\n';
  return '+OK\r\n';
}

/** Every string the doctor shows, a megabyte long: who the user is, the policy, the version, the keys. */
function hugeReply(args: string[]): string {
  const [cmd, sub] = [args[0]?.toUpperCase(), args[1]?.toUpperCase()];
  if (cmd === 'PING') return '+PONG\r\n';
  if (cmd === 'INFO')
    return bulk(
      `# Server\r\nredis_version:${BIG}\r\n# Memory\r\nused_memory:104857600\r\nmaxmemory_policy:${BIG}\r\n# Keyspace\r\ndb0:keys=3,expires=0\r\n`,
    );
  if (cmd === 'CONFIG') return `*4\r\n${bulk('maxmemory-policy')}${bulk(BIG)}${bulk('maxmemory')}${bulk('1000')}`;
  if (cmd === 'ACL' && sub === 'WHOAMI') return bulk(BIG);
  if (cmd === 'ACL' && sub === 'DRYRUN') return bulk(BIG);
  if (cmd === 'COMMAND') return `*5\r\n${'*0\r\n'.repeat(5)}`;
  if (cmd === 'SCAN') return `*2\r\n${bulk('0')}*1\r\n${bulk(BIG)}`;
  if (cmd === 'MEMORY') return ':52428800\r\n';
  if (cmd === 'SLOWLOG' || cmd === 'LATENCY') return `-ERR ${'E'.repeat(60000)}\r\n`;
  return '+OK\r\n';
}

test('SCAN that returns the same keys again and again: each key listed and counted once', async () => {
  const server = await startHostileServer(scripted(reply), 'connect');
  const port = server.port;
  try {
    const r = await runMain(['doctor', '--redis', `redis://127.0.0.1:${port}`, '--format', 'json'], {});
    const big = JSON.parse(r.stdout).findings.find((f: { check: string }) => f.check === 'big-keys');
    assert.ok(big, r.stdout + r.stderr);
    assert.equal(big.summary.match(/huge /g)?.length, 1, big.summary);
    assert.equal(big.summary.match(/small /g)?.length, 1, big.summary);
    assert.match(big.summary, /\b2 of 3 keys sampled/);
  } finally {
    await server.close();
  }
});

test('a server whose every string is a megabyte long: the report stays short', async () => {
  huge = true;
  const server = await startHostileServer(scripted(reply), 'connect');
  const port = server.port;
  try {
    for (const format of ['text', 'json']) {
      const r = await runMain(['doctor', '--redis', `redis://127.0.0.1:${port}`, '--format', format], {});
      assert.match(r.stdout, /big-keys/, r.stderr.slice(0, 2000));
      assert.ok(r.stdout.length < 20000, `${format}: the report is ${r.stdout.length} characters`);
    }
  } finally {
    huge = false;
    await server.close();
  }
});
