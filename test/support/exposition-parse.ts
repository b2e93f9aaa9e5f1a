/** A small parser of the Prometheus text format, for comparing exporters in tests. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(s); m; m = re.exec(s))
    out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  return out;
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  const fams = new Map<string, ParsedFamily>();
  const get = (name: string) => {
    let f = fams.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      fams.set(name, f);
    }
    return f;
  };
  let current: ParsedFamily | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    let m = /^# HELP (\S+) ?(.*)$/.exec(line);
    if (m) {
      current = get(m[1]);
      current.help = m[2];
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      current = get(m[1]);
      current.type = m[2];
      continue;
    }
    if (line.startsWith('#')) continue;
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const name = m[1];
    let fam = current && (name === current.name || name.startsWith(`${current.name}_`)) ? current : get(name);
    if (!fam) fam = get(name);
    fam.samples.push({ name, labels: parseLabels(m[2] ?? ''), value: Number(m[3]) });
  }
  return fams;
}

/** Label names of a family (union over its samples, without summary/histogram quantile/le). */
export function labelNames(f: ParsedFamily): string[] {
  const set = new Set<string>();
  for (const s of f.samples) for (const k of Object.keys(s.labels)) if (k !== 'quantile' && k !== 'le') set.add(k);
  return [...set].sort();
}
