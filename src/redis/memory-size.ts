/** redis.conf's memory units: `1k` = 1000, `1kb` = 1024, and so on; `b` and no unit are bytes. Case-insensitive. */
export const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

const STRICT = /^(\d+)([kmg]?b?)$/i;
const LAX = /^\s*(-?\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i;

/**
 * Bytes of a redis.conf memory size: `512mb`, `2gb`, `1k`, `1048576`; undefined when it is not one. Strict (the
 * default) takes what Redis takes, a whole number and a unit, for values redoubt writes; lax also reads a sign, a
 * fraction and spaces, for judging a file a person wrote without tripping over a near miss.
 */
export function parseMemorySize(text: string, options: { lax?: boolean } = {}): number | undefined {
  const m = (options.lax ? LAX : STRICT).exec(options.lax ? text : text.trim());
  if (!m) return undefined;
  return Number(m[1]) * MEMORY_UNITS[m[2].toLowerCase()];
}
