import { createHash } from 'node:crypto';

/**
 * `.redoubt-stack.sha256` in the output directory: the SHA-256 of each committed file as `redoubt stack` last wrote
 * it, in sha256sum's format (`sha256sum -c .redoubt-stack.sha256` lists what was edited since). A file whose
 * content still has that hash is the generator's and may be replaced; any other existing file is the user's (edited
 * since, or never written by redoubt) and is kept unless --force. Secret files are not listed: they have their own
 * rule (kept while they exist).
 */
export const MANIFEST_PATH = '.redoubt-stack.sha256';

export type Manifest = Map<string, string>;

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function parseManifest(text: string): Manifest {
  const out: Manifest = new Map();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

export function renderManifest(manifest: Manifest): string {
  const lines: string[] = [];
  for (const [path, hash] of [...manifest].sort(([a], [b]) => a.localeCompare(b))) lines.push(`${hash}  ${path}`);
  return `${lines.join('\n')}\n`;
}

export type CommittedOutcome = 'wrote' | 'unchanged' | 'kept';

/**
 * What to do with one generated file: write it when absent, when it is still what redoubt wrote, or with --force;
 * leave it when it already is the new content; keep it (and say so) when the user changed it or wrote it.
 */
export function committedOutcome(
  current: Uint8Array | undefined,
  next: string,
  recorded: string | undefined,
  force: boolean,
): CommittedOutcome {
  if (current === undefined) return 'wrote';
  const hash = sha256(current);
  if (hash === sha256(next)) return 'unchanged';
  if (force || hash === recorded) return 'wrote';
  return 'kept';
}
