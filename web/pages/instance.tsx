/**
 * One instance: the catalogue's dashboard (every row and panel of src/catalog/panels.ts) over a time range from
 * 15 minutes to 30 days — live, or a span chosen by dragging across any chart — and its current state.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { REDIS_DASHBOARD } from '../../src/catalog/panels.ts';
import type { InstanceDetail, OverviewResponse, SessionInfo } from '../../src/console/contract.ts';
import { Panel, type View } from '../charts/panel.tsx';
import { getJson, instancePath } from '../lib/api.ts';
import { formatDuration, formatTime, formatValue } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { RANGES, resolveRange, type TimeRange } from '../lib/time-range.ts';
import { usePoll } from '../lib/use-poll.ts';
import { useScheme } from '../lib/use-scheme.ts';
import { Slowlog, StateSections } from './instance-state.tsx';

/** The scrape interval (steps are never finer), null until known: the panels wait for it rather than load twice. */
function useScrapeSeconds(): number | null {
  const [s, setS] = useState<number | null>(null);
  useEffect(() => {
    getJson<OverviewResponse>('/console/api/overview')
      .then((o) => setS(o.scrapeIntervalMs > 0 ? o.scrapeIntervalMs / 1000 : 10))
      .catch(() => setS(10));
  }, []);
  return s;
}

/** ?range=<seconds> when it is one of the picker's ranges, else the last hour. */
function initialRangeSeconds(): number {
  const asked = Number(new URLSearchParams(location.search).get('range'));
  return RANGES.some((r) => r.seconds === asked) ? asked : 3600;
}

function RangePicker({ range, setRange }: { range: TimeRange; setRange(r: TimeRange): void }) {
  const liveSeconds = range.live ? range.seconds : 0;
  return (
    <fieldset class="range">
      <legend class="sr-only">Time range</legend>
      <label for="range-select">Range</label>
      <select
        id="range-select"
        value={String(liveSeconds)}
        onChange={(e) => setRange({ live: true, seconds: Number(e.currentTarget.value) })}
      >
        {!range.live && <option value="0">Zoomed</option>}
        {RANGES.map((r) => (
          <option key={r.seconds} value={String(r.seconds)}>
            Last {r.label}
          </option>
        ))}
      </select>
      {!range.live && (
        <>
          <span class="muted">
            {formatTime(range.fromS * 1000)} → {formatTime(range.toS * 1000)}
          </span>
          <button type="button" class="primary" onClick={() => setRange({ live: true, seconds: 3600 })}>
            Back to live
          </button>
        </>
      )}
      {range.live && <span class="badge up">live</span>}
    </fieldset>
  );
}

function Summary({ d }: { d: InstanceDetail | undefined }) {
  const s = d?.summary;
  return (
    <dl class="facts summary">
      <div>
        <dt>Status</dt>
        <dd>{s ? <span class={`badge ${s.health}`}>{s.health}</span> : '…'}</dd>
      </div>
      <div>
        <dt>Role</dt>
        <dd>{s?.role ?? '–'}</dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd>{s?.version ?? '–'}</dd>
      </div>
      <div>
        <dt>Uptime</dt>
        <dd>{s?.uptimeSeconds != null ? formatDuration(s.uptimeSeconds) : '–'}</dd>
      </div>
      <div>
        <dt>Memory</dt>
        <dd>
          {formatValue(s?.usedMemoryBytes, 'bytes')}
          {s?.maxmemoryBytes ? ` / ${formatValue(s.maxmemoryBytes, 'bytes')}` : ''}
        </dd>
      </div>
      <div>
        <dt>Security</dt>
        <dd>{s?.securityScore ?? '–'}</dd>
      </div>
    </dl>
  );
}

export function InstancePage({ instance }: { instance: string; session: SessionInfo }) {
  const scheme = useScheme();
  const knownScrapeS = useScrapeSeconds();
  const scrapeS = knownScrapeS ?? 10;
  const [range, setRange] = useState<TimeRange>(() => ({ live: true, seconds: initialRangeSeconds() }));
  const [now, setNow] = useState(() => Date.now() / 1000);
  const resolved = resolveRange(range, now, scrapeS);
  const refreshMs = range.live ? Math.max(scrapeS, resolved.stepS, 5) * 1000 : null;

  // Live: move the window on by whole steps (the panels refetch when it moves).
  useEffect(() => {
    if (!range.live || refreshMs === null) return;
    const t = setInterval(() => setNow(Date.now() / 1000), refreshMs);
    return () => clearInterval(t);
  }, [range.live, refreshMs]);
  const choose = useCallback((r: TimeRange) => {
    setNow(Date.now() / 1000);
    setRange(r);
    // A live range is kept in the address (?range=86400), so a link or a reload shows the same span.
    if (r.live) history.replaceState(null, '', `${location.pathname}?range=${r.seconds}`);
  }, []);
  const onZoom = useCallback(
    (fromS: number, toS: number) => {
      if (toS - fromS >= 60) choose({ live: false, fromS: Math.floor(fromS), toS: Math.ceil(toS) });
    },
    [choose],
  );
  const view: View = useMemo(
    () => ({ ...resolved, scrapeS, refreshMs: null }),
    [resolved.startS, resolved.endS, resolved.stepS, scrapeS],
  );
  const detail = usePoll(() => getJson<InstanceDetail>(instancePath(instance)), scrapeS * 1000, [instance]);

  return (
    <article aria-labelledby="instance-title">
      <p class="crumbs">
        <Link href="/">Overview</Link> ›
      </p>
      <div class="page-head">
        <h1 id="instance-title" class="instance-name">
          {instance}
        </h1>
        <RangePicker range={range} setRange={choose} />
      </div>
      {detail.error && <p class="error">{detail.error}</p>}
      {detail.data?.summary.lastError && <p class="error">{detail.data.summary.lastError}</p>}
      <Summary d={detail.data} />
      <p class="muted hint">Drag across a chart to zoom in; every chart follows.</p>
      {REDIS_DASHBOARD.rows.map((row) => (
        <section key={row.id} class="row" aria-labelledby={`row-${row.id}`}>
          <h2 id={`row-${row.id}`}>{row.title}</h2>
          <div class="panels">
            {row.panels.map((p) => (
              <Panel
                key={p.id}
                panel={p}
                instance={instance}
                view={knownScrapeS === null ? null : view}
                scheme={scheme}
                onZoom={onZoom}
              />
            ))}
          </div>
        </section>
      ))}
      <Slowlog instance={instance} refreshMs={scrapeS * 1000} />
      {detail.data && <StateSections detail={detail.data} />}
    </article>
  );
}
