import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scripted, startHostileServer } from '../support/hostile-resp.ts';
import { runMain } from '../support/redoubt.ts';

/**
 * A hostile "Redis" that echoes what it was sent in its error replies: the new password it receives (the login
 * rotate checks it with) must not reach the output from there. The server has it anyway; a CI log must not.
 */
const ADMIN = 'admin-password-0123456789';
const OLD = 'old-app-password-0123456789';
const NEW = 'new-app-password-ABCDEFGHIJ-0123';

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function reply(args: string[]): string {
  const [cmd, sub] = [args[0]?.toUpperCase(), args[1]?.toUpperCase()];
  if (cmd === 'AUTH') return args[2] === ADMIN ? '+OK\r\n' : `-ERR this server logs ${args.join(' ')}\r\n`;
  if (cmd === 'INFO' && sub === 'SERVER')
    return bulk('# Server\r\nredis_version:7.0.15\r\nconfig_file:/x/redis.conf\r\n');
  if (cmd === 'INFO' && sub === 'REPLICATION') return bulk('role:master\r\n');
  if (cmd === 'INFO') return bulk('');
  if (cmd === 'ACL' && sub === 'WHOAMI') return bulk('admin');
  if (cmd === 'ACL' && sub === 'GETUSER')
    return `*4\r\n${bulk('flags')}*1\r\n${bulk('on')}${bulk('passwords')}*1\r\n${bulk(sha(OLD))}`;
  if (cmd === 'CONFIG' && sub === 'GET')
    return `*2\r\n${bulk(args[2])}${bulk(args[2] === 'aclfile' ? '/x/users.acl' : '')}`;
  if (cmd === 'CLIENT' && sub === 'LIST') return `-ERR cannot list; you sent ${args.join(' ')}\r\n`;
  return '+OK\r\n';
}

test('a server that echoes the new password in its errors: the output never shows it', async () => {
  const server = await startHostileServer(scripted(reply), 'connect');
  const port = server.port;
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-echo-'));
  try {
    const pwFile = join(dir, 'new.txt');
    writeFileSync(pwFile, `${NEW}\n`, { mode: 0o600 });
    const r = await runMain(
      [
        'rotate',
        '--redis',
        `redis://127.0.0.1:${port}`,
        '--user',
        'app',
        '--new-password-file',
        pwFile,
        '--dotenv',
        join(dir, '.env'),
        '--env-key',
        'K',
        '--state-file',
        join(dir, 's.json'),
      ],
      { REDIS_USER: 'admin', REDIS_PASSWORD: ADMIN },
    );
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    assert.match(out, /this server logs/, 'the error is shown');
    assert.ok(!out.includes(NEW), `the new password reached the output:\n${out}`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
