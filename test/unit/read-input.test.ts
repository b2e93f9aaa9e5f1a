import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InputFileError, readInputFile, readInputText } from '../../src/fs/read-input.ts';
import { loadRuleFiles } from '../../src/monitor/alerting/rule-sources.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-read-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function reason(fn: () => unknown): { code: string; reason: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputFileError, `expected InputFileError, got ${err}`);
    return { code: err.code, reason: err.reason };
  }
  assert.fail('expected a refusal');
}

describe('readInputFile: a file the user named, read with a bound', () => {
  test('reads a regular file whole up to the limit', () => {
    const p = join(dir, 'ok.txt');
    writeFileSync(p, 'x'.repeat(100));
    assert.equal(readInputText(p, 100), 'x'.repeat(100));
  });

  test('refuses a file larger than the limit', () => {
    const p = join(dir, 'big.txt');
    writeFileSync(p, 'x'.repeat(101));
    assert.deepEqual(
      reason(() => readInputFile(p, 100)),
      { code: 'EFBIG', reason: 'larger than 100 bytes' },
    );
  });

  test('refuses a device instead of reading it without end', () => {
    assert.equal(reason(() => readInputFile('/dev/zero', 1024)).code, 'ENOTREG');
  });

  test('refuses a FIFO without waiting for a writer', () => {
    const p = join(dir, 'fifo');
    execFileSync('mkfifo', [p]);
    assert.equal(reason(() => readInputFile(p, 1024)).code, 'ENOTREG');
  });

  test('names a missing file and a directory in words', () => {
    assert.deepEqual(
      reason(() => readInputFile(join(dir, 'nope'), 10)),
      { code: 'ENOENT', reason: 'no such file' },
    );
    const d = join(dir, 'sub');
    mkdirSync(d);
    assert.equal(reason(() => readInputFile(d, 10)).code, 'EISDIR');
  });

  test('a rule file that is a device is a rule-file error, not a hang', () => {
    assert.throws(() => loadRuleFiles(['/dev/zero']), /cannot read the rule file \(not a regular file\)/);
  });
});
