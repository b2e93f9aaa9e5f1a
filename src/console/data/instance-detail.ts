/**
 * The state shown beside an instance's panels: keyspace, clients, persistence and replication from its last INFO
 * (empty while it is down: the panels show its history).
 */
import type { InstanceDetail } from '../contract.ts';
import { clients, keyspace, persistence, replication } from './info-view.ts';
import { liveFields, summaryOf, targetNamed } from './overview.ts';
import type { ConsoleDeps } from './routes.ts';

export function instanceDetail(deps: ConsoleDeps, instance: string | undefined): InstanceDetail {
  const t = targetNamed(deps, instance);
  const summary = summaryOf(deps, t);
  const fields = liveFields(t);
  if (!fields)
    return {
      summary,
      keyspace: [],
      clients: { connected: 0, blocked: 0, maxclients: null },
      persistence: {
        rdbLastSaveAt: null,
        rdbLastBgsaveOk: null,
        rdbChangesSinceLastSave: null,
        aofEnabled: null,
        aofLastWriteOk: null,
      },
      replication: { role: null, connectedReplicas: [], master: null },
    };
  return {
    summary,
    keyspace: keyspace(fields),
    clients: clients(fields, t.lastSnapshot?.config ?? {}),
    persistence: persistence(fields),
    replication: replication(fields),
  };
}
