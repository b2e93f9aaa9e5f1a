/** Text helpers for findings: short lists of names, printable excerpts of server strings (sizes: src/text/bytes.ts). */

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
