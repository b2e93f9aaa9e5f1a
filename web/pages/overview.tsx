/** Every watched instance in one sortable table, polled every scrape interval. */
import { useState } from 'preact/hooks';
import type { InstanceSummary, OverviewResponse } from '../../src/console/contract.ts';
import { getJson } from '../lib/api.ts';
import { formatTime, formatValue } from '../lib/format.ts';
import { instancePagePath, Link } from '../lib/router.tsx';
import { usePoll } from '../lib/use-poll.ts';
import {
  COLUMNS,
  type ColumnKey,
  memoryShare,
  replicationText,
  sortInstances,
  uptimeText,
} from './overview-columns.ts';

function Health({ s }: { s: InstanceSummary }) {
  return (
    <span class={`badge ${s.health}`} title={s.lastError || undefined}>
      {s.health}
    </span>
  );
}

function Memory({ s }: { s: InstanceSummary }) {
  const share = memoryShare(s);
  const used = formatValue(s.usedMemoryBytes, 'bytes');
  if (share === null) return <span>{s.usedMemoryBytes === null ? '–' : `${used} (no limit)`}</span>;
  const level = share >= 0.9 ? 'bad' : share >= 0.8 ? 'warn' : 'ok';
  return (
    <span class="memory">
      <span>
        {used} / {formatValue(s.maxmemoryBytes, 'bytes')}
      </span>
      <meter min={0} max={1} low={0.8} high={0.9} optimum={0} value={share} class={level} aria-label="memory used" />
    </span>
  );
}

function Score({ score, partial }: { score: number | null; partial?: string }) {
  if (score === null) return <span class="muted">–</span>;
  const level = score >= 90 ? 'ok' : score >= 70 ? 'warn' : 'bad';
  return (
    <span>
      <span class={`score ${level}`}>{score}</span>
      {partial && (
        <span class="badge partial" title={partial}>
          partial
        </span>
      )}
    </span>
  );
}

function Row({ s }: { s: InstanceSummary }) {
  return (
    <tr data-instance={s.instance}>
      <th scope="row">
        <Link href={instancePagePath(s.instance)}>{s.instance}</Link>
        {s.lastError && <div class="why">{s.lastError}</div>}
      </th>
      <td data-label="Status">
        <Health s={s} />
      </td>
      <td data-label="Role">{s.role ?? '–'}</td>
      <td data-label="Version">{s.version ?? '–'}</td>
      <td data-label="Uptime" class="num">
        {uptimeText(s)}
      </td>
      <td data-label="Memory" class="num">
        <Memory s={s} />
      </td>
      <td data-label="Ops/s" class="num">
        {formatValue(s.opsPerSecond, 'short')}
      </td>
      <td data-label="Hit ratio" class="num">
        {s.hitRatio === null ? '–' : formatValue(s.hitRatio, 'percentunit', false, 1)}
      </td>
      <td data-label="Clients" class="num">
        {s.connectedClients ?? '–'}
      </td>
      <td data-label="Replication">{replicationText(s)}</td>
      <td data-label="Security" class="num">
        <Score score={s.securityScore} partial={s.securityPartial} />
      </td>
      <td data-label="Alerts" class="num">
        {s.firingAlerts > 0 && <span class="badge down">{s.firingAlerts} firing</span>}
        {s.pendingAlerts > 0 && <span class="badge pending">{s.pendingAlerts} pending</span>}
        {s.firingAlerts === 0 && s.pendingAlerts === 0 && <span class="muted">none</span>}
      </td>
    </tr>
  );
}

export function OverviewPage() {
  const [pollMs, setPollMs] = useState(10_000);
  const [sort, setSort] = useState<{ key: ColumnKey; asc: boolean }>({ key: 'health', asc: true });
  const polled = usePoll(
    async () => {
      const o = await getJson<OverviewResponse>('/console/api/overview');
      if (o.scrapeIntervalMs > 0 && o.scrapeIntervalMs !== pollMs) setPollMs(o.scrapeIntervalMs);
      return o;
    },
    pollMs,
    [],
  );
  const data = polled.data;
  const rows = data ? sortInstances(data.instances, sort.key, sort.asc) : [];
  const by = (key: ColumnKey) => setSort((s) => ({ key, asc: s.key === key ? !s.asc : true }));
  return (
    <section aria-labelledby="overview-title">
      <div class="page-head">
        <h1 id="overview-title">Overview</h1>
        <p class="muted" data-testid="overview-updated">
          {data
            ? `${data.instances.length} ${data.instances.length === 1 ? 'instance' : 'instances'} · updated ${formatTime(data.generatedAt)}`
            : 'Loading…'}
        </p>
      </div>
      {polled.error && (
        <p role="alert" class="error">
          {polled.error}
        </p>
      )}
      <div class="table-wrap reserve" data-testid="overview">
        <table class="overview">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  class={c.numeric ? 'num' : undefined}
                  aria-sort={sort.key === c.key ? (sort.asc ? 'ascending' : 'descending') : undefined}
                >
                  <button type="button" class="sort" onClick={() => by(c.key)}>
                    {c.title}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.asc ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <Row key={s.instance} s={s} />
            ))}
            {data && rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length}>No instances are watched.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
