/** GET …/slowlog: the entries kept over time for one instance, newest first, with the entries the server dropped. */
import { KEPT_SLOWLOG_ENTRIES } from '../../monitor/slowlog-history.ts';
import type { ConsoleRequest, SlowlogResponse } from '../contract.ts';
import { targetNamed } from './overview.ts';
import { wholeParam } from './query-params.ts';
import type { ConsoleDeps } from './routes.ts';

export const DEFAULT_SLOWLOG_LIMIT = 100;

export function slowlogView(req: ConsoleRequest, deps: ConsoleDeps): SlowlogResponse {
  const t = targetNamed(deps, req.params.instance);
  const since = wholeParam(req.query, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = wholeParam(req.query, 'limit', DEFAULT_SLOWLOG_LIMIT, 1, KEPT_SLOWLOG_ENTRIES);
  const { entries, missed } = t.slowlog.query(since, limit);
  return {
    entries: entries.map((e) => ({
      id: e.id,
      at: e.at,
      durationMicros: e.durationMicros,
      command: [...e.command],
      client: e.client,
      clientName: e.clientName,
    })),
    missed,
  };
}
