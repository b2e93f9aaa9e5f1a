/** One sample line of the Prometheus text format: name, labels, value (enough for redis_up and scrape errors). */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** The samples of the families named in `wanted`, from a /metrics body (other lines are skipped unparsed). */
export function samplesOf(body: string, wanted: ReadonlySet<string>, max = 1000): ExpositionSample[] {
  const out: ExpositionSample[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name || !wanted.has(name)) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(LABEL)) labels[l[1]] = unescapeLabel(l[2]);
    out.push({ name, labels, value: Number(m[4]) });
    if (out.length >= max) break;
  }
  return out;
}
