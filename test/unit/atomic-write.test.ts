import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
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
import { FileWriteError, makeDirectory, writeFileAtomic } from '../../src/fs/atomic-write.ts';
import { readRegularFile } from '../../src/fs/read-file.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};
const mode = (p: string) => statSync(p).mode & 0o777;

describe('writeFileAtomic', () => {
  test('explicit modes whatever the umask, and no temporary file left', () => {
    const dir = fresh();
    const old = process.umask(0o077);
    try {
      writeFileAtomic(join(dir, 'public'), 'a', { mode: 0o644, overwrite: false });
    } finally {
      process.umask(old);
    }
    const loose = process.umask(0);
    try {
      writeFileAtomic(join(dir, 'secret'), 'b', { mode: 0o600, overwrite: false });
    } finally {
      process.umask(loose);
    }
    assert.equal(mode(join(dir, 'public')), 0o644);
    assert.equal(mode(join(dir, 'secret')), 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['public', 'secret']);
  });

  test('a directory every user may write to is refused unless sticky (/tmp is fine)', () => {
    const open = fresh();
    chmodSync(open, 0o777);
    for (const overwrite of [false, true])
      assert.throws(
        () => writeFileAtomic(join(open, 'compose.yml'), 'x', { mode: 0o644, overwrite }),
        (e: Error) =>
          e instanceof FileWriteError &&
          e.message ===
            `${open} may be written by every user (mode 0777): another user could replace what redoubt writes there; run chmod o-w ${open}, or choose another directory`,
      );
    assert.deepEqual(readdirSync(open), [], 'nothing written, no temporary file');
    // a directory of ours inside it is no better: it can be renamed away and replaced
    const inside = join(open, 'stack');
    mkdirSync(inside, { mode: 0o755 });
    assert.throws(
      () => writeFileAtomic(join(inside, 'compose.yml'), 'x', { mode: 0o644, overwrite: false }),
      (e: Error) =>
        e instanceof FileWriteError && e.message.startsWith(`${open}, above ${inside}, may be written by every user`),
    );
    const sticky = fresh();
    chmodSync(sticky, 0o1777);
    writeFileAtomic(join(sticky, 'report.json'), '{}', { mode: 0o644, overwrite: false });
    const group = fresh();
    chmodSync(group, 0o775);
    writeFileAtomic(join(group, 'f'), 'x', { mode: 0o644, overwrite: false });
    assert.equal(readFileSync(join(group, 'f'), 'utf8'), 'x');
  });

  test('an existing file is kept without overwrite, replaced with it', () => {
    const dir = fresh();
    const p = join(dir, 'f');
    writeFileSync(p, 'mine');
    assert.throws(() => writeFileAtomic(p, 'new', { mode: 0o644, overwrite: false }), /exists; refusing to overwrite/);
    assert.equal(readFileSync(p, 'utf8'), 'mine');
    writeFileAtomic(p, 'new', { mode: 0o600, overwrite: true });
    assert.equal(readFileSync(p, 'utf8'), 'new');
    assert.equal(mode(p), 0o600);
    assert.deepEqual(readdirSync(dir), ['f']);
  });

  test('a symbolic link at the destination is refused, never followed, even with overwrite or dangling', () => {
    const dir = fresh();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    const link = join(dir, 'out');
    symlinkSync(victim, link);
    for (const overwrite of [false, true])
      assert.throws(
        () => writeFileAtomic(link, 'evil', { mode: 0o644, overwrite }),
        (e: Error) => e instanceof FileWriteError && /is a symbolic link/.test(e.message),
      );
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.ok(lstatSync(link).isSymbolicLink());

    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'created-through-link'), dangling);
    assert.throws(() => writeFileAtomic(dangling, 'x', { mode: 0o644, overwrite: true }), /symbolic link/);
    assert.ok(!existsSync(join(dir, 'created-through-link')));
  });

  test('links planted at temporary-looking names next to the destination are never written through', () => {
    const dir = fresh();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    // The names the old writers used: `${path}.tmp-${pid}` (audit --output) and a predictable dot-file.
    for (const name of [`report.json.tmp-${process.pid}`, '.report.json.tmp', 'report.json.tmp'])
      symlinkSync(victim, join(dir, name));
    writeFileAtomic(join(dir, 'report.json'), 'report', { mode: 0o644, overwrite: true });
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(readFileSync(join(dir, 'report.json'), 'utf8'), 'report');
  });

  test('a directory that does not exist: one line naming the path, a FileWriteError', () => {
    assert.throws(
      () => writeFileAtomic(join(root, 'no', 'such', 'x.json'), 'x', { mode: 0o644, overwrite: true }),
      (e: Error) => e instanceof FileWriteError && /x\.json: its directory does not exist$/.test(e.message),
    );
  });
});

describe('makeDirectory', () => {
  test('creates the missing parts with the mode; refuses a link below the root and a file in the way', () => {
    const dir = fresh();
    makeDirectory(join(dir, 'a', 'b'), 0o750, dir);
    assert.equal(mode(join(dir, 'a', 'b')), 0o750);
    const elsewhere = fresh();
    symlinkSync(elsewhere, join(dir, 'monitoring'));
    assert.throws(() => makeDirectory(join(dir, 'monitoring', 'x'), 0o755, dir), /monitoring is a symbolic link/);
    assert.deepEqual(readdirSync(elsewhere), []);
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => makeDirectory(join(dir, 'file', 'x'), 0o755, dir), /exists and is not a directory/);
  });

  test('/proc/foo (where Node recursive mkdir spins forever): an error at once', () => {
    assert.throws(() => makeDirectory('/proc/redoubt-test', 0o755), FileWriteError);
  });
});

describe('readRegularFile', () => {
  test('content, undefined when absent, an error for a link', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'f'), 'x');
    symlinkSync(join(dir, 'f'), join(dir, 'l'));
    assert.equal(readRegularFile(join(dir, 'f'))?.toString(), 'x');
    assert.equal(readRegularFile(join(dir, 'none')), undefined);
    assert.throws(() => readRegularFile(join(dir, 'l')), /symbolic link/);
  });
});
