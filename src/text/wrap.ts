/**
 * Words of text in lines of at most `width` characters, each prefixed with `indent`. Runs of whitespace count as
 * one space; a word longer than a line (a long path, a URL) is cut into pieces of `width`, so no line is wider
 * than `width` + indent.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const words = text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((w) => (w.length <= width ? [w] : (w.match(new RegExp(`.{1,${width}}`, 'gu')) ?? [w])));
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines;
}
