import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRedisUrl, unencodedIn } from '../../src/doctor/url-password.ts';
import { TargetError } from '../../src/redis/errors.ts';

describe('doctor: a password written raw in a Redis URL', () => {
  test('an encoded or plain password is no finding', () => {
    for (const url of [
      'redis://:secret@h:6379',
      'redis://u:p%40ss@h:6379',
      'redis://h:6379',
      'rediss://u:a%25b@h:1/2',
    ]) {
      const r = readRedisUrl(url);
      assert.equal(r.problem, undefined, url);
    }
    assert.equal(readRedisUrl('redis://u:p%40ss@h:6379').target.password, 'p@ss');
  });

  test('"@", ":", "/", "#", "?" and a lone "%" are found, read as the user meant, and named with their codes', () => {
    const cases: Array<[string, string, string]> = [
      ['redis://:p@ss@host:6379', 'p@ss', '@ as %40'],
      ['redis://user:a:b@host:6379', 'a:b', ': as %3A'],
      ['redis://user:a/b@host:6379', 'a/b', '/ as %2F'],
      ['redis://user:a#b@host:6379', 'a#b', '# as %23'],
      ['redis://user:a?b@host:6379', 'a?b', '? as %3F'],
      ['redis://user:100%@host:6379', '100%', '% as %25'],
    ];
    for (const [url, password, code] of cases) {
      const r = readRedisUrl(url);
      assert.ok(r.problem, url);
      assert.equal(r.target.password, password, url);
      assert.equal(r.target.host, 'host');
      assert.equal(r.target.port, 6379);
      assert.equal(r.problem.status, 'fail');
      assert.ok(r.problem.fix?.includes(code), `${url}: ${r.problem.fix}`);
      const text = `${r.problem.summary} ${r.problem.fix} ${r.problem.subject}`;
      assert.ok(!text.includes(password), `${url} printed the password: ${text}`);
    }
  });

  test('several characters at once; a "%" that is already an escape is kept', () => {
    const r = readRedisUrl('redis://admin:p@s#w%41rd@db.example:6380/2');
    assert.equal(r.target.password, 'p@s#wArd');
    assert.equal(r.target.username, 'admin');
    assert.equal(r.target.db, 2);
    assert.match(r.problem?.fix ?? '', /@ as %40, # as %23/);
    assert.doesNotMatch(r.problem?.fix ?? '', /%25/);
    assert.match(r.problem?.fix ?? '', /redis:\/\/admin:<the password, @ as %40, # as %23>@db\.example:6380\/2/);
  });

  test('unencodedIn: the colon only counts where it is not the separator', () => {
    assert.deepEqual(unencodedIn('a:b', true), []);
    assert.deepEqual(unencodedIn('a:b', false), [':']);
    assert.deepEqual(unencodedIn('%zz', true), ['%']);
    assert.deepEqual(unencodedIn('%2F', true), []);
  });

  test('other malformed addresses are bad input (TargetError)', () => {
    assert.throws(() => readRedisUrl('http://h:1'), TargetError);
    assert.throws(() => readRedisUrl(''), TargetError);
  });
});
