import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sealTree } from '../../src/backup/monitoring/seal-archive.ts';
import { TarNameError, tarHeader } from '../../src/backup/monitoring/tar-format.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-mon-archive-'));
after(() => rmSync(root, { recursive: true, force: true }));
const PASS = 'unit-test-passphrase-0e1f';
/** Two 60-byte directory names: a path past ustar's 100-byte name field, split into prefix and name. */
const DEEP = join('d'.repeat(60), 'e'.repeat(60));

function tree(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'history', DEEP), { recursive: true });
  writeFileSync(join(dir, 'history', 'head-000000000001.seg'), 'one');
  writeFileSync(join(dir, 'history', 'head-000000000002.seg'), 'two');
  writeFileSync(join(dir, 'history', DEEP, 'long-name-file'), Buffer.alloc(1000, 7));
  symlinkSync('/etc/passwd', join(dir, 'link'));
  return dir;
}

function untar(archive: string, into: string): void {
  mkdirSync(into);
  const pass = join(root, `${into.split('/').pop()}.pass`);
  writeFileSync(pass, PASS);
  // age reads a passphrase from a terminal only; redoubt restore is for Redis backups. Decrypt with the library.
  execFileSync(process.execPath, [
    '--input-type=module',
    '-e',
    `import { Decrypter } from 'age-encryption'; import { readFileSync, writeFileSync } from 'node:fs';
     const d = new Decrypter(); d.addPassphrase(${JSON.stringify(PASS)});
     writeFileSync(${JSON.stringify(`${into}.tar`)}, await d.decrypt(readFileSync(${JSON.stringify(archive)})));`,
  ]);
  execFileSync('tar', ['-x', '-f', `${into}.tar`, '-C', into]);
}

test('a tree as an encrypted tar that GNU tar extracts: long paths split, links left out and named', async () => {
  const dir = tree('plain');
  const out = join(root, 'out-plain');
  mkdirSync(out);
  const a = await sealTree({
    kind: 'up-data',
    root: dir,
    source: dir,
    outDir: out,
    key: { kind: 'passphrase', passphrase: PASS },
  });
  assert.deepEqual(a.manifest.skipped, ['link']);
  assert.equal(a.manifest.files, 3);
  assert.equal(a.manifest.attempts, 1);
  untar(a.path, join(root, 'x-plain'));
  const top = join(root, 'x-plain', a.manifest.file.replace(/\.tar\.age$/, ''));
  assert.equal(readFileSync(join(top, 'history', 'head-000000000002.seg'), 'utf8'), 'two');
  assert.deepEqual(readFileSync(join(top, 'history', DEEP, 'long-name-file')), Buffer.alloc(1000, 7));
});

test('a store file removed under the copy (a checkpoint) makes it start over, from a new listing', async () => {
  const dir = tree('moving');
  const out = join(root, 'out-moving');
  mkdirSync(out);
  let listings = 0;
  const a = await sealTree({
    kind: 'up-data',
    root: dir,
    source: dir,
    outDir: out,
    key: { kind: 'passphrase', passphrase: PASS },
    // The first listing sees head-1, then a "checkpoint" removes it before it is read.
    keep: (p) => {
      if (p === 'history/head-000000000002.seg' && ++listings === 1)
        rmSync(join(dir, 'history', 'head-000000000001.seg'));
      return true;
    },
    mustStay: (p) => p.endsWith('.seg'),
  });
  assert.equal(a.manifest.attempts, 2);
  assert.equal(a.manifest.files, 2);
});

test('paths that cannot be in a ustar archive, or escape it, are refused', () => {
  const e = { type: 'file' as const, size: 1, mode: 0o600, mtimeSeconds: 0 };
  assert.throws(() => tarHeader({ ...e, path: '../etc/passwd' }), TarNameError);
  assert.throws(() => tarHeader({ ...e, path: '/abs' }), TarNameError);
  assert.throws(() => tarHeader({ ...e, path: 'x'.repeat(300) }), TarNameError);
  assert.equal(
    tarHeader({ ...e, path: `${'d'.repeat(120)}/file` })
      .subarray(345, 465)
      .toString()
      .replace(/\0+$/, ''),
    'd'.repeat(120),
  );
});
