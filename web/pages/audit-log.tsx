/** The audit log (admins): who did what, from where, with what outcome; newest first, older on request. */
import { useEffect, useState } from 'preact/hooks';
import type { AuditLogEntry, AuditLogResponse } from '../../src/console/contract.ts';
import { getJson } from '../lib/api.ts';
import { formatTime } from '../lib/format.ts';

const PAGE = 100;

export function AuditLogPage() {
  const [entries, setEntries] = useState<AuditLogEntry[]>([]);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const load = async (before?: number) => {
    setLoading(true);
    try {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (before !== undefined) q.set('before', String(before));
      const r = await getJson<AuditLogResponse>(`/console/api/audit-log?${q}`);
      setEntries((e) => (before === undefined ? r.entries : [...e, ...r.entries]));
      setMore(r.entries.length === PAGE);
      setError('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load();
  }, []);
  return (
    <section aria-labelledby="audit-title">
      <div class="page-head">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" onClick={() => load()}>
          Refresh
        </button>
      </div>
      {error && <p class="error">{error}</p>}
      <div class="table-wrap reserve">
        <table data-testid="audit-log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">User</th>
              <th scope="col">From</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={i} data-action={e.action}>
                <td>{formatTime(e.at)}</td>
                <td>{e.user}</td>
                <td>{e.clientAddress}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <span class={`badge ${e.outcome === 'ok' ? 'up' : 'down'}`}>{e.outcome}</span>
                </td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && entries.length === 0 && !error && <p class="muted">No entries.</p>}
      {more && (
        <button type="button" disabled={loading} onClick={() => load(entries[entries.length - 1]?.at)}>
          Older entries
        </button>
      )}
    </section>
  );
}
