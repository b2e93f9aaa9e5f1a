import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  hasControlCharacter,
  parseAllowEntry,
  resolveScrapeTarget,
  type ScrapePolicy,
  ScrapeTargetError,
} from '../../src/exporter/scrape-targets.ts';
import { parseTarget } from '../../src/redis/target.ts';

const policy = (over: Partial<ScrapePolicy> = {}): ScrapePolicy => ({
  allowed: [],
  allowAny: false,
  globalUser: '',
  globalPassword: 'global-pw',
  passwords: new Map(),
  ...over,
});

function refusal(raw: string, p: ScrapePolicy): ScrapeTargetError {
  try {
    resolveScrapeTarget(raw, p);
  } catch (err) {
    assert.ok(err instanceof ScrapeTargetError);
    return err;
  }
  assert.fail(`${JSON.stringify(raw)} was accepted`);
}

describe('allowlist entries keep their scheme', () => {
  test('parsed with it; bare entries have none', () => {
    assert.deepEqual(parseAllowEntry('rediss://Cache.internal:6380'), {
      host: 'cache.internal',
      port: 6380,
      scheme: 'rediss',
    });
    assert.deepEqual(parseAllowEntry('redis://10.0.0.5'), { host: '10.0.0.5', port: 6379, scheme: 'redis' });
    assert.deepEqual(parseAllowEntry('10.0.0.5:6379'), { host: '10.0.0.5', port: 6379 });
    assert.deepEqual(parseAllowEntry('[::1]:6379'), { host: '::1', port: 6379 });
  });

  test('rediss://h:p does not allow redis://h:p (nor the global password over plaintext)', () => {
    const p = policy({ allowed: [parseAllowEntry('rediss://10.0.0.5:6380')] });
    const tls = resolveScrapeTarget('rediss://10.0.0.5:6380', p);
    assert.equal(tls.trusted, true);
    assert.equal(tls.target.password, 'global-pw');
    assert.equal(refusal('redis://10.0.0.5:6380', p).status, 403);
    const plain = policy({ allowed: [parseAllowEntry('redis://10.0.0.5:6380')] });
    assert.equal(refusal('rediss://10.0.0.5:6380', plain).status, 403);
  });

  test('a bare host:port names no scheme and allows both', () => {
    const p = policy({ allowed: [parseAllowEntry('10.0.0.5:6380')] });
    assert.equal(resolveScrapeTarget('redis://10.0.0.5:6380', p).trusted, true);
    assert.equal(resolveScrapeTarget('rediss://10.0.0.5:6380', p).trusted, true);
  });
});

describe('which targets /scrape reaches', () => {
  const home = parseTarget('rediss://redis.internal:6380');

  test('without an allowlist: the home address only, by default', () => {
    const p = policy({ home });
    const r = resolveScrapeTarget('rediss://REDIS.internal:6380', p);
    assert.deepEqual([r.trusted, r.target.password], [true, 'global-pw']);
    assert.match(refusal('redis://redis.internal:6380', p).message, /not the exporter's --redis\.addr/);
    assert.equal(refusal('redis://10.0.0.9:6379', p).status, 403);
  });

  test('--scrape.allow-any-target: others too, untrusted, without the global password', () => {
    const r = resolveScrapeTarget('redis://10.0.0.9:6379', policy({ home, allowAny: true }));
    assert.equal(r.trusted, false);
    assert.equal(r.target.password, undefined);
  });
});

describe('control characters', () => {
  test('C0, DEL and C1 are control characters; printable text and non-Latin letters are not', () => {
    for (const c of ['\r', '\n', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u009f'])
      assert.equal(hasControlCharacter(`a${c}b`), true, JSON.stringify(c));
    for (const t of ['p@ss w0rd!', 'пароль', 'ü', '\u00a0', '~']) assert.equal(hasControlCharacter(t), false, t);
  });

  test('refused with 400 raw or percent-encoded, in the user, the password or the host', () => {
    const p = policy({ allowAny: true });
    for (const raw of [
      'redis://u%0D%0AFLUSHALL:pw@10.0.0.9:6379',
      'redis://u:p%0Aw@10.0.0.9:6379',
      'redis://u:p\r\nw@10.0.0.9:6379',
      'redis://u:p%1Bw@10.0.0.9:6379',
      'redis://u:p%7Fw@10.0.0.9:6379',
      'redis://u:p%C2%85w@10.0.0.9:6379',
      'redis://10.0.0.9\n:6379',
    ]) {
      const e = refusal(raw, p);
      assert.equal(e.status, 400, raw);
      assert.match(e.message, /control character/, raw);
    }
  });
});
