/** The overview's columns: how each cell reads and how it sorts (pure, shared by the table and its tests). */
import type { InstanceSummary } from '../../src/console/contract.ts';
import { formatDuration, formatValue } from '../lib/format.ts';

export type ColumnKey =
  | 'instance'
  | 'health'
  | 'role'
  | 'version'
  | 'uptime'
  | 'memory'
  | 'ops'
  | 'hitRatio'
  | 'clients'
  | 'replication'
  | 'security'
  | 'alerts';

export interface Column {
  key: ColumnKey;
  title: string;
  numeric: boolean;
  sortValue(s: InstanceSummary): number | string | null;
}

const HEALTH_ORDER = { down: 0, unknown: 1, up: 2 } as const;

export function memoryShare(s: InstanceSummary): number | null {
  if (s.usedMemoryBytes === null || !s.maxmemoryBytes) return null;
  return s.usedMemoryBytes / s.maxmemoryBytes;
}

export function replicationText(s: InstanceSummary): string {
  const r = s.replication;
  if (!r) return '–';
  if ('connectedReplicas' in r) return r.connectedReplicas === 1 ? '1 replica' : `${r.connectedReplicas} replicas`;
  if (!r.linkUp) return 'link down';
  return r.lagSeconds === null ? 'link up' : `link up, lag ${formatValue(r.lagSeconds, 's')}`;
}

export const COLUMNS: Column[] = [
  { key: 'instance', title: 'Instance', numeric: false, sortValue: (s) => s.instance },
  { key: 'health', title: 'Status', numeric: false, sortValue: (s) => HEALTH_ORDER[s.health] },
  { key: 'role', title: 'Role', numeric: false, sortValue: (s) => s.role },
  { key: 'version', title: 'Version', numeric: false, sortValue: (s) => s.version },
  { key: 'uptime', title: 'Uptime', numeric: true, sortValue: (s) => s.uptimeSeconds },
  { key: 'memory', title: 'Memory', numeric: true, sortValue: (s) => memoryShare(s) ?? s.usedMemoryBytes },
  { key: 'ops', title: 'Ops/s', numeric: true, sortValue: (s) => s.opsPerSecond },
  { key: 'hitRatio', title: 'Hit ratio', numeric: true, sortValue: (s) => s.hitRatio },
  { key: 'clients', title: 'Clients', numeric: true, sortValue: (s) => s.connectedClients },
  { key: 'replication', title: 'Replication', numeric: false, sortValue: (s) => replicationText(s) },
  { key: 'security', title: 'Security', numeric: true, sortValue: (s) => s.securityScore },
  { key: 'alerts', title: 'Alerts', numeric: true, sortValue: (s) => s.firingAlerts * 1000 + s.pendingAlerts },
];

/** Sorted copy; missing values go last whichever the direction, ties by instance name. */
export function sortInstances(rows: InstanceSummary[], key: ColumnKey, ascending: boolean): InstanceSummary[] {
  const col = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0];
  return [...rows].sort((a, b) => {
    const va = col.sortValue(a);
    const vb = col.sortValue(b);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return ascending ? c : -c;
    }
    return a.instance.localeCompare(b.instance);
  });
}

export function uptimeText(s: InstanceSummary): string {
  return s.uptimeSeconds === null ? '–' : formatDuration(s.uptimeSeconds);
}
