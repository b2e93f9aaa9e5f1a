/**
 * Facts only visible from the server's own host (opt-in, `collectLiveFacts(…, { local: true })`): the uid the
 * redis-server process runs as (RS048; INFO has no uid) and the owner and mode of the files it uses (RS045,
 * RS049). Reads /proc and stat()s paths; changes nothing.
 */
import { readFile, readlink, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { LocalProcessFacts } from './facts.ts';

export interface LocalPaths {
  processId: number;
  configFile?: string;
  aclfile?: string;
  unixsocket?: string;
  dir?: string;
}

/** `Uid:\treal\teffective\tsaved\tfs` and `Name:` from /proc/<pid>/status. */
export function parseProcStatus(text: string): { name?: string; uid?: number } {
  const name = /^Name:\s*(\S+)/m.exec(text)?.[1];
  const uid = /^Uid:\s*(\d+)\s+(\d+)/m.exec(text);
  return { name, uid: uid ? Number(uid[2]) : undefined };
}

/**
 * Reads the process and file facts, or explains why it could not (`reason`): no such process on this host, or a
 * process that is not a Redis server (the server runs elsewhere, or in another PID namespace).
 */
export async function collectLocalFacts(paths: LocalPaths): Promise<{ local?: LocalProcessFacts; reason?: string }> {
  let status: string;
  try {
    status = await readFile(`/proc/${paths.processId}/status`, 'utf8');
  } catch (err) {
    return {
      reason: `process ${paths.processId} is not visible on this host (${(err as { code?: string }).code ?? 'error'}); is the server on another host or in a container?`,
    };
  }
  const { name, uid } = parseProcStatus(status);
  if (!name || !/redis|valkey|keydb/i.test(name))
    return {
      reason: `process ${paths.processId} on this host is "${name ?? '?'}", not a Redis server; is the server on another host or in a container?`,
    };
  // Relative paths are relative to the server's working directory (which `dir` sets).
  let cwd: string | undefined;
  try {
    cwd = await readlink(`/proc/${paths.processId}/cwd`);
  } catch {
    cwd = paths.dir;
  }
  const local: LocalProcessFacts = { uid, files: [] };
  const roles: Array<[LocalProcessFacts['files'][number]['role'], string | undefined]> = [
    ['config', paths.configFile],
    ['aclfile', paths.aclfile],
    ['unixsocket', paths.unixsocket],
    ['dir', paths.dir],
  ];
  for (const [role, p] of roles) {
    if (!p) continue;
    const path = isAbsolute(p) || !cwd ? p : join(cwd, p);
    try {
      const st = await stat(path);
      local.files.push({ path, role, mode: st.mode & 0o7777, uid: st.uid });
    } catch {
      // Not there or not readable by us: nothing to judge.
    }
  }
  return { local };
}
