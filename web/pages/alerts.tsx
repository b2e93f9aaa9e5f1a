/** Alerts: firing and pending now, silences (admin: create, expire early), notifiers' test button, history. */
import { useState } from 'preact/hooks';
import type {
  AlertHistoryResponse,
  AlertsResponse,
  AlertView,
  SessionInfo,
  SilenceView,
  TestNotificationResponse,
} from '../../src/console/contract.ts';
import { deleteJson, getJson, postJson } from '../lib/api.ts';
import { type Column, DataTable } from '../lib/data-table.tsx';
import { formatDuration, formatTime } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';
import { SilenceForm } from './silence-form.tsx';

const ADMIN_ONLY = 'Only admins can do this.';

function matcherOp(m: SilenceView['matchers'][number]): string {
  if (m.isRegex) return m.isEqual === false ? '!~' : '=~';
  return m.isEqual === false ? '!=' : '=';
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
}

function alertKey(a: AlertView): string {
  return `${a.name}${labelText(a.labels)}`;
}

/** The firing and pending alerts; an admin opens the silence form under one of them. */
function ActiveAlerts({ alerts, admin, onChange }: { alerts: AlertView[]; admin: boolean; onChange(m: string): void }) {
  const [open, setOpen] = useState<string | null>(null);
  const columns: Column<AlertView>[] = [
    { title: 'Alert', rowHeader: true, cell: (a) => a.name },
    {
      title: 'State',
      cell: (a) => (
        <>
          <span class={`badge ${a.state === 'firing' ? 'down' : 'pending'}`}>{a.state}</span>
          {a.silencedBy.length > 0 && <span class="badge muted-badge">silenced</span>}
        </>
      ),
    },
    {
      title: 'Since',
      cell: (a) => (
        <span class="nowrap" title={formatTime(a.activeAt)}>
          {formatDuration(Math.max(0, (Date.now() - a.activeAt) / 1000))} ago
        </span>
      ),
    },
    { title: 'Value', numeric: true, cell: (a) => (Number.isFinite(a.value) ? String(a.value) : '–') },
    { title: 'Labels', class: 'labels', cell: (a) => labelText(a.labels) },
    { title: 'Summary', cell: (a) => a.annotations.summary ?? '' },
    {
      title: 'Actions',
      hiddenTitle: true,
      cell: (a) => (
        <button
          type="button"
          disabled={!admin}
          title={admin ? undefined : ADMIN_ONLY}
          aria-expanded={open === alertKey(a)}
          onClick={() => setOpen(open === alertKey(a) ? null : alertKey(a))}
        >
          Silence…
        </button>
      ),
    },
  ];
  return (
    <DataTable
      testId="alerts"
      columns={columns}
      rows={alerts}
      rowKey={alertKey}
      rowData={(a) => ({ 'data-alert': a.name, 'data-state': a.state })}
      below={(a) =>
        admin && open === alertKey(a) ? (
          <SilenceForm
            alert={a}
            onDone={(m) => {
              setOpen(null);
              onChange(m);
            }}
          />
        ) : null
      }
    />
  );
}

function Silences({ list, admin, onChange }: { list: SilenceView[]; admin: boolean; onChange(m: string): void }) {
  const expire = async (id: string) => {
    try {
      await deleteJson(`/console/api/silences/${encodeURIComponent(id)}`);
      onChange(`Silence ${id} expired.`);
    } catch (e) {
      onChange((e as Error).message);
    }
  };
  if (list.length === 0) return <p class="muted">No silences.</p>;
  const columns: Column<SilenceView>[] = [
    {
      title: 'Matchers',
      class: 'labels',
      cell: (x) => x.matchers.map((m) => `${m.name}${matcherOp(m)}"${m.value}"`).join(', '),
    },
    { title: 'State', cell: (x) => x.state },
    { title: 'Until', cell: (x) => formatTime(x.endsAt) },
    { title: 'By', cell: (x) => x.createdBy },
    { title: 'Comment', cell: (x) => x.comment },
    {
      title: 'Actions',
      hiddenTitle: true,
      cell: (x) =>
        x.state !== 'expired' && (
          <button type="button" disabled={!admin} title={admin ? undefined : ADMIN_ONLY} onClick={() => expire(x.id)}>
            Expire now
          </button>
        ),
    },
  ];
  return (
    <DataTable
      testId="silences"
      columns={columns}
      rows={list}
      rowKey={(x) => x.id}
      rowData={(x) => ({ 'data-silence': x.id, 'data-state': x.state })}
    />
  );
}

function Notifiers({ list, admin }: { list: AlertsResponse['notifiers']; admin: boolean }) {
  const [result, setResult] = useState<Record<string, string>>({});
  const test = async (name: string) => {
    setResult((r) => ({ ...r, [name]: 'Sending…' }));
    try {
      const r = await postJson<TestNotificationResponse>(`/console/api/notifiers/${encodeURIComponent(name)}/test`);
      setResult((x) => ({ ...x, [name]: `${r.ok ? 'Delivered' : 'Failed'}: ${r.detail}` }));
    } catch (e) {
      setResult((x) => ({ ...x, [name]: (e as Error).message }));
    }
  };
  if (list.length === 0) return <p class="muted">No notifiers are configured (see --webhook-url).</p>;
  return (
    <ul class="plain">
      {list.map((n) => (
        <li key={n.name}>
          {n.name} <span class="muted">({n.type})</span>{' '}
          <button type="button" disabled={!admin} title={admin ? undefined : ADMIN_ONLY} onClick={() => test(n.name)}>
            Send test notification
          </button>{' '}
          <span role="status">{result[n.name] ?? ''}</span>
        </li>
      ))}
    </ul>
  );
}

const HISTORY_COLUMNS: Column<AlertHistoryResponse['events'][number]>[] = [
  { title: 'When', cell: (e) => formatTime(e.at) },
  { title: 'Alert', rowHeader: true, cell: (e) => e.name },
  {
    title: 'Change',
    cell: (e) => (
      <>
        {e.from} → {e.to}
      </>
    ),
  },
  { title: 'Labels', class: 'labels', cell: (e) => labelText(e.labels) },
];

function History() {
  const polled = usePoll(() => getJson<AlertHistoryResponse>('/console/api/alerts/history?limit=100'), 15_000);
  const events = polled.data?.events ?? [];
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {polled.error && <p class="error">{polled.error}</p>}
      {polled.data && events.length === 0 && <p class="muted">No transitions yet.</p>}
      {events.length > 0 && <DataTable columns={HISTORY_COLUMNS} rows={events} rowKey={(e, i) => `${e.at}-${i}`} />}
    </section>
  );
}

export function AlertsPage({ session }: { session: SessionInfo }) {
  const admin = session.role === 'admin';
  const [message, setMessage] = useState('');
  const polled = usePoll(() => getJson<AlertsResponse>('/console/api/alerts'), 2000);
  const changed = (m: string) => {
    setMessage(m);
    polled.reload();
  };
  const d = polled.data;
  const alerts = d
    ? [...d.alerts].sort((a, b) => (a.state === b.state ? a.activeAt - b.activeAt : a.state === 'firing' ? -1 : 1))
    : [];
  return (
    <section aria-labelledby="alerts-title">
      <div class="page-head">
        <h1 id="alerts-title">Alerts</h1>
        <p role="status" class="muted">
          {message}
        </p>
      </div>
      {polled.error && <p class="error">{polled.error}</p>}
      {!admin && <p class="muted">You are signed in as a viewer: silences and test notifications need an admin.</p>}
      <section class="card reserve" aria-labelledby="active-title">
        <h2 id="active-title">Firing and pending</h2>
        {d && alerts.length === 0 && <p class="muted">Nothing is firing or pending.</p>}
        {alerts.length > 0 && <ActiveAlerts alerts={alerts} admin={admin} onChange={changed} />}
      </section>
      <section class="card" aria-labelledby="silences-title">
        <h2 id="silences-title">Silences</h2>
        {d && <Silences list={d.silences} admin={admin} onChange={changed} />}
      </section>
      <section class="card" aria-labelledby="notifiers-title">
        <h2 id="notifiers-title">Notifiers</h2>
        {d && <Notifiers list={d.notifiers} admin={admin} />}
      </section>
      <History />
    </section>
  );
}
