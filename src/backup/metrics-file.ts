/**
 * The outcome of backups as Prometheus metrics in a text file (node_exporter's textfile collector reads
 * `*.prom` files from a directory): last success time and size, failures. Pure render/parse; the CLI writes it
 * atomically. Labelled by source (redis://[user@]host:port, never a password).
 */
export interface BackupMetrics {
  lastSuccessSeconds?: number;
  lastSizeBytes?: number;
  failures: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderBackupMetrics(source: string, m: BackupMetrics): string {
  const l = `{source="${escapeLabel(source)}"}`;
  const lines = [
    '# HELP redoubt_backup_last_success_timestamp_seconds When the last backup of this source was kept.',
    '# TYPE redoubt_backup_last_success_timestamp_seconds gauge',
  ];
  if (m.lastSuccessSeconds !== undefined)
    lines.push(`redoubt_backup_last_success_timestamp_seconds${l} ${m.lastSuccessSeconds}`);
  lines.push(
    '# HELP redoubt_backup_last_size_bytes Plaintext size of the last backup kept.',
    '# TYPE redoubt_backup_last_size_bytes gauge',
  );
  if (m.lastSizeBytes !== undefined) lines.push(`redoubt_backup_last_size_bytes${l} ${m.lastSizeBytes}`);
  lines.push(
    '# HELP redoubt_backup_failures_total Backups of this source that failed (nothing was kept).',
    '# TYPE redoubt_backup_failures_total counter',
    `redoubt_backup_failures_total${l} ${m.failures}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The values a previous file held (to carry the counter and the last success across runs). */
export function parseBackupMetrics(text: string): BackupMetrics {
  const value = (name: string): number | undefined => {
    const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
    const n = m ? Number(m[1]) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    lastSuccessSeconds: value('redoubt_backup_last_success_timestamp_seconds'),
    lastSizeBytes: value('redoubt_backup_last_size_bytes'),
    failures: value('redoubt_backup_failures_total') ?? 0,
  };
}
