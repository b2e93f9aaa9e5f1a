import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMain } from '../support/redoubt.ts';

/** unix:///path where the path is a FIFO or a plain file: said as such, not "a socket left over by a stopped server". */
test('doctor on a unix "socket" that is a FIFO or a regular file: named for what it is, without blocking', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-doctor-fifo-'));
  try {
    const fifo = join(dir, 'redis.sock');
    execFileSync('mkfifo', [fifo]);
    const plain = join(dir, 'plain.sock');
    writeFileSync(plain, 'not a socket');
    for (const [path, kind] of [
      [fifo, /a FIFO/],
      [plain, /a regular file/],
    ] as const) {
      const r = await runMain(['doctor', '--redis', `unix://${path}`, '--step-timeout', '5s'], {});
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, kind);
      assert.match(r.stdout, /not a socket/);
      assert.doesNotMatch(r.stdout, /left over from a redis-server/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
