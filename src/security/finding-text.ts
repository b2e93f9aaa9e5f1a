/** Text helpers for findings: sizes, short lists of names, printable excerpts of server strings. */

/** 536870912 → '512 MiB'. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/** a, b and 3 more. */
export function listItems(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** 'alice', 'bob' and 3 more. */
export const listNames = (names: readonly string[], max = 5): string =>
  listItems(
    names.map((n) => `'${n}'`),
    max,
  );

/** Characters a key name, host or path may carry that would garble a report line. */
export const printable = (s: string, max = 80): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being removed
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};
