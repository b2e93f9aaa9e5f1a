/** The state beside an instance's panels: keyspace, clients, persistence, replication, and the slowlog kept over time. */
import type { InstanceDetail, SlowlogResponse } from '../../src/console/contract.ts';
import { getJson, instancePath } from '../lib/api.ts';
import { type Column, DataTable } from '../lib/data-table.tsx';
import { formatTime, formatValue } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';

const KEYSPACE_COLUMNS: Column<InstanceDetail['keyspace'][number]>[] = [
  { title: 'db', rowHeader: true, cell: (k) => `db${k.db}` },
  { title: 'Keys', numeric: true, cell: (k) => k.keys },
  { title: 'With expiry', numeric: true, cell: (k) => k.expires },
  { title: 'Avg TTL', numeric: true, cell: (k) => (k.avgTtlMs ? formatValue(k.avgTtlMs, 'ms') : '–') },
];

const SLOWLOG_COLUMNS: Column<SlowlogResponse['entries'][number]>[] = [
  { title: 'When', cell: (e) => formatTime(e.at) },
  { title: 'Took', numeric: true, cell: (e) => formatValue(e.durationMicros, 'µs') },
  { title: 'Command', cell: (e) => <code>{e.command.join(' ')}</code> },
  { title: 'Client', cell: (e) => `${e.client}${e.clientName ? ` (${e.clientName})` : ''}` },
];

const yesNo = (v: boolean | null, yes: string, no: string) => (v === null ? '–' : v ? yes : no);

function Facts({ rows }: { rows: Array<[string, string]> }) {
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function StateSections({ detail }: { detail: InstanceDetail }) {
  const p = detail.persistence;
  const r = detail.replication;
  return (
    <div class="state-grid">
      <section class="card" aria-labelledby="ks-title">
        <h2 id="ks-title">Keyspace</h2>
        {detail.keyspace.length === 0 ? (
          <p class="muted">No keys.</p>
        ) : (
          <DataTable columns={KEYSPACE_COLUMNS} rows={detail.keyspace} rowKey={(k) => k.db} />
        )}
      </section>
      <section class="card" aria-labelledby="clients-title">
        <h2 id="clients-title">Clients</h2>
        <Facts
          rows={[
            ['Connected', String(detail.clients.connected)],
            ['Blocked', String(detail.clients.blocked)],
            ['maxclients', detail.clients.maxclients === null ? '–' : String(detail.clients.maxclients)],
          ]}
        />
      </section>
      <section class="card" aria-labelledby="persist-title">
        <h2 id="persist-title">Persistence</h2>
        <Facts
          rows={[
            ['Last RDB save', p.rdbLastSaveAt === null ? '–' : formatTime(p.rdbLastSaveAt)],
            ['Last bgsave', yesNo(p.rdbLastBgsaveOk, 'ok', 'FAILED')],
            ['Changes since save', p.rdbChangesSinceLastSave === null ? '–' : String(p.rdbChangesSinceLastSave)],
            ['AOF', yesNo(p.aofEnabled, 'on', 'off')],
            ['Last AOF write', yesNo(p.aofLastWriteOk, 'ok', 'FAILED')],
          ]}
        />
      </section>
      <section class="card" aria-labelledby="repl-title">
        <h2 id="repl-title">Replication</h2>
        <Facts rows={[['Role', r.role ?? '–']]} />
        {r.master && (
          <Facts
            rows={[
              ['Master', r.master.address],
              ['Link', r.master.linkUp ? 'up' : 'DOWN'],
              ['Last I/O', r.master.lastIoSecondsAgo === null ? '–' : `${r.master.lastIoSecondsAgo} s ago`],
            ]}
          />
        )}
        {r.connectedReplicas.length > 0 && (
          <ul class="plain">
            {r.connectedReplicas.map((x) => (
              <li key={x.address}>
                {x.address} · {x.state} · lag {x.lagSeconds === null ? '–' : `${x.lagSeconds} s`} · offset {x.offset}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function Slowlog({ instance, refreshMs }: { instance: string; refreshMs: number | null }) {
  const polled = usePoll(() => getJson<SlowlogResponse>(instancePath(instance, '/slowlog?limit=100')), refreshMs, [
    instance,
  ]);
  const d = polled.data;
  return (
    <section class="card" aria-labelledby="slowlog-title">
      <h2 id="slowlog-title">Slowlog</h2>
      {polled.error && <p class="error">{polled.error}</p>}
      {d && d.missed > 0 && (
        <p class="warn-text">
          {d.missed} entries were dropped by Redis between two reads (slowlog-max-len is too small for the load).
        </p>
      )}
      {d && d.entries.length === 0 && <p class="muted">No slow commands recorded.</p>}
      {d && d.entries.length > 0 && (
        <DataTable class="slowlog" columns={SLOWLOG_COLUMNS} rows={d.entries} rowKey={(e) => `${e.id}-${e.at}`} />
      )}
    </section>
  );
}
