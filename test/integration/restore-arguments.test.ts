import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ageKeyPair } from '../support/backup-data.ts';
import { runMain } from '../support/redoubt.ts';

/**
 * `redoubt restore FILE`: FILE comes from the flag parser's positionals (restore declares one), not from a scan of
 * argv of its own, so `--` and a second argument behave as for every other command.
 */
let dir: string;
let identity: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'redoubt-restore-args-'));
  identity = ageKeyPair(dir).identityFile;
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('after --, a file whose name starts with a dash is the FILE, not an unknown flag', async () => {
  const r = await runMain(['restore', '--identity', identity, '--to-rdb', join(dir, 'o.rdb'), '--', '-x.age']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^redoubt restore: -x\.age does not exist/);
});

test('a second FILE: one line naming what restore takes, exit 2', async () => {
  const r = await runMain(['restore', 'a.age', 'b.age', '--identity', identity, '--to-rdb', join(dir, 'o.rdb')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'redoubt restore: unexpected argument "b.age": this command takes one FILE, see --help\n');
});

test('no FILE: says how to name it', async () => {
  const r = await runMain(['restore', '--identity', identity, '--to-rdb', join(dir, 'o.rdb')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /name the backup to restore: redoubt restore FILE/);
});
