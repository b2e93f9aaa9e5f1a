import type { RedisConnection } from '../redis/connection.ts';
import { infoField } from '../redis/info-field.ts';
import { neutralise } from '../text/terminal.ts';

/**
 * Who may still use the old password during the grace period, from what Redis tells (it never says which password
 * a login used):
 * - CLIENT LIST by user: connections authenticated as the user. Those older than the rotation logged in with the old
 *   password. Removing a password does not close them: they keep working until they reconnect, and then need the
 *   new one.
 * - ACL LOG: failed logins as the user (after the old password is removed, a client still using it shows up here).
 *   Only those since the rotation started count: ACL LOG keeps entries for as long as the server runs, and one from
 *   last week is no client of this rotation. Each entry's time is its age-seconds (how long ago it was last updated,
 *   by the server's own clock, so the clocks of the two machines need not agree); Redis 7.2 also gives
 *   timestamp-last-updated, used when age-seconds is missing.
 * - INFO stats acl_access_denied_auth (Redis 7.2+): failed logins of any user, as a counter.
 */
export interface ClientSeen {
  addr: string;
  name: string;
  ageSeconds: number;
  /** A replica's replication link (CLIENT LIST flags S). */
  replica: boolean;
}

export interface FailedLogin {
  count: number;
  ageSeconds: number;
  client: string;
}

export interface OldPasswordUse {
  display: string;
  /** Connections as the user older than the rotation. */
  olderClients: ClientSeen[];
  /** All connections as the user (the count only). */
  clients: number;
  /** Failed logins since the rotation started. */
  failedLogins: FailedLogin[];
  /** Failed logins ACL LOG holds from before the rotation started (skipped, counted). */
  olderFailedLogins: number;
  deniedAuth?: number;
  /** Why something could not be read ('' when all could). */
  unreadable: string[];
}

/** Lines of CLIENT LIST for `user`: `id=… addr=… name=… age=… user=…`. At most `limit` are kept. */
export function clientsOf(list: string, user: string, limit = 1000): ClientSeen[] {
  const out: ClientSeen[] = [];
  for (const line of list.split('\n')) {
    if (out.length >= limit) break;
    const fields = new Map<string, string>();
    for (const part of line.trim().split(' ')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
    if (fields.get('user') !== user) continue;
    out.push({
      addr: fields.get('addr') ?? '',
      name: fields.get('name') ?? '',
      ageSeconds: Number(fields.get('age')) || 0,
      replica: (fields.get('flags') ?? '').includes('S'),
    });
  }
  return out;
}

/** How long ago an entry was last updated: age-seconds, else Redis 7.2's timestamp-last-updated (ms). */
function entryAge(f: Map<string, unknown>, nowMs: number): number {
  const age = Number(f.get('age-seconds'));
  if (f.has('age-seconds') && Number.isFinite(age) && age >= 0) return age;
  const updated = Number(f.get('timestamp-last-updated'));
  return Number.isFinite(updated) && updated > 0 ? Math.max(0, (nowMs - updated) / 1000) : 0;
}

/** ACL LOG entries (flat [field, value, …] arrays) that are failed logins as `user`. */
export function failedLoginsOf(log: unknown, user: string, nowMs = Date.now()): FailedLogin[] {
  if (!Array.isArray(log)) return [];
  const out: FailedLogin[] = [];
  for (const entry of log.slice(0, 128)) {
    if (!Array.isArray(entry)) continue;
    const f = new Map<string, unknown>();
    for (let i = 0; i + 1 < entry.length && i < 40; i += 2) f.set(String(entry[i]), entry[i + 1]);
    if (f.get('reason') !== 'auth' || f.get('username') !== user) continue;
    const info = String(f.get('client-info') ?? '');
    out.push({
      count: Number(f.get('count')) || 1,
      ageSeconds: entryAge(f, nowMs),
      client: /addr=(\S+)/.exec(info)?.[1] ?? '',
    });
  }
  return out;
}

/**
 * Failed logins split at the start of the rotation, `rotatedSecondsAgo` (fractional: an entry a second older than
 * the rotation must not round into it). An entry updated since counts whole, even if it began before.
 */
export function sinceRotation(
  logins: FailedLogin[],
  rotatedSecondsAgo: number,
): { since: FailedLogin[]; olderCount: number } {
  const since = logins.filter((l) => l.ageSeconds <= rotatedSecondsAgo);
  const olderCount = logins.filter((l) => l.ageSeconds > rotatedSecondsAgo).reduce((n, l) => n + l.count, 0);
  return { since, olderCount };
}

export async function readOldPasswordUse(
  conn: RedisConnection,
  user: string,
  rotatedSecondsAgo: number,
): Promise<OldPasswordUse> {
  const use: OldPasswordUse = {
    display: conn.target.display,
    olderClients: [],
    clients: 0,
    failedLogins: [],
    olderFailedLogins: 0,
    unreadable: [],
  };
  try {
    const clients = clientsOf(String(await conn.call('CLIENT', 'LIST')), user);
    use.clients = clients.length;
    use.olderClients = clients.filter((c) => c.ageSeconds > rotatedSecondsAgo);
  } catch (err) {
    use.unreadable.push(`CLIENT LIST: ${(err as Error).message}`);
  }
  try {
    const { since, olderCount } = sinceRotation(
      failedLoginsOf(await conn.call('ACL', 'LOG', 128), user),
      rotatedSecondsAgo,
    );
    use.failedLogins = since;
    use.olderFailedLogins = olderCount;
  } catch (err) {
    use.unreadable.push(`ACL LOG: ${(err as Error).message}`);
  }
  try {
    const n = infoField(String(await conn.call('INFO', 'stats')), 'acl_access_denied_auth');
    if (n !== undefined && /^\d+$/.test(n)) use.deniedAuth = Number(n);
  } catch (err) {
    use.unreadable.push(`INFO stats: ${(err as Error).message}`);
  }
  return use;
}

const SHOWN = 10;
/** The most of one server-sent field shown (an address, a client name, an error): a hostile server's are megabytes. */
const FIELD_CHARS = 200;

/** Server text as shown: cut to FIELD_CHARS, then neutralised. */
function shown(text: string): string {
  return neutralise(text.length > FIELD_CHARS ? `${text.slice(0, FIELD_CHARS)}…` : text);
}

/** The report, one block per server; `removed`: the old password is gone (failed logins are then its users). */
export function renderOldPasswordUse(
  uses: OldPasswordUse[],
  user: string,
  removed: boolean,
  deniedAtStart: Record<string, number>,
): string {
  const lines: string[] = [];
  for (const u of uses) {
    lines.push(`  ${u.display}:`);
    const older = u.olderClients;
    const unread = (what: string) => u.unreadable.some((e) => e.startsWith(`${what}:`));
    if (unread('CLIENT LIST')) lines.push('    connections: unknown (CLIENT LIST could not be read, below)');
    else
      lines.push(
        older.length === 0
          ? `    no connection as "${user}" is older than the rotation (${u.clients} connection${u.clients === 1 ? '' : 's'} as "${user}" in all)`
          : `    ${older.length} of ${u.clients} connection${u.clients === 1 ? '' : 's'} as "${user}" logged in before the rotation, with the old password; they keep working ${removed ? 'now that it is removed' : 'after --finish'}, and need the new one when they reconnect:`,
      );
    for (const c of older.slice(0, SHOWN))
      lines.push(
        `      ${shown(c.addr)}${c.name ? ` name=${shown(c.name)}` : ''} age=${c.ageSeconds}s${c.replica ? ' (a replica replicating as this user: masterauth)' : ''}`,
      );
    if (older.length > SHOWN) lines.push(`      … and ${older.length - SHOWN} more`);
    const failed = u.failedLogins.reduce((n, f) => n + f.count, 0);
    if (failed > 0) {
      lines.push(
        `    ${failed} failed login${failed === 1 ? '' : 's'} as "${user}" in ACL LOG since the rotation started${removed ? ' (clients still using the old password)' : ''}:`,
      );
      for (const f of u.failedLogins.slice(0, SHOWN))
        lines.push(`      ${shown(f.client) || 'unknown client'} ×${f.count}, last ${Math.round(f.ageSeconds)}s ago`);
    } else if (unread('ACL LOG')) lines.push('    failed logins: unknown (ACL LOG could not be read, below)');
    else lines.push(`    no failed login as "${user}" in ACL LOG since the rotation started`);
    if (u.olderFailedLogins > 0)
      lines.push(
        `    (${u.olderFailedLogins} older failed login${u.olderFailedLogins === 1 ? '' : 's'} as "${user}" in ACL LOG, from before the rotation started, skipped)`,
      );
    if (u.deniedAuth !== undefined) {
      const start = deniedAtStart[u.display];
      lines.push(
        `    acl_access_denied_auth: ${u.deniedAuth}${start !== undefined ? ` (+${Math.max(0, u.deniedAuth - start)} since the rotation started, any user)` : ''}`,
      );
    } else lines.push('    acl_access_denied_auth: not reported (INFO stats has it from Redis 7.2)');
    for (const e of u.unreadable) lines.push(`    could not read ${shown(e)}`);
  }
  return `${lines.join('\n')}\n`;
}
