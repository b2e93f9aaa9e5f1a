/** The JSON written beside each backup: what it holds and how to check it, without any credential. */
export interface BackupManifest {
  format: 'redoubt-backup/1';
  /** rdb: a full RDB over the replication protocol; logical: SCAN + DUMP + PTTL (PSYNC was refused). */
  kind: 'rdb' | 'logical';
  file: string;
  created_at: string;
  /** The server backed up, as redis://[user@]host:port (never a password). */
  source: string;
  redis_version: string;
  rdb_version: number;
  /** Plaintext bytes (the RDB or the logical stream) and their SHA-256. */
  size_bytes: number;
  sha256: string;
  encrypted_bytes: number;
  encryption: 'age-x25519' | 'age-scrypt';
  keys: number;
  keys_per_db: Record<string, number>;
  expires: number;
  checksum: 'verified' | 'absent';
  replication?: { replid: string; offset: number; rdb_only: boolean };
}

export function renderManifest(m: BackupManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Reads the fields restore checks (size and digest); anything else in the file is ignored. */
export function parseManifest(text: string): { sha256?: string; size_bytes?: number; kind?: string } {
  const data = JSON.parse(text) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || data.format !== 'redoubt-backup/1')
    throw new Error('not a redoubt backup manifest');
  return {
    sha256: typeof data.sha256 === 'string' && /^[0-9a-f]{64}$/.test(data.sha256) ? data.sha256 : undefined,
    size_bytes: typeof data.size_bytes === 'number' ? data.size_bytes : undefined,
    kind: typeof data.kind === 'string' ? data.kind : undefined,
  };
}

/** `<name>.rdb.age` → `<name>.manifest.json`. */
export function manifestPathFor(backupPath: string): string {
  return `${backupPath.replace(/\.(rdb|logical)\.age$/, '')}.manifest.json`;
}
