/**
 * redoubt backup against a fake replication master that lies: every byte from it is bounded (line length, the
 * declared RDB size, time without a byte, time spent on keepalives only) and a payload that is not an RDB is
 * refused by the walk. Each case exits 1 with one line and leaves the output directory empty.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ageKeyPair } from '../support/backup-data.ts';
import { runCli } from '../support/redoubt.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-backup-hostile-')));
const keys = ageKeyPair(root);
const servers: Server[] = [];
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(root, { recursive: true, force: true });
});

const REPLID = 'a'.repeat(40);

/** A server that answers +OK to everything until PSYNC, then does `afterPsync`. */
async function fakeMaster(afterPsync: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    let seen = '';
    socket.on('error', () => {});
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      const commands = seen.split('*').length - 1;
      if (seen.includes('PSYNC')) {
        seen = '';
        afterPsync(socket);
      } else if (commands > 0 && seen.endsWith('\r\n')) {
        socket.write('+OK\r\n'.repeat((seen.match(/\*\d+\r\n/g) ?? []).length));
        seen = '';
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function backupFrom(port: number): Promise<{ code: number | null; stderr: string; left: string[] }> {
  const out = join(root, `out-${port}`);
  const r = await runCli(
    ['backup', '--redis', `redis://127.0.0.1:${port}`, '--out', out, '--recipient', keys.recipient, '--timeout', '1s'],
    { timeoutMs: 60000 },
  );
  return { code: r.code, stderr: r.stderr, left: readdirSync(out) };
}

describe('a hostile replication master', () => {
  test('a line that never ends is refused at 1 KiB', async () => {
    const port = await fakeMaster((s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$${'9'.repeat(5000)}`));
    const r = await backupFrom(port);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /a reply line of more than 1024 bytes/);
    assert.deepEqual(r.left, []);
  });

  test('an absurd declared size is refused before reading it', async () => {
    const port = await fakeMaster((s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$999999999999999\r\n`));
    const r = await backupFrom(port);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /announced an RDB of 999999999999999 bytes, over the limit/);
    assert.deepEqual(r.left, []);
  });

  test('silence after FULLRESYNC times out with --timeout', async () => {
    const port = await fakeMaster((s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n`));
    const r = await backupFrom(port);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /did not answer the RDB transfer to start within 1s/);
    assert.deepEqual(r.left, []);
  });

  test('keepalives forever are bounded too', async () => {
    const port = await fakeMaster((s) => {
      s.write(`+FULLRESYNC ${REPLID} 0\r\n`);
      const t = setInterval(() => (s.writable ? s.write('\n') : clearInterval(t)), 200);
      s.on('close', () => clearInterval(t));
    });
    const r = await backupFrom(port);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /only keepalives came/);
    assert.deepEqual(r.left, []);
  });

  test('a payload that is not an RDB is not kept', async () => {
    const junk = Buffer.alloc(100_000, 'z');
    const port = await fakeMaster((s) =>
      s.write(Buffer.concat([Buffer.from(`+FULLRESYNC ${REPLID} 0\r\n$${junk.length}\r\n`), junk])),
    );
    const r = await backupFrom(port);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /not an RDB file.*nothing was kept/);
    assert.deepEqual(r.left, []);
  });
});
