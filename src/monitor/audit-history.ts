/**
 * One target's last two security audits, so the console can tell what changed between them (drift): their
 * reports, and a digest of what the audit saw that the findings do not carry — the ACL user names and the
 * security settings an attacker changes at runtime (protected-mode, bind, dir, …). Secrets never enter a digest:
 * requirepass and masterauth are kept as "set" or "not set" only (the audit's facts hold them redacted anyway).
 */
import type { AuditReport } from '../security/audit.ts';
import type { Facts } from '../security/facts.ts';

/** The settings whose change is drift, in the order the console lists them. */
export const DRIFT_SETTINGS = [
  'protected-mode',
  'bind',
  'port',
  'tls-port',
  'tls-auth-clients',
  'unixsocketperm',
  'enable-protected-configs',
  'enable-debug-command',
  'enable-module-command',
  'acl-pubsub-default',
  'aclfile',
  'dir',
  'dbfilename',
  'replicaof',
  'replica-read-only',
] as const;
/** Settings kept only as whether they are set. */
export const SECRET_SETTINGS = ['requirepass', 'masterauth'] as const;

const MAX_USERS = 1000;
const MAX_VALUE = 256;

export interface PostureDigest {
  /** ACL user names, sorted; undefined when the audit could not list them. */
  users: string[] | undefined;
  /** DRIFT_SETTINGS values and SECRET_SETTINGS as 'set' / 'not set'; undefined when CONFIG was not readable. */
  settings: Record<string, string> | undefined;
}

export function postureDigest(facts: Facts): PostureDigest {
  const users = facts.users
    ? [...new Set(facts.users.slice(0, MAX_USERS).map((u) => u.name.slice(0, MAX_VALUE)))].sort()
    : undefined;
  const values = facts.config && !facts.unobserved.config ? facts.config.values : undefined;
  let settings: Record<string, string> | undefined;
  if (values) {
    settings = {};
    for (const k of DRIFT_SETTINGS) if (values[k] !== undefined) settings[k] = values[k].slice(0, MAX_VALUE);
    for (const k of SECRET_SETTINGS) if (values[k] !== undefined) settings[k] = values[k] ? 'set' : 'not set';
  }
  return { users, settings };
}

export interface AuditRecord {
  /** When the audit finished (ms). */
  at: number;
  report: AuditReport;
  digest: PostureDigest | undefined;
}

export class AuditHistory {
  /** The last two audits that worked, newest last. */
  private records: AuditRecord[] = [];
  /** Why the last audit failed ('' when it worked); and when it ended. */
  lastError = '';
  lastAttemptAt = 0;

  recordReport(record: AuditRecord): void {
    this.records.push(record);
    if (this.records.length > 2) this.records.shift();
    this.lastError = '';
    this.lastAttemptAt = record.at;
  }

  recordFailure(at: number, error: string): void {
    this.lastError = error;
    this.lastAttemptAt = at;
  }

  latest(): AuditRecord | undefined {
    return this.records.at(-1);
  }

  previous(): AuditRecord | undefined {
    return this.records.length === 2 ? this.records[0] : undefined;
  }
}
