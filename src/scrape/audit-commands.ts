import type { Command, RedisConnection, Reply } from '../redis/connection.ts';
import { DelegatingConnection } from '../redis/delegating-connection.ts';
import { DenyCachingConnection, permissionKey } from '../redis/deny-cache.ts';

/**
 * What the least-privilege exporter user may run (README "A least-privilege ACL user for the exporter"), as
 * permission keys: the background audit sends nothing else unless --security.audit-commands says the user has more.
 * CONFIG may be renamed (--config-command): its new name is added by the caller.
 */
const LEAST_PRIVILEGE = ['ping', 'info', 'config|get', 'command|info'];

/**
 * A connection that sends only the commands of an allowlist and answers the others locally with an error reply,
 * as if refused. No ACL check can be asked of Redis without the right to ask (ACL DRYRUN, ACL WHOAMI and
 * redis.acl_check_cmd all need permissions the exporter user does not have), and every refused command is an
 * ACL LOG entry and an errorstat_NOPERM count, which the audit reads as privilege probing by someone: so the
 * exporter's background audit does not try.
 */
export class LeastPrivilegeConnection extends DelegatingConnection {
  private readonly allowed: Set<string>;

  constructor(inner: RedisConnection, configCommand: string | null) {
    super(inner);
    this.allowed = new Set(LEAST_PRIVILEGE);
    if (configCommand && configCommand.toLowerCase() !== 'config') this.allowed.add(configCommand.toLowerCase());
  }

  async pipeline(commands: Command[]): Promise<Reply[]> {
    const out: Reply[] = new Array(commands.length);
    const send: Command[] = [];
    const where: number[] = [];
    commands.forEach((c, i) => {
      const key = permissionKey(c);
      if (this.allowed.has(key)) {
        send.push(c);
        where.push(i);
      } else
        out[i] = {
          ok: false,
          error: new Error(
            `NOTSENT ${key.toUpperCase()} is not sent by the exporter's background audit (--security.audit-commands all sends it)`,
          ),
        };
    });
    const replies = send.length > 0 ? await this.inner.pipeline(send) : [];
    replies.forEach((r, j) => {
      out[where[j]] = r;
    });
    return out;
  }
}

/** --security.audit-commands: auto, least-privilege or all. */
export type AuditCommands = 'auto' | 'least-privilege' | 'all';

/**
 * The connection the background audit talks through. `all` sends everything and learns refusals once per
 * connection; `least-privilege` sends only what the least-privilege exporter user may run. `auto` is
 * least-privilege for a named ACL user (the README's exporter user, whose every refusal would be evidence of
 * probing in ACL LOG) and all for the default user (requirepass or no password: it has every command unless
 * someone restricted it, and the checks that need ACL LIST, such as "no password", need it).
 */
export function auditConnection(
  conn: RedisConnection,
  mode: AuditCommands,
  configCommand: string | null,
): RedisConnection {
  const all = mode === 'all' || (mode === 'auto' && !conn.target.username);
  return all ? new DenyCachingConnection(conn) : new LeastPrivilegeConnection(conn, configCommand);
}
