import type { MetricFamily } from './family.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

/** Picks the exposition format from an Accept header, as Prometheus negotiates it. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    if (type.trim() !== 'application/openmetrics-text') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    return 'openmetrics';
  }
  return 'text';
}

export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  if (!/[\\"\n]/.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string, openMetrics: boolean): string {
  if (!/[\\\n"]/.test(v)) return v;
  const s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? s.replace(/"/g, '\\"') : s;
}

function labelString(labels: Record<string, string>, extra?: [string, string]): string {
  const keys = Object.keys(labels);
  if (keys.length === 0 && !extra) return '';
  let out = '{';
  let first = true;
  for (const k of keys) {
    out += `${first ? '' : ','}${k}="${escapeLabel(labels[k])}"`;
    first = false;
  }
  if (extra) out += `${first ? '' : ','}${extra[0]}="${escapeLabel(extra[1])}"`;
  return `${out}}`;
}

/**
 * Families sorted by name (as client_golang does) so outputs diff cleanly. Samples keep the order they were
 * produced in — INFO's own order, which is stable — because sorting every sample by its labels cost more than
 * the rest of the rendering.
 */
export function sortFamilies(families: MetricFamily[]): MetricFamily[] {
  return [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Prometheus text format 0.0.4. */
export function renderText(families: MetricFamily[]): string {
  let out = '';
  for (const f of sortFamilies(families)) {
    if (f.samples.length === 0) continue;
    out += `# HELP ${f.name} ${escapeHelp(f.help, false)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${s.suffix ?? ''}${labelString(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}

/**
 * OpenMetrics 1.0. Counters whose name does not end in `_total` (redis_exporter has several) are exposed as
 * `unknown` so that the series name stays the same as in the text format; renaming them would break rules.
 */
export function renderOpenMetrics(families: MetricFamily[]): string {
  const parts: string[] = [];
  for (const f of sortFamilies(families)) {
    if (f.samples.length === 0) continue;
    let type: string = f.type;
    let familyName = f.name;
    let sampleName = f.name;
    if (f.type === 'counter') {
      if (f.name.endsWith('_total')) familyName = f.name.slice(0, -'_total'.length);
      else type = 'unknown';
    } else if (f.type === 'untyped') type = 'unknown';
    if (type === 'counter') sampleName = `${familyName}_total`;
    parts.push(`# HELP ${familyName} ${escapeHelp(f.help, true)}\n# TYPE ${familyName} ${type}\n`);
    for (const s of f.samples) {
      const name = f.type === 'counter' ? sampleName : `${f.name}${s.suffix ?? ''}`;
      parts.push(`${name}${labelString(s.labels)} ${formatValue(s.value)}\n`);
    }
  }
  parts.push('# EOF\n');
  return parts.join('');
}

export function render(families: MetricFamily[], format: ExpositionFormat): string {
  return format === 'openmetrics' ? renderOpenMetrics(families) : renderText(families);
}
