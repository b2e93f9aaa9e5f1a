/**
 * RS054, opt-in: a bounded, read-only sample of the keyspace for what the file-write attacks leave behind — keys
 * named backup1…4, crackit, *ssh*, cron*, and string values holding a cron line, an SSH public key or a web
 * shell. SCAN only (never KEYS), at most `maxKeys` names and `maxValues` values of `VALUE_HEAD_BYTES` bytes each,
 * within the deadline. Reports key names and a reason; never a value.
 */
import type { Command, RedisConnection, Reply } from '../redis/connection.ts';
import { roundTrip } from './round-trip.ts';

export interface SuspiciousKey {
  db: string; // db0
  key: string;
  why: string;
}

export interface SuspiciousKeyOptions {
  deadlineMs: number;
  /** Databases that hold keys (INFO keyspace); the connection's own database is `ownDb`. */
  dbs: number[];
  ownDb: number;
  /** Most key names looked at; default 10000. */
  maxKeys?: number;
  /** Most string values whose head is read; default 1000. */
  maxValues?: number;
}

export interface SuspiciousKeyResult {
  keys: SuspiciousKey[];
  /** Why the sample is incomplete or missing (NOPERM, budget, deadline). */
  reason?: string;
}

/** Bytes read from the start of each sampled string value (GETRANGE key 0 N-1). */
export const VALUE_HEAD_BYTES = 256;
const SCAN_COUNT = 1000;

/** A name the attacks use: backup1…backup4 (the public redis-rogue/cron exploits), crackit, *ssh*, cron*. */
export function suspiciousKeyName(name: string): string | undefined {
  if (/^backup/i.test(name)) return 'name like the keys written by cron/SSH file-write exploits (backup*)';
  if (/^crackit$/i.test(name)) return 'name used by the SSH authorized_keys file-write exploit (crackit)';
  if (/ssh/i.test(name)) return 'name mentions ssh';
  if (/^cron/i.test(name)) return 'name like a cron entry (cron*)';
  return undefined;
}

const CRON_LINE = /(?:^|\n)[ \t]*(?:@reboot|@hourly|@daily|(?:[\d*/,-]+[ \t]+){4}[\d*/,-]+)[ \t]+(?:root[ \t]+)?\S/;
const CRON_HINT = /\*|curl|wget|bash|\bsh\b|python|perl|\bnc\b|busybox|tftp|base64/;
const SSH_KEY =
  /(?:^|\s)(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+AAAA[0-9A-Za-z+/]/;
const WEB_SHELL =
  /<\?php|<\?=|<%@|<jsp:|eval\s*\(\s*\$_(?:POST|GET|REQUEST)|(?:system|passthru|shell_exec|exec)\s*\(\s*\$_/i;
const DOWNLOAD_AND_RUN = /(?:curl|wget)\s[^\n]*\|\s*(?:ba)?sh\b/;

/** What the head of a string value looks like, when it looks like an attack payload. */
export function suspiciousValue(head: string): string | undefined {
  if (SSH_KEY.test(head)) return 'value holds an SSH public key (authorized_keys file-write IOC)';
  const cron = CRON_LINE.exec(head);
  if (cron) {
    // Five numeric fields alone are common data; a schedule with '*', an @keyword or a shell tool is cron.
    const line = head.slice(cron.index).replace(/^\n/, '').split('\n', 1)[0];
    if (/^\s*@/.test(line) || CRON_HINT.test(line)) return 'value holds a cron line (crontab file-write IOC)';
  }
  if (WEB_SHELL.test(head)) return 'value holds web-shell code (webshell file-write IOC)';
  if (DOWNLOAD_AND_RUN.test(head)) return 'value downloads and runs a shell script';
  return undefined;
}

/** Key names as shown in a report: printable, at most 200 characters. */
function printable(name: string): string {
  const s = name.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

const isNoPerm = (r: Reply) => !r.ok && /^NOPERM/.test(r.error.message);

/** Commands for several databases in one pipeline: SELECT before each group, and back to `ownDb` at the end. */
function perDb(
  groups: Array<[number, Command[]]>,
  ownDb: number,
  multiDb: boolean,
): { cmds: Command[]; at: number[][] } {
  const cmds: Command[] = [];
  const at: number[][] = [];
  for (const [db, list] of groups) {
    if (multiDb) cmds.push(['SELECT', db]);
    at.push(list.map((c) => cmds.push(c) - 1));
  }
  if (multiDb) cmds.push(['SELECT', ownDb]);
  return { cmds, at };
}

export async function sampleSuspiciousKeys(
  conn: RedisConnection,
  opts: SuspiciousKeyOptions,
): Promise<SuspiciousKeyResult> {
  const maxKeys = opts.maxKeys ?? 10000;
  const maxValues = opts.maxValues ?? 1000;
  const dbs = opts.dbs.length > 0 ? opts.dbs : [opts.ownDb];
  const multiDb = dbs.some((d) => d !== opts.ownDb);
  const found: SuspiciousKey[] = [];
  const names = new Map<number, string[]>(dbs.map((d) => [d, []]));
  const cursors = new Map<number, string>(dbs.map((d) => [d, '0']));
  let scanned = 0;
  let reason: string | undefined;
  let slowest = 0;
  // A round starts only when twice the slowest one so far still fits before the deadline.
  const timeLeft = () => opts.deadlineMs - Date.now() > 2 * slowest + 20;
  const trip = async (cmds: Command[]) => {
    const t = Date.now();
    const r = await roundTrip(conn, cmds, opts.deadlineMs);
    slowest = Math.max(slowest, Date.now() - t);
    return r;
  };

  try {
    // 1. SCAN every database until done, the key budget or the deadline.
    while (cursors.size > 0 && scanned < maxKeys) {
      if (!timeLeft()) {
        reason = 'the deadline came before the keyspace sample finished';
        break;
      }
      const order = [...cursors.keys()];
      const { cmds, at } = perDb(
        order.map((db) => [db, [['SCAN', cursors.get(db) ?? '0', 'COUNT', SCAN_COUNT]]]),
        opts.ownDb,
        multiDb,
      );
      const replies = await trip(cmds);
      const denied = replies.find(isNoPerm);
      if (denied && !denied.ok)
        return { keys: found, reason: `SCAN or SELECT not permitted (${denied.error.message.split(' ')[0]})` };
      order.forEach((db, i) => {
        const r = replies[at[i][0]];
        if (!r.ok || !Array.isArray(r.value)) {
          cursors.delete(db);
          return;
        }
        const [cursor, batch] = r.value as [string, string[]];
        for (const key of batch) {
          if (scanned >= maxKeys) break;
          scanned++;
          names.get(db)?.push(key);
          const why = suspiciousKeyName(key);
          if (why) found.push({ db: `db${db}`, key: printable(key), why });
        }
        if (String(cursor) === '0') cursors.delete(db);
        else cursors.set(db, String(cursor));
      });
    }
    if (cursors.size > 0 && !reason) reason = `sampled the first ${maxKeys} keys only`;

    // 2. TYPE of the sample (names the attacks use first), then 3. the head of each string value.
    const sample: Array<[number, string]> = [];
    for (const [db, list] of names) {
      // A key whose name did not survive UTF-8 decoding cannot be asked for by that name.
      const ok = list.filter((k) => !k.includes('\uFFFD'));
      ok.sort((a, b) => Number(!suspiciousKeyName(a)) - Number(!suspiciousKeyName(b)));
      for (const k of ok) sample.push([db, k]);
    }
    sample.splice(maxValues);
    if (sample.length === 0 || !timeLeft()) return { keys: found, reason };
    const byDb = (items: Array<[number, string]>, cmd: (k: string) => Command) => {
      const groups = new Map<number, Array<[number, string]>>();
      for (const it of items) groups.set(it[0], [...(groups.get(it[0]) ?? []), it]);
      const list = [...groups.entries()];
      const { cmds, at } = perDb(
        list.map(([db, its]) => [db, its.map(([, k]) => cmd(k))]),
        opts.ownDb,
        multiDb,
      );
      const flat = list.flatMap(([, its]) => its);
      return { cmds, index: at.flat(), flat };
    };
    const types = byDb(sample, (k) => ['TYPE', k]);
    const typeReplies = await trip(types.cmds);
    const strings = types.flat.filter((_, i) => {
      const r = typeReplies[types.index[i]];
      return r.ok && r.value === 'string';
    });
    if (strings.length === 0 || !timeLeft()) return { keys: found, reason };
    const heads = byDb(strings, (k) => ['GETRANGE', k, 0, VALUE_HEAD_BYTES - 1]);
    const headReplies = await trip(heads.cmds);
    heads.flat.forEach(([db, key], i) => {
      const r = headReplies[heads.index[i]];
      if (!r.ok) return;
      const why = suspiciousValue(String(r.value));
      if (!why) return;
      const k = printable(key);
      const same = found.find((f) => f.db === `db${db}` && f.key === k);
      if (same) same.why = `${same.why}; ${why}`;
      else found.push({ db: `db${db}`, key: k, why });
    });
  } catch (err) {
    reason = `the keyspace sample stopped: ${(err as Error).message}`;
  }
  return { keys: found, reason };
}
