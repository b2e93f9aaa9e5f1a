import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger } from '../../src/exporter/logger.ts';
import { freePort } from '../support/ports.ts';
import { startExporter } from '../support/redoubt.ts';

/** A short, common password: the word appears all over ordinary log lines (redis://, redis-server). */
const PASSWORD = 'redis';

describe('masking redacts secrets where they stand, not every substring', () => {
  test('exporter with REDIS_PASSWORD=redis: the scrape failure log is not mangled', async () => {
    const port = await freePort(); // nothing listens: the scrape fails and is logged
    const exporter = await startExporter(['--redis.addr', `redis://127.0.0.1:${port}`], { REDIS_PASSWORD: PASSWORD });
    try {
      await fetch(`${exporter.url}/metrics`).then((r) => r.text());
      const until = Date.now() + 20000;
      while (!exporter.logs().includes('scrape failed') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      const logs = exporter.logs();
      assert.match(logs, new RegExp(`level=error msg="scrape failed" target="redis://127\\.0\\.0\\.1:${port}"`), logs);
      assert.match(logs, /Check that redis-server is running/, logs);
      assert.ok(!logs.includes('***'), `the log was masked where no secret stands:\n${logs}`);
    } finally {
      await exporter.stop();
    }
  });

  test('logger: a URL password and a field holding a secret are redacted; the rest is kept', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const log = createLogger(out, 'info', 'txt', () => [PASSWORD]);
    log.error('scrape of redis://app:redis@10.0.0.5:6379 failed', {
      target: 'redis://10.0.0.5:6379',
      password: PASSWORD,
      note: 'redis-server says redis',
    });
    assert.match(text, /msg="scrape of redis:\/\/app:\*\*\*@10\.0\.0\.5:6379 failed"/);
    assert.match(text, / target="redis:\/\/10\.0\.0\.5:6379" password="\*\*\*" note="redis-server says redis"/);
    const json = new PassThrough();
    let jtext = '';
    json.on('data', (d) => {
      jtext += d;
    });
    createLogger(json, 'info', 'json', () => [PASSWORD]).info('at redis://u:redis@h:1', { pw: PASSWORD });
    const line = JSON.parse(jtext);
    assert.equal(line.msg, 'at redis://u:***@h:1');
    assert.equal(line.pw, '***');
  });
});
