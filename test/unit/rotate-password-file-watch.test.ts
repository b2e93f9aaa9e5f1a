import assert from 'node:assert/strict';
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
