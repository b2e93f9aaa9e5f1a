/**
 * Renders the dashboard catalogue (panels.ts) to the Grafana dashboard JSON that `redoubt stack` provisions, with
 * @grafana/grafana-foundation-sdk's builders. Pure: the same catalogue gives the same bytes (ids come from the
 * catalogue, positions from a fixed layout, object keys are sorted).
 */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode as ColorMode,
  BigValueGraphMode as GraphMode,
  GraphTransform,
  VizLegendOptionsBuilder as LegendBuilder,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TableCellDisplayMode,
  TableCellHeight,
  BigValueTextMode as TextMode,
  GraphThresholdsStyleConfigBuilder as ThresholdsStyleBuilder,
  GraphThresholdsStyleMode as ThresholdsStyleMode,
  VizTooltipOptionsBuilder as TooltipBuilder,
  TooltipDisplayMode,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  type DataTransformerConfig,
  type DynamicConfigValue,
  type GridPos,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  type ThresholdsConfig,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugeBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder, PromQueryFormat, QueryEditorMode } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE_REF } from './datasource.ts';
import {
  type DashboardSpec,
  type PanelSpec,
  type PanelTarget,
  REDIS_DASHBOARD,
  type Thresholds,
  type ValueText,
} from './panels.ts';

/**
 * The dashboard schemaVersion written to the JSON. SDK 0.0.21 emits 42 (Grafana 12.2+); its Grafana 11.6 build
 * emits 41, and Grafana 11.0–11.2 know 39. We declare 39, the newest version every Grafana 11 (and 10.3+)
 * knows natively, so none of them loads a dashboard "from the future". Newer Grafanas then run migrations 40
 * (a boolean `refresh` becomes ''), 41 (drops `timepicker.time_options`) and 42 (`hideFrom.viz` overrides also
 * hide the tooltip), none of which touches what we generate — test/unit/dashboard.test.ts checks that.
 */
export const DASHBOARD_SCHEMA_VERSION = 39;

/** Grafana's grid is 24 columns wide; a row header is one grid unit high. */
export const GRID_COLUMNS = 24;

/** Positions of rows and panels: rows full width, panels left to right, wrapping when the next does not fit. */
export function layoutDashboard(spec: DashboardSpec): Map<number, GridPos> {
  const positions = new Map<number, GridPos>();
  const place = (id: number, pos: GridPos) => {
    if (positions.has(id)) throw new Error(`panel id ${id} is used twice`);
    positions.set(id, pos);
  };
  let y = 0;
  for (const row of spec.rows) {
    place(row.id, { x: 0, y, w: GRID_COLUMNS, h: 1 });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const panel of row.panels) {
      const { w, h } = panel.size;
      if (w < 1 || w > GRID_COLUMNS || h < 1) throw new Error(`panel ${panel.id} "${panel.title}" has size ${w}×${h}`);
      if (x + w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      place(panel.id, { x, y, w, h });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return positions;
}

function thresholdsConfig(t: Thresholds): ThresholdsConfig {
  return {
    mode: ThresholdsMode.Absolute,
    steps: [{ value: null, color: t.base }, ...t.steps.map((s) => ({ value: s.value, color: s.color }))],
  };
}

function thresholdsBuilder(t: Thresholds): ThresholdsConfigBuilder {
  const c = thresholdsConfig(t);
  return new ThresholdsConfigBuilder().mode(c.mode).steps(c.steps);
}

function valueMappings(values: ValueText[]): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  values.forEach((v, index) => {
    options[String(v.value)] = { text: v.text, color: v.color, index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

/** Query refIds A, B, C … in catalogue order. */
function refId(i: number): string {
  return String.fromCharCode(65 + i);
}

function query(target: PanelTarget, i: number, table: boolean): Builder<Dataquery> {
  const q = new DataqueryBuilder()
    .datasource(DATASOURCE_REF)
    .refId(refId(i))
    .expr(target.expr)
    .legendFormat(target.legend || '__auto')
    .editorMode(QueryEditorMode.Code);
  // Tables show the labels of the series as they are now; everything else draws (or reduces) a range.
  return table ? q.instant().format(PromQueryFormat.Table) : q.range();
}

/** What the four panel builders share; each is structurally one of these. */
interface CommonPanelBuilder {
  id(id: number): unknown;
  title(title: string): unknown;
  description(description: string): unknown;
  datasource(ref: { type: string; uid: string }): unknown;
  gridPos(pos: GridPos): unknown;
  unit(unit: string): unknown;
  decimals(decimals: number): unknown;
  min(min: number): unknown;
  max(max: number): unknown;
  thresholds(t: ThresholdsConfigBuilder): unknown;
  mappings(m: ValueMapping[]): unknown;
  noValue(text: string): unknown;
  withTarget(target: Builder<Dataquery>): unknown;
  overrideByQuery(refId: string, properties: DynamicConfigValue[]): unknown;
}

function applyCommon(b: CommonPanelBuilder, panel: PanelSpec, pos: GridPos): void {
  b.id(panel.id);
  b.title(panel.title);
  b.description(panel.description);
  b.datasource(DATASOURCE_REF);
  b.gridPos(pos);
  b.unit(panel.unit);
  if (panel.decimals !== undefined) b.decimals(panel.decimals);
  if (panel.min !== undefined) b.min(panel.min);
  if (panel.max !== undefined) b.max(panel.max);
  // Always set: Grafana's default (green, red from 80) would colour plain counts red.
  b.thresholds(thresholdsBuilder(panel.thresholds ?? { base: 'green', steps: [] }));
  if (panel.mappings) b.mappings(valueMappings(panel.mappings));
  if (panel.noValue !== undefined) b.noValue(panel.noValue);
  panel.targets.forEach((t, i) => {
    b.withTarget(query(t, i, panel.kind === 'table'));
    if (t.thresholds) b.overrideByQuery(refId(i), [{ id: 'thresholds', value: thresholdsConfig(t.thresholds) }]);
  });
}

function lastValue(): ReduceDataOptionsBuilder {
  return new ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']).fields('');
}

function timeseries(panel: PanelSpec, pos: GridPos): TimeseriesBuilder {
  const b = new TimeseriesBuilder()
    .legend(new LegendBuilder().displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).showLegend(true))
    .tooltip(new TooltipBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(10);
  applyCommon(b, panel, pos);
  // A time series' thresholds are the levels its alerts fire at: draw them as dashed lines.
  if (panel.thresholds) b.thresholdsStyle(new ThresholdsStyleBuilder().mode(ThresholdsStyleMode.Dashed));
  panel.targets.forEach((t, i) => {
    if (t.limit)
      b.overrideByQuery(refId(i), [
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
        { id: 'custom.fillOpacity', value: 0 },
      ]);
    if (t.negativeY) b.overrideByQuery(refId(i), [{ id: 'custom.transform', value: GraphTransform.NegativeY }]);
  });
  return b;
}

function stat(panel: PanelSpec, pos: GridPos): StatBuilder {
  const b = new StatBuilder()
    .reduceOptions(lastValue())
    .graphMode(panel.sparkline ? GraphMode.Area : GraphMode.None)
    .colorMode(ColorMode.Value)
    .textMode(panel.showName ? TextMode.Name : TextMode.Auto);
  applyCommon(b, panel, pos);
  return b;
}

function gauge(panel: PanelSpec, pos: GridPos): GaugeBuilder {
  const b = new GaugeBuilder().reduceOptions(lastValue()).showThresholdMarkers(true).showThresholdLabels(false);
  applyCommon(b, panel, pos);
  return b;
}

function table(panel: PanelSpec, pos: GridPos): TableBuilder {
  const columns = panel.columns ?? [];
  const transformations: DataTransformerConfig[] = [
    // Only the listed labels: exporters and relabelling add others (job, instance_role, __name__, Time, Value).
    { id: 'filterFieldsByName', options: { include: { names: columns.map((c) => c.label) } } },
    {
      id: 'organize',
      options: {
        indexByName: Object.fromEntries(columns.map((c, i) => [c.label, i])),
        renameByName: Object.fromEntries(columns.map((c) => [c.label, c.title])),
      },
    },
  ];
  const b = new TableBuilder().transformations(transformations).cellHeight(TableCellHeight.Sm);
  applyCommon(b, panel, pos);
  for (const c of columns)
    if (c.mappings)
      b.overrideByName(c.label, [
        { id: 'mappings', value: valueMappings(c.mappings) },
        { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorText } },
      ]);
  return b;
}

function panelBuilder(panel: PanelSpec, pos: GridPos) {
  switch (panel.kind) {
    case 'timeseries':
      return timeseries(panel, pos);
    case 'stat':
      return stat(panel, pos);
    case 'gauge':
      return gauge(panel, pos);
    case 'table':
      return table(panel, pos);
  }
}

/** The dashboard model (Grafana's JSON as an object, typed by the SDK), before key sorting. */
export function buildDashboard(spec: DashboardSpec = REDIS_DASHBOARD): Dashboard {
  const positions = layoutDashboard(spec);
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(spec.tags)
    .refresh(spec.refresh)
    .time(spec.time)
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable()
    .annotations([]);
  for (const v of spec.variables)
    d.withVariable(
      new QueryVariableBuilder(v.name)
        .label(v.label)
        .datasource(DATASOURCE_REF)
        .query(v.query)
        .definition(v.query)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        // Queries match with =~, so "All" is any value rather than Grafana's alternation of the known ones.
        .allValue('.+')
        .current({ selected: true, text: ['All'], value: ['$__all'] }),
    );
  for (const row of spec.rows) {
    d.withRow(new RowBuilder(row.title).id(row.id).gridPos(positions.get(row.id)!));
    for (const panel of row.panels) d.withPanel(panelBuilder(panel, positions.get(panel.id)!));
  }
  const model = d.build();
  model.schemaVersion = DASHBOARD_SCHEMA_VERSION;
  return model;
}

/** Recursively sorts object keys so the JSON's bytes depend only on its content. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** The Grafana dashboard JSON for provisioning (monitoring/grafana/provisioning/dashboards/redis/redis-dashboard.json). */
export function renderDashboardJson(spec: DashboardSpec = REDIS_DASHBOARD): string {
  return `${JSON.stringify(sortKeys(buildDashboard(spec)), null, 2)}\n`;
}
