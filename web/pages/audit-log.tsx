/** The audit log (admins): who did what, from where, with what outcome; newest first, older on request. */
import { useEffect, useState } from 'preact/hooks';
import type { AuditLogEntry, AuditLogResponse } from '../../src/console/contract.ts';
import { getJson } from '../lib/api.ts';
import { type Column, DataTable } from '../lib/data-table.tsx';
import { formatTime } from '../lib/format.ts';

const PAGE = 100;

const COLUMNS: Column<AuditLogEntry>[] = [
  { title: 'When', cell: (e) => formatTime(e.at) },
  { title: 'User', cell: (e) => e.user },
  { title: 'From', cell: (e) => e.clientAddress },
  { title: 'Action', cell: (e) => e.action },
  { title: 'Target', cell: (e) => e.target },
  {
    title: 'Outcome',
    cell: (e) => <span class={`badge ${e.outcome === 'ok' ? 'up' : 'down'}`}>{e.outcome}</span>,
  },
  { title: 'Detail', cell: (e) => e.detail },
];

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
      <DataTable
        testId="audit-log"
        wrapClass="reserve"
        columns={COLUMNS}
        rows={entries}
        rowKey={(e, i) => `${e.at}-${i}`}
        rowData={(e) => ({ 'data-action': e.action })}
      />
      {!loading && entries.length === 0 && !error && <p class="muted">No entries.</p>}
      {more && (
        <button type="button" disabled={loading} onClick={() => load(entries[entries.length - 1]?.at)}>
          Older entries
        </button>
      )}
    </section>
  );
}
