/**
 * Fuzzing the redis.conf reader (and the ACL rule reader behind `user` lines and aclfiles): thousands of random
 * mutations of real configuration text — quotes, escapes, NUL and control bytes, includes (cycles, wildcards,
 * missing files), repeated and reordered lines — and random bytes. Nothing but RedisConfParseError (AclParseError
 * for ACL text) may be thrown, never the last-resort "internal error", and every line number must exist in its
 * file. A seeded PRNG makes each run identical; the test checks that too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AclParseError, parseAclFile, usersFromConfigDirectives } from '../../src/redis/acl-rules.ts';
import {
  effectiveConfigValues,
  parseRedisConf,
  RedisConfParseError,
  renamedCommands,
} from '../../src/redis/redis-conf.ts';

const SEED = 0x5eed2026;
const CONF_ITERATIONS = 4000;
const BYTES_ITERATIONS = 1500;
const ACL_ITERATIONS = 1500;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIXTURES = 'test/fixtures/security';
const debianLines = readFileSync(`${FIXTURES}/debian-default.conf`, 'utf8').split('\n');
const CORPUS = [
  readFileSync(`${FIXTURES}/hardened.conf`, 'utf8'),
  readFileSync(`${FIXTURES}/nopass-user.conf`, 'utf8'),
  readFileSync(`${FIXTURES}/replica-writable.conf`, 'utf8'),
  readFileSync(`${FIXTURES}/config-renamed.conf`, 'utf8'),
  [
    'save "900 1 300 10"',
    "requirepass 'it\\'s \"quoted\"'",
    'masterauth "\\x41\\xff\\n\\t\\\\"',
    'client-output-buffer-limit pubsub 32mb 8mb 60 replica 1gb 512mb 120',
    'slaveof 10.0.0.1 6379',
    'user alice on >pw ~app:* (~x +get) &* -@all +@read',
    'rename-command CONFIG ""',
    'include /fuzz/conf.d/*.conf',
    'bind 127.0.0.1 -::1',
  ].join('\n'),
];
const ACL_CORPUS = [
  readFileSync(`${FIXTURES}/hardened.acl`, 'utf8'),
  'user default on nopass ~* &* +@all\nuser bob off #1b58ee375b42e41f0e48ef2ff27d10a5b1f6924a9acdcdba7cae868e7adce6bf %R~a %W~b\n',
  'user sel on (~x +get) (%RW~y resetchannels &c -@all +set) clearselectors reset\n',
];

const PIECES = [
  '"',
  "'",
  '\\',
  '\\x',
  '\\x4',
  '\\x41',
  '\\"',
  "\\'",
  '\0',
  '\r',
  '\n',
  '\t',
  '\v',
  '\f',
  ' ',
  '#',
  '(',
  ')',
  '~',
  '%R~',
  '&',
  '+@',
  '|',
  '>',
  '<',
  '!',
  '*',
  '?',
  '[',
  ']',
  'é',
  '\uFFFD',
  '\u{1F600}',
  'include a.conf',
  'include /fuzz/b.conf',
  'include /fuzz/conf.d/*.conf',
  'include main.conf',
  'include missing.conf',
  'include "/fuzz/a.conf"',
  'include /fuzz/[ab].conf',
  'include ../fuzz/conf.d/?.conf',
  'dir /fuzz/conf.d',
  'dir relative',
  'user x on',
  'user default reset',
  'save ""',
  'save "1 2 3"',
  'bind ""',
  'client-output-buffer-limit normal',
  'rename-command a b',
  'SLAVE-READ-ONLY yes',
  'sentinel monitor m 127.0.0.1 6379 2',
  'mod.cfg a b',
];

function mutate(rand: () => number, text: string, rounds: number): Buffer {
  let lines = text.split('\n');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  for (let r = 0; r < rounds; r++) {
    const i = Math.floor(rand() * (lines.length + 1));
    switch (Math.floor(rand() * 9)) {
      case 0:
        lines.splice(i, 0, pick(PIECES));
        break;
      case 1: {
        const line = lines[i] ?? '';
        const at = Math.floor(rand() * (line.length + 1));
        lines[i] = line.slice(0, at) + pick(PIECES) + line.slice(at);
        break;
      }
      case 2:
        lines.splice(i, Math.floor(rand() * 4));
        break;
      case 3:
        if (lines.length > 0) lines.splice(i, 0, lines[Math.floor(rand() * lines.length)]);
        break;
      case 4: {
        const line = lines[i] ?? '';
        lines[i] = line.slice(0, Math.floor(rand() * (line.length + 1)));
        break;
      }
      case 5:
        lines = lines.reverse();
        break;
      case 6: {
        const line = lines[i] ?? '';
        lines[i] = [...line].map((c) => (rand() < 0.3 ? c.toUpperCase() : c)).join('');
        break;
      }
      case 7: {
        const start = Math.floor(rand() * debianLines.length);
        lines.splice(i, 0, ...debianLines.slice(start, start + Math.floor(rand() * 30)));
        break;
      }
      default:
        lines.splice(i, 0, randomBytes(rand, 40).toString('latin1'));
    }
  }
  const joined = lines.join(rand() < 0.1 ? '\r\n' : '\n');
  return rand() < 0.5 ? Buffer.from(joined, 'utf8') : Buffer.from(joined, 'latin1');
}

function randomBytes(rand: () => number, max: number): Buffer {
  const n = Math.floor(rand() * max);
  const out = Buffer.alloc(n);
  const ascii = ' \t\n"\'\\#x0123456789abcdefinclude~&+-@|()*?[]';
  for (let i = 0; i < n; i++) {
    out[i] = rand() < 0.6 ? ascii.charCodeAt(Math.floor(rand() * ascii.length)) : Math.floor(rand() * 256);
  }
  return out;
}

/** Lines in a file's bytes (what a location's line may be at most). */
function lineCount(bytes: Buffer): number {
  let n = 1;
  for (const b of bytes) if (b === 0x0a) n++;
  return n;
}

interface Outcome {
  kind: 'ok' | 'conf-error' | 'acl-error';
  detail: string;
}

function runConf(rand: () => number, main: Buffer): Outcome {
  const files = new Map<string, Buffer>([
    ['/fuzz/main.conf', main],
    ['/fuzz/a.conf', mutate(rand, 'port 1\ninclude b.conf\n', 2)],
    ['/fuzz/b.conf', mutate(rand, 'maxmemory 1mb\n', 2)],
    ['/fuzz/conf.d/x.conf', mutate(rand, 'save 60 1\n', 1)],
    ['/fuzz/conf.d/y.conf', mutate(rand, 'bind 127.0.0.1\n', 1)],
  ]);
  const readFile = (p: string) => {
    const b = files.get(p);
    if (!b) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return b;
  };
  const listDir = (dir: string) => {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = [...files.keys()]
      .filter((p) => p.startsWith(prefix))
      .map((p) => p.slice(prefix.length).split('/')[0]);
    if (names.length === 0) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return [...new Set(names)];
  };
  try {
    const conf = parseRedisConf(main, { file: '/fuzz/main.conf', readFile, listDir, maxIncludeDepth: 8 });
    for (const d of conf.directives) {
      const bytes = files.get(d.location.file);
      assert.ok(bytes, `directive from an unknown file ${d.location.file}`);
      assert.ok(d.location.line >= 1 && d.location.line <= lineCount(bytes), `line ${d.location.line} out of range`);
      assert.ok(!/[A-Z]/.test(d.name), `directive name not lower case: ${d.name}`);
    }
    for (const w of conf.warnings)
      assert.ok(w.location.line >= 1 && w.location.line <= lineCount(readFile(w.location.file)));
    const { values } = effectiveConfigValues(conf);
    renamedCommands(conf);
    try {
      usersFromConfigDirectives(
        conf.directives.filter((d) => d.kind === 'user'),
        { requirepass: values.requirepass },
      );
    } catch (e) {
      assert.ok(e instanceof AclParseError, `user lines threw ${e}`);
      return { kind: 'acl-error', detail: `${e.line}` };
    }
    return { kind: 'ok', detail: `${conf.directives.length}/${conf.warnings.length}/${Object.keys(values).length}` };
  } catch (e) {
    assert.ok(e instanceof RedisConfParseError, `threw ${(e as Error)?.stack ?? e}`);
    assert.ok(!e.reason.startsWith('internal error'), e.message);
    const bytes = files.get(e.file);
    assert.ok(bytes, `error names an unknown file ${e.file}`);
    assert.ok(Number.isInteger(e.line) && e.line >= 0 && e.line <= lineCount(bytes), `line ${e.line} out of range`);
    return { kind: 'conf-error', detail: `${e.file}:${e.line}:${e.reason.slice(0, 20)}` };
  }
}

function runAcl(text: Buffer): Outcome {
  try {
    const { users } = parseAclFile(text, { file: '/fuzz/users.acl' });
    return { kind: 'ok', detail: `${users.length}` };
  } catch (e) {
    assert.ok(e instanceof AclParseError, `threw ${(e as Error)?.stack ?? e}`);
    assert.ok(e.line !== undefined && e.line >= 1 && e.line <= lineCount(text), `line ${e.line}`);
    return { kind: 'acl-error', detail: `${e.line}` };
  }
}

function campaign(seed: number): { digest: string; counts: Record<string, number> } {
  const rand = prng(seed);
  const hash = createHash('sha256');
  const counts: Record<string, number> = { ok: 0, 'conf-error': 0, 'acl-error': 0 };
  const record = (o: Outcome) => {
    counts[o.kind]++;
    hash.update(`${o.kind}:${o.detail}\n`);
  };
  for (let i = 0; i < CONF_ITERATIONS; i++) {
    const base = CORPUS[Math.floor(rand() * CORPUS.length)];
    record(runConf(rand, mutate(rand, base, 1 + Math.floor(rand() * 6))));
  }
  for (let i = 0; i < BYTES_ITERATIONS; i++) record(runConf(rand, randomBytes(rand, 600)));
  for (let i = 0; i < ACL_ITERATIONS; i++) {
    const text =
      rand() < 0.8 ? mutate(rand, ACL_CORPUS[Math.floor(rand() * ACL_CORPUS.length)], 3) : randomBytes(rand, 300);
    record(runAcl(text));
  }
  return { digest: hash.digest('hex'), counts };
}

test('random mutations and bytes: only typed parse errors, with real line numbers, deterministically', () => {
  const first = campaign(SEED);
  // Both outcomes occur in quantity: the fuzzer reaches the error paths and the success paths.
  assert.ok(first.counts.ok > 1000, JSON.stringify(first.counts));
  assert.ok(first.counts['conf-error'] > 500, JSON.stringify(first.counts));
  assert.ok(first.counts['acl-error'] > 300, JSON.stringify(first.counts));
  const second = campaign(SEED);
  assert.equal(second.digest, first.digest, 'the same seed must give the same run');
});
