/**
 * Security: the latest audit of each instance, its score with what it covers (checks graded, and what the watching
 * user would need for the rest), findings grouped by severity, drift since the previous run, re-run now.
 */
import { useState } from 'preact/hooks';
import type { SecurityFinding, SecurityInstance, SecurityResponse, SessionInfo } from '../../src/console/contract.ts';
import { getJson, postJson } from '../lib/api.ts';
import { formatTime } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';

const SEVERITIES: SecurityFinding['severity'][] = ['critical', 'high', 'medium', 'low', 'info'];

/** "graded on …" as a sentence: "Graded on …". */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function Finding({ f }: { f: SecurityFinding }) {
  return (
    <li class={`finding ${f.status}`} data-check={f.id}>
      <details>
        <summary>
          <span class={`badge sev-${f.severity}`}>{f.status}</span> {f.title} <span class="muted">({f.id})</span>
        </summary>
        {f.evidence && (
          <p>
            <strong>Evidence:</strong> {f.evidence}
          </p>
        )}
        {f.remediation && (
          <p>
            <strong>Remediation:</strong> {f.remediation}
          </p>
        )}
      </details>
    </li>
  );
}

function InstanceAudit({ s, admin }: { s: SecurityInstance; admin: boolean }) {
  const [current, setCurrent] = useState(s);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const rerun = async () => {
    setBusy(true);
    setError('');
    try {
      setCurrent(await postJson<SecurityInstance>(`/console/api/security/${encodeURIComponent(s.instance)}/audit`));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const x = current.auditedAt !== null && s.auditedAt !== null && s.auditedAt > current.auditedAt ? s : current;
  const failing = x.findings.filter((f) => f.status === 'fail');
  const rest = x.findings.filter((f) => f.status !== 'fail');
  return (
    <section class="card" aria-label={`Audit of ${x.instance}`} data-instance={x.instance}>
      <div class="page-head">
        <h2 class="instance-name">{x.instance}</h2>
        <span class={`score ${x.score === null ? '' : x.score >= 90 ? 'ok' : x.score >= 70 ? 'warn' : 'bad'}`}>
          {x.score === null ? 'no score' : `${x.score}/100`}
        </span>
        {x.coverage && x.coverage.blocked > 0 && <span class="badge partial">partial</span>}
        <button
          type="button"
          disabled={!admin || busy}
          title={admin ? undefined : 'Only admins can do this.'}
          onClick={rerun}
        >
          {busy ? 'Auditing…' : 'Re-run now'}
        </button>
      </div>
      <p class="muted">{x.auditedAt === null ? 'Not audited yet.' : `Audited ${formatTime(x.auditedAt)}`}</p>
      {x.coverage && (
        <p class={x.coverage.blocked > 0 ? 'coverage warn-text' : 'coverage muted'} data-testid="coverage">
          {sentence(x.coverage.summary)}.
        </p>
      )}
      {x.error && <p class="error">{x.error}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {x.drift.length > 0 && (
        <div class="drift">
          <h3>Changed since the previous audit</h3>
          <ul class="plain">
            {x.drift.map((d, i) => (
              <li key={i} class={`drift-line drift-${d.kind}`}>
                {d.text}
              </li>
            ))}
          </ul>
        </div>
      )}
      {SEVERITIES.map((sev) => {
        const group = failing.filter((f) => f.severity === sev);
        if (group.length === 0) return null;
        return (
          <div key={sev}>
            <h3>
              <span class={`badge sev-${sev}`}>{sev}</span> {group.length} failing
            </h3>
            <ul class="plain">
              {group.map((f) => (
                <Finding key={f.id} f={f} />
              ))}
            </ul>
          </div>
        );
      })}
      {rest.length > 0 && (
        <details>
          <summary>{rest.length} passing, unknown or skipped checks</summary>
          <ul class="plain">
            {rest.map((f) => (
              <Finding key={f.id} f={f} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function SecurityPage({ session }: { session: SessionInfo }) {
  const polled = usePoll(() => getJson<SecurityResponse>('/console/api/security'), 30_000);
  return (
    <section aria-labelledby="security-title">
      <div class="page-head">
        <h1 id="security-title">Security</h1>
      </div>
      {polled.error && <p class="error">{polled.error}</p>}
      {polled.loading && <p class="loading reserve">Loading…</p>}
      {polled.data?.instances.map((s) => (
        <InstanceAudit key={`${s.instance}-${s.auditedAt}`} s={s} admin={session.role === 'admin'} />
      ))}
    </section>
  );
}
