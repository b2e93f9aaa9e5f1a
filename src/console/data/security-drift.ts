/**
 * What changed between two audits of one server, one readable line each: a check that now fails, one that was
 * fixed, an ACL user added or removed, a security setting changed (protected-mode turned off, dir moved…). Pure
 * over the two records; the previous one is absent after the first audit (then there is no drift).
 */
import type { AuditRecord } from '../../monitor/audit-history.ts';
import type { Finding } from '../../security/audit.ts';
import type { SecurityDrift } from '../contract.ts';

const MAX_DRIFT = 200;

function failing(findings: readonly Finding[]): Map<string, Finding> {
  return new Map(findings.filter((f) => f.status === 'fail').map((f) => [f.id, f]));
}

function checkDrift(prev: readonly Finding[], cur: readonly Finding[]): SecurityDrift[] {
  const out: SecurityDrift[] = [];
  const before = failing(prev);
  const now = failing(cur);
  for (const [id, f] of now)
    if (!before.has(id)) out.push({ kind: 'newly-failing', text: `${f.title} (${id}) now fails`, checkId: id });
  const passing = new Set(cur.filter((f) => f.status === 'pass').map((f) => f.id));
  for (const [id, f] of before)
    if (passing.has(id)) out.push({ kind: 'fixed', text: `${f.title} (${id}) is fixed`, checkId: id });
  return out;
}

function userDrift(prev: readonly string[] | undefined, cur: readonly string[] | undefined): SecurityDrift[] {
  if (!prev || !cur) return [];
  const before = new Set(prev);
  const now = new Set(cur);
  return [
    ...cur.filter((u) => !before.has(u)).map((u): SecurityDrift => ({ kind: 'user-added', text: `user '${u}' added` })),
    ...prev
      .filter((u) => !now.has(u))
      .map((u): SecurityDrift => ({ kind: 'user-removed', text: `user '${u}' removed` })),
  ];
}

/** "protected-mode turned off", "requirepass removed", "dir changed from '/data' to '/tmp'". */
export function settingChangeText(name: string, from: string, to: string): string {
  if (name === 'requirepass' || name === 'masterauth') return to === 'set' ? `${name} set` : `${name} removed`;
  const onOff = (v: string) => (v === 'yes' ? 'on' : v === 'no' ? 'off' : undefined);
  const [a, b] = [onOff(from), onOff(to)];
  if (a && b) return `${name} turned ${b}`;
  return `${name} changed from '${from}' to '${to}'`;
}

function settingDrift(
  prev: Readonly<Record<string, string>> | undefined,
  cur: Readonly<Record<string, string>> | undefined,
): SecurityDrift[] {
  if (!prev || !cur) return [];
  const out: SecurityDrift[] = [];
  for (const [name, to] of Object.entries(cur)) {
    const from = prev[name];
    if (from !== undefined && from !== to)
      out.push({ kind: 'setting-changed', text: settingChangeText(name, from, to) });
  }
  return out;
}

export function securityDrift(prev: AuditRecord | undefined, cur: AuditRecord | undefined): SecurityDrift[] {
  if (!prev || !cur) return [];
  return [
    ...settingDrift(prev.digest?.settings, cur.digest?.settings),
    ...userDrift(prev.digest?.users, cur.digest?.users),
    ...checkDrift(prev.report.findings, cur.report.findings),
  ].slice(0, MAX_DRIFT);
}
