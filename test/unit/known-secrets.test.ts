import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/exporter/logger.ts';
import { hideKnownSecrets } from '../../src/text/known-secrets.ts';

test('hideKnownSecrets: a known password is hidden wherever it stands, cut short by "…" too', () => {
  const pw = 'correct-horse-battery';
  assert.equal(hideKnownSecrets(`ERR AUTH ${pw} and x${pw}y`, [pw]), 'ERR AUTH *** and x***y');
  assert.equal(hideKnownSecrets(`ERR AUTH ${pw.slice(0, 10)}…`, [pw]), 'ERR AUTH ***…');
  assert.equal(hideKnownSecrets(`ERR ${pw}`, [undefined, '', pw]), 'ERR ***');
});

test('hideKnownSecrets: a password shorter than 8 characters is not searched for', () => {
  assert.equal(hideKnownSecrets('Redis at redis://127.0.0.1:6379', ['redis']), 'Redis at redis://127.0.0.1:6379');
  assert.equal(hideKnownSecrets('pass12345', ['pass1234']), '***5');
});

test('exporter logger: a configured password in a message or a field is hidden', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => {
    text += d;
  });
  const log = createLogger(out, 'debug', 'txt', () => ['s3cret-password-99', 'short']);
  log.error('scrape failed: ERR you sent s3cret-password-99', { err: 'AUTH s3cret-password-99', whole: 'short' });
  assert.ok(!text.includes('s3cret-password-99'), text);
  assert.match(text, /ERR you sent \*\*\*/);
  assert.match(text, /err="AUTH \*\*\*"/);
  assert.match(text, /whole="\*\*\*"/);
});
