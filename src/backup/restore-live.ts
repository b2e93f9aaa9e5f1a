import type { Command, RedisConnection } from '../redis/connection.ts';
import { neutralise } from '../text/terminal.ts';
import { dumpPayload } from './dump-payload.ts';
import type { RdbRecord } from './rdb-walk.ts';

const BATCH_KEYS = 500;
const BATCH_BYTES = 8 * 1024 * 1024;

export interface LiveRestoreReport {
  restored: number;
  expiredSkipped: number;
  failed: number;
  firstErrors: string[];
}

/**
 * Sends RESTORE key ttl payload ABSTTL REPLACE for each record, in pipelined batches that start with SELECT
 * (a reconnect in between would otherwise land in another database). Keys whose absolute expiry has passed
 * are skipped. Bounded: at most one batch is held while the previous one is in flight.
 */
export class LiveRestorer {
  private pending: RdbRecord[] = [];
  private pendingBytes = 0;
  readonly report: LiveRestoreReport = { restored: 0, expiredSkipped: 0, failed: 0, firstErrors: [] };

  constructor(
    private readonly conn: RedisConnection,
    private readonly now: () => number = Date.now,
  ) {}

  add(r: RdbRecord): void {
    this.pending.push({ ...r, key: Buffer.from(r.key), value: Buffer.from(r.value) });
    this.pendingBytes += r.value.length + r.key.length;
  }

  async drain(force = false): Promise<void> {
    while (
      this.pending.length > 0 &&
      (force || this.pending.length >= BATCH_KEYS || this.pendingBytes >= BATCH_BYTES)
    ) {
      const batch = this.pending.splice(0, BATCH_KEYS);
      this.pendingBytes = this.pending.reduce((n, r) => n + r.value.length + r.key.length, 0);
      await this.send(batch);
    }
  }

  private async send(batch: RdbRecord[]): Promise<void> {
    const commands: Command[] = [];
    let db = -1;
    const now = this.now();
    for (const r of batch) {
      if (r.expireMs !== undefined && r.expireMs <= now) {
        this.report.expiredSkipped++;
        continue;
      }
      if (r.db !== db) {
        commands.push(['SELECT', r.db]);
        db = r.db;
      }
      commands.push(['RESTORE', r.key, r.expireMs ?? 0, dumpPayload(r.value, r.rdbVersion), 'ABSTTL', 'REPLACE']);
    }
    if (commands.length === 0) return;
    const replies = await this.conn.pipeline(commands);
    replies.forEach((reply, i) => {
      const isSelect = commands[i][0] === 'SELECT';
      if (reply.ok) {
        if (!isSelect) this.report.restored++;
        return;
      }
      if (isSelect) throw reply.error;
      this.report.failed++;
      if (this.report.firstErrors.length < 3)
        this.report.firstErrors.push(neutralise(reply.error.message.slice(0, 200)));
      if (/^OOM/.test(reply.error.message)) throw reply.error;
    });
  }
}
