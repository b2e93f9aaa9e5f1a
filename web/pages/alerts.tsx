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

function AlertRow({ a, admin, onChange }: { a: AlertView; admin: boolean; onChange(m: string): void }) {
  const [open, setOpen] = useState(false);
  const since = Math.max(0, (Date.now() - a.activeAt) / 1000);
  return (
    <>
      <tr data-alert={a.name} data-state={a.state}>
        <th scope="row">{a.name}</th>
        <td>
          <span class={`badge ${a.state === 'firing' ? 'down' : 'pending'}`}>{a.state}</span>
          {a.silencedBy.length > 0 && <span class="badge muted-badge">silenced</span>}
        </td>
        <td>
          <span class="nowrap" title={formatTime(a.activeAt)}>
            {formatDuration(since)} ago
          </span>
        </td>
        <td class="num">{Number.isFinite(a.value) ? String(a.value) : '–'}</td>
        <td class="labels">{labelText(a.labels)}</td>
        <td>{a.annotations.summary ?? ''}</td>
        <td>
          <button
            type="button"
            disabled={!admin}
            title={admin ? undefined : ADMIN_ONLY}
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            Silence…
          </button>
        </td>
      </tr>
      {open && admin && (
        <tr>
          <td colSpan={7}>
            <SilenceForm
              alert={a}
              onDone={(m) => {
                setOpen(false);
                onChange(m);
              }}
            />
          </td>
        </tr>
      )}
    </>
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
  return (
    <div class="table-wrap">
      <table data-testid="silences">
        <thead>
          <tr>
            <th scope="col">Matchers</th>
            <th scope="col">State</th>
            <th scope="col">Until</th>
            <th scope="col">By</th>
            <th scope="col">Comment</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.id} data-silence={s.id} data-state={s.state}>
              <td class="labels">{s.matchers.map((m) => `${m.name}${matcherOp(m)}"${m.value}"`).join(', ')}</td>
              <td>{s.state}</td>
              <td>{formatTime(s.endsAt)}</td>
              <td>{s.createdBy}</td>
              <td>{s.comment}</td>
              <td>
                {s.state !== 'expired' && (
                  <button
                    type="button"
                    disabled={!admin}
                    title={admin ? undefined : ADMIN_ONLY}
                    onClick={() => expire(s.id)}
                  >
                    Expire now
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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

function History() {
  const polled = usePoll(() => getJson<AlertHistoryResponse>('/console/api/alerts/history?limit=100'), 15_000);
  const events = polled.data?.events ?? [];
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {polled.error && <p class="error">{polled.error}</p>}
      {polled.data && events.length === 0 && <p class="muted">No transitions yet.</p>}
      {events.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Alert</th>
                <th scope="col">Change</th>
                <th scope="col">Labels</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={i}>
                  <td>{formatTime(e.at)}</td>
                  <td>{e.name}</td>
                  <td>
                    {e.from} → {e.to}
                  </td>
                  <td class="labels">{labelText(e.labels)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
        {alerts.length > 0 && (
          <div class="table-wrap">
            <table data-testid="alerts">
              <thead>
                <tr>
                  <th scope="col">Alert</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col" class="num">
                    Value
                  </th>
                  <th scope="col">Labels</th>
                  <th scope="col">Summary</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => (
                  <AlertRow key={`${a.name}${labelText(a.labels)}`} a={a} admin={admin} onChange={changed} />
                ))}
              </tbody>
            </table>
          </div>
        )}
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
