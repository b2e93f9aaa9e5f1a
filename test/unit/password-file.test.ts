import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  ConfigError,
  loadPasswordFile,
  lookupPassword,
  PasswordFileError,
  type PasswordFileProblem,
  resolveCredentials,
} from '../../src/redis/password-file.ts';
import { parseTarget, withCredentials } from '../../src/redis/target.ts';
import { callAsUnprivileged } from '../support/as-nobody.ts';

const SECRET = 'Zq9-f1le@secr#t';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-pwfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string): string {
  const p = join(dir, `pw${n++}.json`);
  writeFileSync(p, content);
  return p;
}

function loadError(path: string, problem: PasswordFileProblem): PasswordFileError {
  try {
    loadPasswordFile(path);
  } catch (e) {
    assert.ok(e instanceof PasswordFileError, `expected PasswordFileError, got ${e}`);
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problem, problem, e.message);
    assert.ok(e.message.includes(path), e.message);
    assert.ok(!e.message.includes(SECRET), `the message echoes a password: ${e.message}`);
    assert.ok(!e.message.includes('Zq9'), `the message echoes part of a password: ${e.message}`);
    return e;
  }
  assert.fail('expected loadPasswordFile to throw');
}

describe('loadPasswordFile', () => {
  test('reads redis_exporter format, keys as written', () => {
    const p = file(
      JSON.stringify({
        'redis://localhost:6379': 'pw1',
        'redis://exporter@localhost:6380': SECRET,
        'rediss://cache.internal:6380': '',
      }),
    );
    const map = loadPasswordFile(p);
    assert.equal(map.size, 3);
    assert.equal(map.get('redis://localhost:6379'), 'pw1');
    assert.equal(map.get('redis://exporter@localhost:6380'), SECRET);
  });

  test('a UTF-8 BOM and an empty object are fine', () => {
    assert.equal(loadPasswordFile(file(`\ufeff{"redis://h:1": "x"}`)).get('redis://h:1'), 'x');
    assert.equal(loadPasswordFile(file('{}')).size, 0);
  });

  test('missing file', () => {
    const e = loadError(join(dir, 'nope.json'), 'missing');
    assert.match(e.message, /does not exist/);
  });

  test('a directory instead of a file', () => {
    const d = join(dir, 'adir');
    mkdirSync(d);
    const e = loadError(d, 'unreadable');
    assert.match(e.message, /directory/);
  });

  test('unreadable file (as an unprivileged user, even when the suite runs as root)', async () => {
    chmodSync(dir, 0o755);
    const p = file('{}');
    chmodSync(p, 0o000);
    const r = await callAsUnprivileged(
      new URL('../../src/redis/password-file.ts', import.meta.url),
      'loadPasswordFile',
      [p],
    );
    assert.ok(r.threw, 'an unreadable password file must be refused');
    assert.equal(r.name, 'PasswordFileError', r.message);
    assert.equal(r.fields.problem, 'unreadable');
    assert.ok(r.message.includes(p), r.message);
    assert.match(r.message, /permission denied/);
  });

  test('not JSON: says where, never quotes the text', () => {
    const e = loadError(file(`{"redis://h:6379": "${SECRET}", broken`), 'not_json');
    assert.match(e.message, /not valid JSON/);
    assert.match(e.message, /line 1, column \d+/);
    const multi = loadError(file(`{\n  "redis://h:6379": "${SECRET}"\n  "redis://h:6380": "x"\n}`), 'not_json');
    assert.match(multi.message, /line 3/);
    assert.match(loadError(file(''), 'not_json').message, /empty/);
    loadError(file(`redis://h:6379=${SECRET}`), 'not_json');
  });

  test('JSON that is not an object', () => {
    assert.match(loadError(file(`["${SECRET}"]`), 'not_object').message, /an array/);
    assert.match(loadError(file(`"${SECRET}"`), 'not_object').message, /a string/);
    assert.match(loadError(file('null'), 'not_object').message, /null/);
  });

  test('values that are not strings: names the key (redacted), never the value', () => {
    const e = loadError(file(JSON.stringify({ 'redis://h:6379': 'ok', 'redis://h:6380': 123456 })), 'not_string');
    assert.match(e.message, /"redis:\/\/h:6380" is a number/);
    assert.ok(!e.message.includes('123456'));
    const nested = loadError(file(JSON.stringify({ 'redis://h:1': { password: SECRET } })), 'not_string');
    assert.match(nested.message, /an object/);
    const inKey = loadError(file(JSON.stringify({ [`redis://:${SECRET}@h:1`]: null })), 'not_string');
    assert.match(inKey.message, /redis:\/\/\*\*\*@h:1/);
  });
});

describe('lookupPassword', () => {
  const map = new Map([
    ['redis://localhost:6379', 'default-6379'],
    ['redis://exporter@localhost:6379', 'exporter-6379'],
    ['redis://localhost:6380/2', 'db2-6380'],
    ['redis://localhost:6380', 'any-db-6380'],
    ['rediss://cache.internal', 'tls-default-port'],
    ['redis://other:6379/', 'trailing-slash'],
    ['valkey://vk.internal:7000', 'valkey'],
    ['redis://[::1]:6379', 'ipv6'],
    ['unix:///run/redis.sock', 'socket'],
    ['redis://empty:6379', ''],
    ['not a uri %%%', 'ignored'],
  ]);
  const look = (addr: string, user?: string) => lookupPassword(map, withCredentials(parseTarget(addr), user));

  test('exact key, as redis_exporter', () => {
    assert.equal(look('redis://localhost:6379'), 'default-6379');
  });

  test('the user part must match: a user only gets its own entry', () => {
    assert.equal(look('redis://localhost:6379', 'exporter'), 'exporter-6379');
    assert.equal(look('redis://exporter@localhost:6379'), 'exporter-6379');
    assert.equal(look('redis://localhost:6379', 'someone'), undefined);
    assert.equal(look('redis://exporter@other:6379'), undefined);
  });

  test('a missing default port and a trailing slash are tolerated, both ways', () => {
    assert.equal(look('redis://localhost'), 'default-6379');
    assert.equal(look('localhost:6379'), 'default-6379');
    assert.equal(look('rediss://cache.internal:6379'), 'tls-default-port');
    assert.equal(look('redis://other:6379'), 'trailing-slash');
    assert.equal(look('redis://other/'), 'trailing-slash');
    assert.equal(look('redis://LOCALHOST:6379'), 'default-6379');
  });

  test('the scheme must match (valkey:// is redis://)', () => {
    assert.equal(look('rediss://localhost:6379'), undefined);
    assert.equal(look('redis://cache.internal'), undefined);
    assert.equal(look('redis://vk.internal:7000'), 'valkey');
  });

  test('db: an exact-db key wins; a key without a db covers every db', () => {
    assert.equal(look('redis://localhost:6380/2'), 'db2-6380');
    assert.equal(look('redis://localhost:6380/5'), 'any-db-6380');
    assert.equal(look('redis://localhost:6380'), 'any-db-6380');
    assert.equal(lookupPassword(new Map([['redis://h:1/2', 'x']]), parseTarget('redis://h:1/3')), undefined);
  });

  test('IPv6 and unix sockets', () => {
    assert.equal(look('[::1]:6379'), 'ipv6');
    assert.equal(look('/run/redis.sock'), 'socket');
    assert.equal(look('unix:///run/redis.sock?db=3'), 'socket');
  });

  test('no entry, an empty password, an unparsable key, an empty map', () => {
    assert.equal(look('redis://nowhere:6379'), undefined);
    assert.equal(look('redis://empty:6379'), undefined);
    assert.equal(lookupPassword(new Map(), parseTarget('redis://h')), undefined);
  });
});

test('resolveCredentials: the URL, then the given password, then the file entry for the target as the user', () => {
  const file = new Map([
    ['redis://cache:6379', 'from-file'],
    ['redis://mon@cache:6379', 'mon-from-file'],
  ]);
  const t = (url: string) => parseTarget(url);
  assert.deepEqual(resolveCredentials(t('redis://:in-url@cache:6379'), { password: 'flag', passwords: file }), {
    user: undefined,
    password: 'in-url',
    passwordFrom: 'url',
  });
  assert.deepEqual(resolveCredentials(t('redis://cache:6379'), { password: 'flag', passwords: file }), {
    user: undefined,
    password: 'flag',
    passwordFrom: 'flags',
  });
  assert.deepEqual(resolveCredentials(t('redis://cache:6379'), { passwords: file }), {
    user: undefined,
    password: 'from-file',
    passwordFrom: 'file',
  });
  // The user comes from the URL first, and picks the file's entry keyed by it.
  assert.deepEqual(resolveCredentials(t('redis://mon@cache:6379'), { user: 'other', passwords: file }), {
    user: 'mon',
    password: 'mon-from-file',
    passwordFrom: 'file',
  });
  assert.deepEqual(resolveCredentials(t('redis://cache:6379'), { user: 'nobody', passwords: file }), {
    user: 'nobody',
  });
});
