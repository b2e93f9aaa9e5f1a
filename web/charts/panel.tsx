/**
 * One catalogue panel for one instance over the page's time range: time series through query_range (drawn by
 * TimeseriesChart), stats and gauges as big numbers coloured by their thresholds, tables as rows of labels.
 */
import { useMemo, useState } from 'preact/hooks';
import type { PanelSpec } from '../../src/catalog/panels.ts';
import { type Column, DataTable } from '../lib/data-table.tsx';
import { formatValue } from '../lib/format.ts';
import { legendName, rateIntervalSeconds, substitutePanelExpr } from '../lib/panel-query.ts';
import { queryInstant, queryRange } from '../lib/prometheus.ts';
import { sampleValue } from '../lib/samples.ts';
import { mappingFor, thresholdColor } from '../lib/thresholds.ts';
import { usePoll } from '../lib/use-poll.ts';
import { colorOf } from './colors.ts';
import { alignSeries, gridTimes, pointCount } from './series-data.ts';
import { Sparkline } from './sparkline.tsx';
import { type DrawnSeries, TimeseriesChart } from './timeseries-chart.tsx';

export interface View {
  startS: number;
  endS: number;
  stepS: number;
  scrapeS: number;
  /** Re-fetch period in ms while live; null when the range is fixed. */
  refreshMs: number | null;
}

interface PanelProps {
  panel: PanelSpec;
  instance: string;
  view: View;
  scheme: string;
  onZoom(fromS: number, toS: number): void;
}

function exprFor(expr: string, instance: string, view: View): string {
  return substitutePanelExpr(expr, instance, rateIntervalSeconds(view.stepS, view.scrapeS));
}

function useTimeseries(panel: PanelSpec, instance: string, view: View) {
  return usePoll(
    async () => {
      const grid = { startS: view.startS, endS: view.endS, stepS: view.stepS };
      const answers = await Promise.all(
        panel.targets.map((t) => queryRange(exprFor(t.expr, instance, view), grid.startS, grid.endS, grid.stepS)),
      );
      const series: DrawnSeries[] = [];
      answers.forEach((result, k) => {
        const t = panel.targets[k];
        for (const s of result) {
          series.push({
            label: legendName(t.legend, s.metric, panel.title),
            values: alignSeries(grid, s, t.negativeY ? -1 : 1),
            limit: t.limit === true,
            negative: t.negativeY === true,
          });
        }
      });
      return { times: gridTimes(grid), series };
    },
    view.refreshMs,
    [panel.id, instance, view.startS, view.endS, view.stepS],
  );
}

function TimeseriesPanel({ panel, instance, view, scheme, onZoom }: PanelProps) {
  const polled = useTimeseries(panel, instance, view);
  const d = polled.data;
  const points = useMemo(() => (d ? pointCount(d.series.map((s) => s.values)) : 0), [d]);
  return (
    <div
      class="panel-body"
      data-series={d ? d.series.length : undefined}
      data-points={d ? points : undefined}
      aria-busy={polled.loading}
    >
      {d && d.series.length === 0 && <p class="no-value">{panel.noValue ?? 'No data'}</p>}
      {d && d.series.length > 0 && (
        <TimeseriesChart panel={panel} times={d.times} series={d.series} onZoom={onZoom} scheme={scheme} />
      )}
      {!d && <div class="chart-placeholder" />}
      {polled.error && <p class="error">{polled.error}</p>}
    </div>
  );
}

interface StatValue {
  key: string;
  name: string;
  text: string;
  color: string;
  share: number | null;
}

function statValues(panel: PanelSpec, answers: Awaited<ReturnType<typeof queryInstant>>[]): StatValue[] {
  const out: StatValue[] = [];
  answers.forEach((result, k) => {
    const t = panel.targets[k];
    result.forEach((s, j) => {
      const v = sampleValue(s.value[1]);
      const name = legendName(t.legend, s.metric, '');
      const mapped = mappingFor(v, panel.mappings);
      const color = mapped?.color ?? thresholdColor(v, t.thresholds ?? panel.thresholds);
      const max = panel.max ?? (panel.unit === 'percentunit' ? 1 : null);
      out.push({
        key: `${k}-${j}`,
        name,
        text: panel.showName ? name : (mapped?.text ?? formatValue(v, panel.unit, false, panel.decimals)),
        color: colorOf(color),
        share: panel.kind === 'gauge' && max ? Math.min(Math.max(v / max, 0), 1) : null,
      });
    });
  });
  return out;
}

function StatPanel({ panel, instance, view, scheme }: PanelProps) {
  const polled = usePoll(
    async () =>
      statValues(
        panel,
        await Promise.all(panel.targets.map((t) => queryInstant(exprFor(t.expr, instance, view), view.endS))),
      ),
    view.refreshMs,
    [panel.id, instance, view.endS, view.stepS, scheme],
  );
  const values = polled.data;
  return (
    <div class="panel-body stat" data-values={values ? values.length : undefined} aria-busy={polled.loading}>
      {values && values.length === 0 && <p class="big muted">{panel.noValue ?? 'No data'}</p>}
      {values?.map((v) => (
        <div class="stat-value" key={v.key}>
          <span class="big" style={{ color: v.color }}>
            {v.text}
          </span>
          {v.name && !panel.showName && panel.targets.length + values.length > 2 && <span class="muted">{v.name}</span>}
          {v.share !== null && (
            <span class="gauge" aria-hidden="true">
              <span style={{ width: `${v.share * 100}%`, background: v.color }} />
            </span>
          )}
        </div>
      ))}
      {panel.sparkline && panel.targets[0] && (
        <Sparkline expr={exprFor(panel.targets[0].expr, instance, view)} range={view} />
      )}
      {polled.error && <p class="error">{polled.error}</p>}
    </div>
  );
}

function TablePanel({ panel, instance, view }: PanelProps) {
  const polled = usePoll(
    () => Promise.all(panel.targets.map((t) => queryInstant(exprFor(t.expr, instance, view), view.endS))),
    view.refreshMs,
    [panel.id, instance, view.endS],
  );
  const rows = polled.data?.flat() ?? [];
  const columns: Column<(typeof rows)[number]>[] = (panel.columns ?? []).map((c) => ({
    title: c.title,
    cell: (r) => {
      const raw = r.metric[c.label] ?? '';
      const m = mappingFor(raw, c.mappings);
      return m ? <span style={{ color: colorOf(m.color) }}>{m.text ?? raw}</span> : raw;
    },
  }));
  return (
    <div class="panel-body" data-values={polled.data ? rows.length : undefined} aria-busy={polled.loading}>
      {polled.data && rows.length === 0 && <p class="muted">{panel.noValue ?? 'No data'}</p>}
      {rows.length > 0 && <DataTable columns={columns} rows={rows} rowKey={(_, i) => i} />}
      {polled.error && <p class="error">{polled.error}</p>}
    </div>
  );
}

/** A panel before its range is known: its frame at its final height, nothing fetched. */
function Waiting({ panel }: { panel: PanelSpec }) {
  return (
    <div class="panel-body" aria-busy="true">
      {panel.kind === 'timeseries' && <div class="chart-placeholder" />}
    </div>
  );
}

export function Panel(props: Omit<PanelProps, 'view'> & { view: View | null }) {
  const { panel, view } = props;
  const [about, setAbout] = useState(false);
  const body =
    view === null ? (
      <Waiting panel={panel} />
    ) : panel.kind === 'timeseries' ? (
      <TimeseriesPanel {...props} view={view} />
    ) : panel.kind === 'table' ? (
      <TablePanel {...props} view={view} />
    ) : (
      <StatPanel {...props} view={view} />
    );
  return (
    <figure
      class={`panel kind-${panel.kind}`}
      data-panel-id={panel.id}
      style={{ '--span': String(panel.size.w) }}
      aria-labelledby={`panel-${panel.id}`}
    >
      <figcaption id={`panel-${panel.id}`}>
        {panel.title}
        <button
          type="button"
          class="about"
          aria-expanded={about}
          aria-controls={`about-${panel.id}`}
          aria-label={`About ${panel.title}`}
          title={panel.description}
          onClick={() => setAbout(!about)}
        >
          ?
        </button>
      </figcaption>
      {about && (
        <p id={`about-${panel.id}`} class="about-text">
          {panel.description}
        </p>
      )}
      {body}
    </figure>
  );
}
