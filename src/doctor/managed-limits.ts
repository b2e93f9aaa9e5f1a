import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';
import type { ServerFacts } from './server-facts.ts';

/** What each blocked command costs, in features a user knows. */
const COSTS: Record<string, string> = {
  config:
    'the exporter has no redis_config_* metrics (maxmemory, maxclients); redoubt audit judges from INFO alone; redoubt harden --redis and rotate cannot change or persist settings (CONFIG SET/REWRITE)',
  psync:
    'redoubt backup cannot stream an RDB over replication and falls back to a logical copy (SCAN + DUMP: slower, not one point in time); redis-cli --rdb fails too',
  sync: 'redis-cli --rdb and older replication-based backup tools fail',
  acl: 'redoubt audit cannot read the users and their rules; redoubt rotate cannot add a second password (no zero-downtime rotation)',
  bgsave: "no on-demand RDB snapshot on the server's disk (the provider's own snapshots take its place)",
};

/**
 * Commands renamed or removed (rename-command, or a managed service such as ElastiCache, MemoryDB, Azure Cache or
 * Upstash that hides them), or refused by the ACL as ACL DRYRUN tells: what each costs and what to do.
 */
export function diagnoseManagedLimits(subject: string, facts: ServerFacts): Finding[] {
  const out: Finding[] = [];
  for (const name of facts.unknown) {
    const upper = neutralise(name.toUpperCase());
    const fix =
      name === 'config'
        ? 'if it was renamed (rename-command CONFIG <name>), give the new name to the tools: --config-command <name> (redoubt exporter and audit, redis_exporter); on a managed service, use its console or parameter groups for settings'
        : name === 'psync' || name === 'sync'
          ? 'on a managed service, use its snapshots/exports; on your own server, remove the rename-command line to allow replication-based backups'
          : `on your own server, remove the rename-command line for ${upper}; on a managed service this is its limit`;
    out.push(
      finding(
        subject,
        'managed-limits',
        'warn',
        `${upper} is renamed or disabled on this server: ${COSTS[name] ?? 'features that need it are unavailable'}`,
        fix,
      ),
    );
  }
  const psync = facts.dryRun.get('psync');
  if (psync !== undefined && psync !== 'OK' && !/acl\|dryrun/i.test(psync) && !facts.unknown.has('psync'))
    out.push(
      finding(
        subject,
        'managed-limits',
        'info',
        `user "${neutralise(facts.user)}" may not run PSYNC: ${COSTS.psync}`,
        `for backups use a user with +psync +replconf +sync (redoubt harden's "backup" user): ACL SETUSER backup on >… -@all +ping +info +replconf +sync +psync`,
      ),
    );
  const aclList = facts.dryRun.get('acl|list');
  const aclRefused =
    facts.denied.has('acl|whoami') || (aclList !== undefined && aclList !== 'OK' && !/acl\|dryrun/i.test(aclList));
  if (aclRefused && !facts.unknown.has('acl'))
    out.push(
      finding(
        subject,
        'managed-limits',
        'info',
        `user "${neutralise(facts.user)}" may not run ACL commands: ${COSTS.acl}`,
        'run redoubt audit as a user with +acl|list +acl|getuser (redoubt harden\'s "auditor"), and rotate as an administrator',
      ),
    );
  if (out.length === 0)
    out.push(
      finding(
        subject,
        'managed-limits',
        'ok',
        'CONFIG, PSYNC, SYNC, ACL and BGSAVE are available under their own names',
      ),
    );
  return out;
}
