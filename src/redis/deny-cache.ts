import type { Command, RedisConnection, Reply } from './connection.ts';
import { DelegatingConnection } from './delegating-connection.ts';

/** Commands whose first argument is a subcommand, so permissions apply per `cmd|sub`. */
const CONTAINERS = new Set([
  'acl',
  'client',
  'cluster',
  'command',
  'config',
  'function',
  'latency',
  'memory',
  'module',
  'object',
  'script',
  'slowlog',
  'xinfo',
]);

export function permissionKey(cmd: Command): string {
  const name = String(cmd[0]).toLowerCase();
  return CONTAINERS.has(name) && cmd.length > 1 ? `${name}|${String(cmd[1]).toLowerCase()}` : name;
}

const PERMANENT = /^NOPERM|unknown command|unknown subcommand/i;

/**
 * A connection that remembers, per underlying connection, which commands the server refused for good (NOPERM,
 * unknown command) and answers them locally afterwards. A periodic audit under a least-privilege user then
 * costs the server one error reply per forbidden command per connection, not one per interval.
 */
export class DenyCachingConnection extends DelegatingConnection {
  private denied = new Map<string, Error>();
  private generationSeen = -1;

  constructor(inner: RedisConnection) {
    super(inner);
  }

  private sync(): void {
    if (this.inner.generation !== this.generationSeen) {
      this.denied.clear();
      this.generationSeen = this.inner.generation;
    }
  }

  async pipeline(commands: Command[]): Promise<Reply[]> {
    this.sync();
    const out: Reply[] = new Array(commands.length);
    const send: Command[] = [];
    const where: number[] = [];
    commands.forEach((c, i) => {
      const known = this.denied.get(permissionKey(c));
      if (known) out[i] = { ok: false, error: known };
      else {
        send.push(c);
        where.push(i);
      }
    });
    const replies = send.length ? await this.inner.pipeline(send) : [];
    this.sync();
    replies.forEach((r, j) => {
      out[where[j]] = r;
      if (!r.ok && PERMANENT.test(r.error.message)) this.denied.set(permissionKey(send[j]), r.error);
    });
    return out;
  }
}
