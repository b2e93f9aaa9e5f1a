import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scripted, startHostileServer } from '../support/hostile-resp.ts';
import { runMain } from '../support/redoubt.ts';

/**
 * A fake "Redis" whose every string carries terminal escape sequences: rotate refuses it (CONFIG GET fails) and
 * prints what it said only neutralised.
 */
const EVIL = '\u001b]0;pwned\u0007\u001b[2J';

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

function reply(args: string[]): string {
  const [cmd, sub] = [args[0]?.toUpperCase(), args[1]?.toUpperCase()];
  if (cmd === 'INFO' && sub === 'SERVER')
    return bulk(`# Server\r\nredis_version:7.0.15${EVIL}\r\nconfig_file:/x${EVIL}\r\n`);
  if (cmd === 'INFO' && sub === 'REPLICATION') return bulk(`role:master\r\nslave0:ip=${EVIL},port=1,state=online\r\n`);
  if (cmd === 'INFO') return bulk('');
  if (cmd === 'ACL' && sub === 'WHOAMI') return bulk('admin');
  if (cmd === 'ACL' && sub === 'GETUSER')
    return `*4\r\n${bulk('flags')}*1\r\n${bulk('on')}${bulk('passwords')}*1\r\n${bulk('a'.repeat(64))}`;
  if (cmd === 'CONFIG') return `-ERR ${EVIL} no CONFIG here\r\n`;
  return '+OK\r\n';
}

test('a hostile server: refused, and nothing it sent reaches the terminal raw', async () => {
  const server = await startHostileServer(scripted(reply), 'connect');
  const port = server.port;
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-hostile-'));
  try {
    const env = join(dir, '.env');
    const r = await runMain(
      [
        'rotate',
        '--redis',
        `redis://127.0.0.1:${port}`,
        '--user',
        'app',
        '--dotenv',
        env,
        '--env-key',
        'K',
        '--state-file',
        join(dir, 's.json'),
      ],
      { REDIS_PASSWORD: 'whatever-0123456789' },
    );
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /nothing was changed/);
    assert.match(r.stderr, /CONFIG GET/);
    assert.ok(!(r.stdout + r.stderr).includes('\u001b'), 'no raw escape character');
    assert.ok(!(r.stdout + r.stderr).includes('\u0007'), 'no raw bell');
    assert.throws(() => statSync(env), /ENOENT/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
