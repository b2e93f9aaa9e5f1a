import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AtomicFileWriter, FileWriteError } from '../../src/fs/atomic-write.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-atomic-stream-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};

/** Bytes 0..len-1 as i mod 251 (a pattern that shows a piece out of place). */
const pattern = (len: number, from = 0) => Uint8Array.from({ length: len }, (_, i) => (from + i) % 251);

describe('AtomicFileWriter (a file written piece by piece)', () => {
  test('puts the whole content in place only at commit, with the mode asked for', () => {
    const dir = fresh();
    const path = join(dir, 'big.bin');
    writeFileSync(path, 'old');
    const w = AtomicFileWriter.open(path, { mode: 0o600, overwrite: true });
    // small pieces (buffered), one larger than the buffer (written through), then small again
    for (let i = 0; i < 1000; i++) w.write(pattern(100, i * 100));
    w.write(pattern(600_000, 100_000));
    w.write(pattern(7, 700_000));
    assert.equal(w.length, 700_007);
    assert.equal(readFileSync(path, 'utf8'), 'old', 'the old content stays until commit');
    w.commit();
    assert.ok(w.committed);
    assert.deepEqual(new Uint8Array(readFileSync(path)), pattern(700_007));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['big.bin'], 'no temporary file is left');
  });

  test('abort, or a writer never committed (a crash), leaves the old file as it was', () => {
    const dir = fresh();
    const path = join(dir, 'f.bin');
    writeFileSync(path, 'old');
    const aborted = AtomicFileWriter.open(path, { mode: 0o600, overwrite: true });
    aborted.write(pattern(300_000));
    aborted.abort();
    aborted.abort();
    assert.throws(() => aborted.write(pattern(1)), /after commit or abort/);
    assert.deepEqual(readdirSync(dir), ['f.bin']);
    const crashed = AtomicFileWriter.open(path, { mode: 0o600, overwrite: true });
    crashed.write(pattern(300_000));
    assert.equal(readFileSync(path, 'utf8'), 'old');
    const names = readdirSync(dir).sort();
    assert.equal(names.length, 2);
    assert.match(names[0]!, /^\.f\.bin\.[0-9a-f]{18}\.tmp$/, 'only a hidden temporary file beside it');
    crashed.abort();
  });

  test('refuses a symbolic link or an existing file without overwrite, before writing anything', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'target'), 'keep');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    assert.throws(() => AtomicFileWriter.open(join(dir, 'link'), { mode: 0o600, overwrite: true }), FileWriteError);
    assert.throws(() => AtomicFileWriter.open(join(dir, 'target'), { mode: 0o600, overwrite: false }), /exists/);
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'keep');
    assert.deepEqual(readdirSync(dir).sort(), ['link', 'target']);
  });
});
