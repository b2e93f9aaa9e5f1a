/**
 * INFO text by section (`# Name` headers, sections separated by a blank line), for scrapes that ask for one
 * section less often than the rest (--latency-percentiles-interval): which sections a reply has, one section's
 * text, and that text put back where the server prints it.
 */

const LATENCYSTATS_HEADER = '# Latencystats';

/** The section names of an INFO reply, lower-cased as INFO takes them (`# CPU` → `cpu`). */
export function infoSectionNames(info: string): string[] {
  const out: string[] = [];
  for (const m of info.matchAll(/(?:^|\n)# ([A-Za-z_]+)\r?\n/g)) out.push(m[1].toLowerCase());
  return out;
}

/** The text of the `# Latencystats` section, header and lines, without the blank line after it; undefined if absent. */
export function latencystatsSection(info: string): string | undefined {
  const at = info.startsWith(LATENCYSTATS_HEADER) ? -1 : info.indexOf(`\n${LATENCYSTATS_HEADER}`);
  if (at === -1 && !info.startsWith(LATENCYSTATS_HEADER)) return undefined;
  const start = at + 1;
  const next = info.indexOf('\n#', start + LATENCYSTATS_HEADER.length);
  const section = next < 0 ? info.slice(start) : info.slice(start, next + 1);
  // (the blank line between this section and the next stays with the reply it came from)
  return section.replace(/(\r?\n)\r?\n$/, '$1');
}

/**
 * `info` (a reply without latencystats) with `section` put back where INFO ALL prints it: before `# Cluster`
 * (the section after it), else at the end.
 */
export function withLatencystats(info: string, section: string): string {
  const eol = info.includes('\r\n') ? '\r\n' : '\n';
  const body = section.endsWith('\n') ? section : `${section}${eol}`;
  const at = info.indexOf(`\n# Cluster`);
  if (at >= 0) return `${info.slice(0, at + 1)}${body}${eol}${info.slice(at + 1)}`;
  const trimmed = info.endsWith('\n') ? info : `${info}${eol}`;
  return `${trimmed}${eol}${body}`;
}
