import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import { stamp } from '../backup-names.ts';
import { encryptToFile } from '../encrypt-to-file.ts';
import type { EncryptionKey } from '../keys.ts';
import { listTree, TreeChangedError, type TreeListing, tarTree } from './archive-tree.ts';

export type MonitoringKind = 'up-data' | 'prometheus';

export interface MonitoringManifest {
  format: 'redoubt-backup/1';
  kind: MonitoringKind;
  file: string;
  created_at: string;
  source: string;
  files: number;
  skipped: string[];
  size_bytes: number;
  sha256: string;
  encrypted_bytes: number;
  encryption: 'age-scrypt' | 'age-x25519';
  /** How many times the copy started over because the tree changed under it. */
  attempts: number;
}

export interface SealedArchive {
  path: string;
  manifestPath: string;
  manifest: MonitoringManifest;
}

/** What a copy of a live tree must hold still: files whose disappearance means the copy is inconsistent. */
export interface ArchiveRequest {
  kind: MonitoringKind;
  root: string;
  source: string;
  outDir: string;
  key: EncryptionKey;
  keep?: (path: string) => boolean;
  /** Files that must all still exist when the copy ends (else it starts over). */
  mustStay?: (path: string) => boolean;
  attempts?: number;
}

async function* checked(req: ArchiveRequest, listing: TreeListing, name: string): AsyncGenerator<Buffer> {
  const body = tarTree(req.root, listing, name);
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    if (chunk.length === 1024 && chunk.every((b) => b === 0)) chunks.push(chunk);
    else {
      for (const c of chunks.splice(0)) yield c;
      yield chunk;
    }
  }
  // Before the end blocks: every file the copy relies on is still there, so no compaction or checkpoint
  // replaced it while it was read (files are immutable: present then means unchanged).
  const now = new Set(listTree(req.root, req.keep).entries.map((e) => e.path));
  for (const e of listing.entries)
    if (e.type === 'file' && req.mustStay?.(e.path) && !now.has(e.path)) throw new TreeChangedError(e.path);
  for (const c of chunks) yield c;
}

/**
 * A live directory as `<kind>-<stamp>.tar.age` (a tar archive encrypted with age, readable with `age -d | tar x`)
 * and its manifest, written atomically; when the tree changes under the copy it starts over (a few times).
 */
export async function sealTree(req: ArchiveRequest): Promise<SealedArchive> {
  const now = new Date();
  const name = `${req.kind}-${stamp(now)}`;
  const path = join(req.outDir, `${name}.tar.age`);
  const tries = req.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const listing = listTree(req.root, req.keep);
    try {
      const sealed = await encryptToFile(checked(req, listing, name), req.key, path);
      const manifest: MonitoringManifest = {
        format: 'redoubt-backup/1',
        kind: req.kind,
        file: basename(path),
        created_at: now.toISOString(),
        source: req.source,
        files: listing.entries.filter((e) => e.type === 'file').length,
        skipped: listing.skipped,
        size_bytes: sealed.plaintextBytes,
        sha256: sealed.sha256,
        encrypted_bytes: sealed.encryptedBytes,
        encryption: req.key.kind === 'passphrase' ? 'age-scrypt' : 'age-x25519',
        attempts: attempt,
      };
      const manifestPath = join(req.outDir, `${name}.manifest.json`);
      try {
        writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644, overwrite: false });
      } catch (err) {
        rmSync(path, { force: true });
        throw err;
      }
      return { path, manifestPath, manifest };
    } catch (err) {
      if (!(err instanceof TreeChangedError) || attempt >= tries) throw err;
    }
  }
}
