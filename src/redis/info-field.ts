/**
 * One field of INFO text (`field:value`, CRLF or LF lines), trimmed; undefined when absent. For the few fields read
 * outside the metrics (version, cluster_enabled, config_file): a scan, no parse of the whole text.
 */
export function infoField(info: string, field: string): string | undefined {
  const i = info.indexOf(`\n${field}:`);
  const start = i >= 0 ? i + field.length + 2 : info.startsWith(`${field}:`) ? field.length + 1 : -1;
  if (start < 0) return undefined;
  const end = info.indexOf('\n', start);
  return info.slice(start, end < 0 ? undefined : end).trim();
}
