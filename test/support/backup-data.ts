import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisServer } from './redis-server.ts';
import { type RespValue, respCommands } from './resp.ts';

/** Every data type Redis has, in several databases, some keys with TTLs: what a backup must carry. */
export async function fillEveryType(server: RedisServer): Promise<void> {
  const big = 'x'.repeat(200_000);
  const db0: Array<Array<string | number>> = [
    ['SET', 'str', 'hello'],
    ['SET', 'int', '12345'],
    ['SET', 'big', big],
    ['SET', 'bin\u00ff\u0001key', 'binary name'],
    ['RPUSH', 'list', 'a', 'b', 'c', '1', '2'],
    ['SADD', 'set', 'x', 'y', 'z'],
    ['SADD', 'intset', '1', '2', '3'],
    ['ZADD', 'zset', '1.5', 'a', '2', 'b', '-3', 'c'],
    ['HSET', 'hash', 'f1', 'v1', 'f2', 'v2'],
    ['XADD', 'stream', '1-1', 'f', 'v'],
    ['XADD', 'stream', '2-1', 'g', 'w'],
    ['XGROUP', 'CREATE', 'stream', 'grp', '0'],
    ['XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>'],
    ['PFADD', 'hll', 'a', 'b', 'c', 'd'],
    ['SET', 'ttl-str', 'soon', 'EX', '3600'],
    ['HSET', 'ttl-hash', 'f', 'v'],
    ['PEXPIRE', 'ttl-hash', '7200000'],
    // Larger encodings: a hashtable set, a skiplist zset, a hashtable hash, a quicklist.
    ['DEBUG', 'POPULATE', '500', 'pop', '20'],
  ];
  const bigSet = ['SADD', 'bigset', ...Array.from({ length: 300 }, (_, i) => `member-${i}`)];
  const bigZset = ['ZADD', 'bigzset', ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat()];
  const bigHash = ['HSET', 'bighash', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat()];
  const bigList = ['RPUSH', 'biglist', ...Array.from({ length: 3000 }, (_, i) => `item-${i}`)];
  await respCommands(server.endpoint, [...db0, bigSet, bigZset, bigHash, bigList], 20000);
  await respCommands(server.endpoint, [
    ['SELECT', 3],
    ['SET', 'in-db3', 'three'],
    ['LPUSH', 'l3', 'a'],
    ['SET', 'ttl3', 'v', 'PX', '5400000'],
  ]);
  await respCommands(server.endpoint, [
    ['SELECT', 15],
    ['SADD', 's15', 'a', 'b'],
  ]);
}

export interface KeyState {
  digest: string;
  /** PEXPIRETIME: the absolute expiry in Unix ms, -1 for none. */
  expireAt: number;
}

/** Every key of every database with its DEBUG DIGEST-VALUE and PEXPIRETIME. */
export async function snapshotKeys(server: RedisServer): Promise<Map<string, KeyState>> {
  const out = new Map<string, KeyState>();
  for (let db = 0; db < 16; db++) {
    const [, keys] = (await respCommands(server.endpoint, [
      ['SELECT', db],
      ['KEYS', '*'],
    ])) as [RespValue, string[]];
    if (keys.length === 0) continue;
    const cmds: Array<Array<string | number>> = [['SELECT', db]];
    for (const k of keys) cmds.push(['DEBUG', 'DIGEST-VALUE', k], ['PEXPIRETIME', k]);
    const replies = await respCommands(server.endpoint, cmds, 20000);
    keys.forEach((k, i) => {
      const d = replies[1 + 2 * i] as unknown as string[] | string;
      out.set(`${db}/${k}`, { digest: Array.isArray(d) ? d[0] : String(d), expireAt: Number(replies[2 + 2 * i]) });
    });
  }
  return out;
}

/** Same keys, same digests, TTLs within `slackMs` (absent TTLs stay absent). Returns the differences. */
export function compareSnapshots(a: Map<string, KeyState>, b: Map<string, KeyState>, slackMs = 1000): string[] {
  const diffs: string[] = [];
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w) diffs.push(`missing ${k}`);
    else if (w.digest !== v.digest) diffs.push(`digest ${k}`);
    else if (v.expireAt < 0 !== w.expireAt < 0 || Math.abs(v.expireAt - w.expireAt) > slackMs)
      diffs.push(`ttl ${k}: ${v.expireAt} vs ${w.expireAt}`);
  }
  for (const k of b.keys()) if (!a.has(k)) diffs.push(`extra ${k}`);
  return diffs;
}

/** An age identity and its recipient from Debian's age-keygen. */
export function ageKeyPair(dir: string): { identityFile: string; recipient: string } {
  const identityFile = join(dir, 'age-key.txt');
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', identityFile]).toString().trim();
  return { identityFile, recipient };
}

export function writePassphrase(dir: string, name: string, passphrase: string): string {
  const p = join(dir, name);
  writeFileSync(p, `${passphrase}\n`, { mode: 0o600 });
  return p;
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
