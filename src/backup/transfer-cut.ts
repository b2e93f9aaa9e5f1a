/**
 * What to tell a user whose transfer the server cut. Redis closes a replica connection whose output buffer goes
 * over `client-output-buffer-limit replica <hard> <soft> <seconds>` (default 256mb 64mb 60): the writes made
 * during the snapshot pile up in that buffer. Pure: facts in, advice out.
 */
export interface CutFacts {
  received: number;
  /** INFO stats client_output_buffer_limit_disconnections before and after (Redis 7+), when readable. */
  disconnectionsBefore?: number;
  disconnectionsAfter?: number;
  /** CONFIG GET client-output-buffer-limit, when the user may run it. */
  limits?: string;
  rdbOnly: boolean;
}

export function replicaLimit(limits: string | undefined): string | undefined {
  const m = /(?:^|\s)(?:replica|slave) (\S+) (\S+) (\S+)/.exec(limits ?? '');
  return m ? `${m[1]} ${m[2]} ${m[3]}` : undefined;
}

export function explainCut(f: CutFacts): string {
  const mb = (f.received / 1e6).toFixed(1);
  const limit = replicaLimit(f.limits);
  const current = limit ? ` (now "replica ${limit}")` : ' (default "replica 256mb 64mb 60")';
  const raise = `raise it for the time of the backup, e.g. CONFIG SET client-output-buffer-limit "replica 1gb 512mb 120", or back up from a replica (--redis REPLICA_URL)`;
  const counted =
    f.disconnectionsBefore !== undefined &&
    f.disconnectionsAfter !== undefined &&
    f.disconnectionsAfter > f.disconnectionsBefore;
  if (counted)
    return `Redis cut the transfer after ${mb} MB because the backup went over client-output-buffer-limit for replicas${current} (INFO stats client_output_buffer_limit_disconnections went up): ${raise}. Nothing was kept.`;
  const why = f.rdbOnly
    ? 'Redis closed the connection during the transfer; it keeps no replication buffer for this backup (rdb-only), so look at the server log: repl-timeout, a restart or a failed fork are the usual causes'
    : `Redis closed the connection during the transfer; the usual cause is client-output-buffer-limit for replicas${current}: ${raise}`;
  return `${why}. ${mb} MB had arrived; nothing was kept.`;
}
