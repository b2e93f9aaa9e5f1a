import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';

/** Clears the screen and homes the cursor: what an attacker hides a user or a finding with. */
const CLEAR = '\x1b[2J\x1b[H';

let server: RedisServer;
before(async () => {
  server = await startRedis();
  const endpoint = { port: server.port };
  // Redis accepts user names, key patterns and config values with escape sequences in them.
  await respCommand(endpoint, 'ACL', 'SETUSER', `x${CLEAR}evil\u009b2J`, 'on', 'nopass', '~*', '+@all');
  await respCommand(endpoint, 'ACL', 'SETUSER', 'app', 'on', 'nopass', `~${CLEAR}*`, '+@all');
});
after(async () => {
  await server?.stop();
});

/** No raw ESC, no C1 CSI: the escape sequences are shown, not run. */
function assertNeutralised(out: string): void {
  assert.ok(!out.includes('\x1b'), `raw ESC in output:\n${JSON.stringify(out)}`);
  assert.ok(!out.includes('\u009b'), `raw C1 CSI in output:\n${JSON.stringify(out)}`);
}

describe('server strings reach the terminal neutralised', () => {
  test('audit table: an ACL user named with \\x1b[2J is shown escaped', async () => {
    const r = await runCli(['audit', '--redis', `redis://127.0.0.1:${server.port}`, '--show-passed'], {
      timeoutMs: 60000,
    });
    assert.ok(r.code !== null && r.code <= 1, `exit ${r.code}: ${r.stderr}`);
    assertNeutralised(r.stdout);
    assertNeutralised(r.stderr);
    assert.ok(r.stdout.includes('x\\x1b[2J\\x1b[Hevil\\x9b2J'), r.stdout);
  });

  test("harden's diff: a user's rules with \\x1b[2J are shown escaped", async () => {
    const r = await runCli(['harden', '--redis', `redis://127.0.0.1:${server.port}`], { timeoutMs: 60000 });
    assertNeutralised(r.stdout);
    assertNeutralised(r.stderr);
    assert.ok(r.stdout.includes('~\\x1b[2J\\x1b[H*'), `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  });
});
