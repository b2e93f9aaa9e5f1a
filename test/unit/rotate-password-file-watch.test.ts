import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PasswordFileWatch } from '../../src/redis/password-file-watch.ts';

test("the exporter's password file is read again when it is replaced, and a bad one keeps the last good passwords", () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-pwwatch-'));
  try {
    const path = join(dir, 'pw.json');
    writeFileSync(path, JSON.stringify({ 'redis://h:1': 'one' }));
    const problems: string[] = [];
    const watch = new PasswordFileWatch(path, (m) => problems.push(m));
    const first = watch.current();
    assert.equal(first.get('redis://h:1'), 'one');
    assert.equal(watch.current(), first, 'unchanged: the same map, not read again');
    // As redoubt rotate writes it: a new file renamed over the old one.
    writeFileSync(join(dir, 'tmp'), JSON.stringify({ 'redis://h:1': 'two' }));
    renameSync(join(dir, 'tmp'), path);
    assert.equal(watch.current().get('redis://h:1'), 'two');
    writeFileSync(join(dir, 'tmp'), '{"redis://h:1": "half-written');
    renameSync(join(dir, 'tmp'), path);
    assert.equal(watch.current().get('redis://h:1'), 'two');
    assert.equal(watch.current().get('redis://h:1'), 'two');
    assert.equal(problems.length, 1, 'said once per change');
    assert.match(problems[0], /not valid JSON.*keeping the passwords read before/);
    assert.ok(!problems[0].includes('half-written'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the password file replaced by a FIFO or a huge file: kept the last good passwords, never blocked', () => {
  // In a child: a read of a FIFO with no writer would block the exporter's whole event loop (every scrape).
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-pwwatch-fifo-'));
  try {
    const path = join(dir, 'pw.json');
    writeFileSync(path, JSON.stringify({ 'redis://h:1': 'one' }));
    const script = `
      import { execFileSync } from 'node:child_process';
      import { rmSync, truncateSync, writeFileSync } from 'node:fs';
      import { PasswordFileWatch } from ${JSON.stringify(new URL('../../src/redis/password-file-watch.ts', import.meta.url).href)};
      const path = ${JSON.stringify(path)};
      const problems = [];
      const watch = new PasswordFileWatch(path, (m) => problems.push(m));
      rmSync(path);
      execFileSync('mkfifo', [path]);
      const a = watch.current().get('redis://h:1');
      rmSync(path);
      writeFileSync(path, '');
      truncateSync(path, 2 * 1024 * 1024 * 1024);
      const b = watch.current().get('redis://h:1');
      console.log(JSON.stringify({ a, b, problems }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.equal(r.signal, null, `the watch blocked (killed after 60s): ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    assert.equal(out.a, 'one');
    assert.equal(out.b, 'one');
    assert.equal(out.problems.length, 2);
    assert.match(out.problems[0], /not a regular file/);
    assert.match(out.problems[1], /larger than/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
