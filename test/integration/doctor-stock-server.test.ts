import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { requireBinary } from '../support/binaries.ts';
import { trackChild } from '../support/children.ts';
import { freePort } from '../support/ports.ts';
import { runCli } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';

/**
 * `redoubt doctor` against a stock redis-server (no config file, no password, every default): the path works, so
 * it exits 0. What a stock server lacks (maxmemory, vm.overcommit_memory 1) is advice, shown with its fix; exit 1 is
 * for warnings and failures. Before, those two were warnings and the doctor exited 1 on a server that works.
 */
let dir: string;
let port: number;
let stop: () => void = () => {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'redoubt-doctor-stock-'));
  port = await freePort();
  // Only the port and loopback: everything else as `redis-server` starts with no argument (dump.rdb lands in dir).
  const child = spawn(requireBinary('redis-server'), ['--port', String(port), '--bind', '127.0.0.1'], {
    cwd: dir,
    stdio: 'ignore',
  });
  trackChild(child);
  stop = () => child.kill('SIGKILL');
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      await respCommand({ host: '127.0.0.1', port }, 'PING');
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

after(() => {
  stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a stock redis-server: exit 0, with no maxmemory as advice (not a warning)', async () => {
  const r = await runCli(['doctor', '--redis', `redis://127.0.0.1:${port}`], { timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ {2}advice {2}memory-limit {5}no maxmemory is set/m);
  assert.match(r.stdout, /^ {26}fix: set a limit: CONFIG SET maxmemory/m);
  assert.match(r.stdout, /, 0 warnings, 0 failures, \d+ advice/);
  const json = await runCli(['doctor', '--format', 'json', '--redis', `redis://127.0.0.1:${port}`], {
    timeoutMs: 60000,
  });
  assert.equal(json.code, 0);
  const { findings } = JSON.parse(json.stdout) as { findings: Array<{ check: string; status: string }> };
  assert.equal(findings.find((f) => f.check === 'memory-limit')?.status, 'advice');
  assert.ok(!findings.some((f) => f.status === 'warn' || f.status === 'fail'), JSON.stringify(findings, null, 1));
});
