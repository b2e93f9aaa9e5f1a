/**
 * Confidentiality: RS026, who may watch other clients — MONITOR (every command and its data) and CLIENT LIST (every
 * peer). Computed like the authorization checks (permissionResult in shared.ts).
 */
import type { Check, CheckResult } from '../check.ts';
import { fail, pass } from '../check.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { describeGrants, type Grant, grantLocation, isAdminUser, permissionResult } from '../views/permissions.ts';

/**
 * MONITOR streams every command (data included) — no non-admin should have it. CLIENT LIST shows every peer; the
 * monitoring and audit accounts need it, so it counts only for users that can also reach keys (applications).
 */
function evaluateMonitorClientList(facts: Facts): CheckResult {
  const monitor = permissionResult(facts, ['monitor'], 'MONITOR', '');
  const clientList = permissionResult(facts, ['client|list'], 'CLIENT LIST', '', {
    include: (u) => !isAdminUser(facts, u) && u.keyPatterns.length > 0,
  });
  const grants = [...monitor.grants, ...clientList.grants];
  if (grants.length > 0) {
    const byUser = new Map<string, Grant>();
    for (const g of grants) {
      const seen = byUser.get(g.user.name);
      byUser.set(g.user.name, seen ? { user: g.user, commands: [...seen.commands, ...g.commands] } : g);
    }
    const merged = [...byUser.values()];
    return fail(
      `${describeGrants(merged)}: MONITOR shows every command and its data, CLIENT LIST every peer`,
      grantLocation(merged),
    );
  }
  if (monitor.result.status === 'skip') return monitor.result;
  if (monitor.result.status === 'unknown') return monitor.result;
  if (clientList.result.status === 'unknown') return clientList.result;
  return pass(`${monitor.result.evidence}; CLIENT LIST: ${clientList.result.evidence}`);
}

export const monitorClientList: Check = defineCheck('RS026', evaluateMonitorClientList);

export const CONFIDENTIALITY_CHECKS: Check[] = [monitorClientList];
