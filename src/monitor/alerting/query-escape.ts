/** Go's url.QueryEscape: what Prometheus uses for an alert's generatorURL (`/graph?g0.expr=…&g0.tab=1`). */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Prometheus's link to an expression in its expression browser, as alerts carry it. */
export function generatorUrl(externalURL: string, expr: string): string {
  return `${externalURL.replace(/\/+$/, '')}/graph?g0.expr=${goQueryEscape(expr)}&g0.tab=1`;
}
