import type { RedisConnection } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/target.ts';

export interface SourceFacts {
  target: RedisTarget;
  role: 'master' | 'slave' | 'unknown';
  linkUp: boolean;
}

/** role and master_link_status from INFO replication. */
export function replicationFacts(info: string): {
  role: 'master' | 'slave' | 'unknown';
  linkUp: boolean;
  replicas: number;
} {
  const role = /^role:(master|slave)\r?$/m.exec(info)?.[1] as 'master' | 'slave' | undefined;
  return {
    role: role ?? 'unknown',
    linkUp: /^master_link_status:up\r?$/m.test(info),
    replicas: Number(/^connected_slaves:(\d+)\r?$/m.exec(info)?.[1] ?? 0),
  };
}

/**
 * Which server to read the snapshot from: a replica whose link to its master is up takes the fork and the
 * transfer off the master; otherwise the first server given. Pure, over facts gathered by the caller.
 */
export function chooseSource(facts: SourceFacts[]): SourceFacts {
  return facts.find((f) => f.role === 'slave' && f.linkUp) ?? facts[0];
}

export async function gatherFacts(conn: RedisConnection): Promise<SourceFacts> {
  try {
    const f = replicationFacts(String(await conn.call('INFO', 'replication')));
    return { target: conn.target, role: f.role, linkUp: f.linkUp };
  } catch {
    return { target: conn.target, role: 'unknown', linkUp: false };
  }
}
