/**
 * Bytes as a person reads them, the one format of every report (audit, doctor): binary units, a whole number as it
 * is (`512 MiB`, `2 GiB`, `0 B`: limits are set in whole units, and read back the way they were written), anything
 * else with one decimal (`1.5 GiB`, `4.8 GiB`, `100.5 MiB`): three or four significant digits, enough to compare
 * two figures on a line (a percentage beside them gives the rest), and the same precision everywhere.
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  let v = bytes;
  let i = 0;
  // (1023.96 MiB rounds to 1024.0: it is 1 GiB then)
  while (Math.abs(Number(v.toFixed(1))) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${UNITS[i]}`;
}
