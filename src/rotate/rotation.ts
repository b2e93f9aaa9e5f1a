import { lchownSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { RedisConnection, TlsOptions } from '../redis/connection.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import { makeTarget, type RedisTarget } from '../redis/target.ts';
import type { ServerPlan } from './preconditions.ts';
import { parseGetUser, type ServerFacts } from './server-facts.ts';
import type { Step } from './steps.ts';

/**
 * The steps of each half of a rotation over real servers. The new password reaches ACL only as its SHA-256
 * (`ACL SETUSER u #<hash>`); it is sent in clear only where Redis has no other way (CONFIG SET masterauth, and
 * CONFIG SET requirepass when --finish makes it the requirepass of a server without an aclfile).
 */
export interface RotationServer {
  conn: RedisConnection;
  facts: ServerFacts;
  plan: ServerPlan;
}

/** A file that gets the new password, with what it held before (undefined: it did not exist) for the undo. */
export interface CredentialFile {
  path: string;
  label: string;
  before?: Buffer;
  beforeMode: number;
  /** Its owner and group: root (sudo redoubt rotate) gives them back, or the application could not read it. */
  beforeOwner?: { uid: number; gid: number };
  after: string;
}

/** Logs in as `user` with `password` on a fresh connection, then closes it: the proof a client can. */
export async function verifyLogin(
  server: RedisTarget,
  user: string,
  password: string,
  tls: TlsOptions | undefined,
): Promise<void> {
  const t = makeTarget(server.scheme, server.host, server.port, server.path, 0, user, password);
  const conn = new RespConnection(t, { connectTimeoutMs: 10000, tls });
  try {
    await conn.ready();
  } finally {
    await conn.close();
  }
}

/** ACL SAVE and/or CONFIG REWRITE, as the server keeps its users and masterauth. */
export async function persist(conn: RedisConnection, plan: ServerPlan): Promise<void> {
  if (plan.persist === 'ACL SAVE') await conn.call('ACL', 'SAVE');
  if (plan.configRewrite) await conn.call('CONFIG', 'REWRITE');
}

export function persistWhat(plan: ServerPlan): string {
  return [plan.persist === 'ACL SAVE' ? 'ACL SAVE' : '', plan.configRewrite ? 'CONFIG REWRITE' : '']
    .filter(Boolean)
    .join(' + ');
}

/** Writes `data` over an existing credential file, with its mode, and its owner when root writes it. */
export function rewriteCredentialFile(f: CredentialFile, data: string | Buffer): void {
  writeFileAtomic(f.path, data, { mode: f.before ? f.beforeMode : 0o600, overwrite: true });
  const owner = f.before ? f.beforeOwner : undefined;
  // (only root may give a file away; lchown changes a link planted since, never what it points to)
  if (owner && process.getuid?.() === 0 && (owner.uid !== 0 || owner.gid !== 0))
    lchownSync(f.path, owner.uid, owner.gid);
}

function fileSteps(files: CredentialFile[]): Step[] {
  return files.map((f) => ({
    what: `write the new password to ${f.label}`,
    run: async () => rewriteCredentialFile(f, f.after),
    undoWhat: f.before ? `put back what ${f.label} held` : `remove ${f.label} again`,
    undo: async () => {
      if (f.before) rewriteCredentialFile(f, f.before);
      else unlinkSync(f.path);
    },
  }));
}

export interface StartInputs {
  servers: RotationServer[];
  user: string;
  newPassword: string;
  newHash: string;
  tls: TlsOptions | undefined;
  files: CredentialFile[];
  writeState(): void;
  removeState(): void;
  statePath: string;
  /** The pending-rotation file (it holds the new password until the files do): removed once the state is written. */
  pendingPath: string;
  removePending(): void;
}

/** Add, verify, masterauth, save, files, state, then the pending file goes: the first half. */
export function startSteps(i: StartInputs): Step[] {
  const steps: Step[] = [];
  const u = i.user;
  for (const s of i.servers)
    steps.push({
      what: `add a second password to "${u}" on ${s.facts.display} (ACL SETUSER ${u} #<sha256>)`,
      run: async () => void (await s.conn.call('ACL', 'SETUSER', u, `#${i.newHash}`)),
      undo: async () => void (await s.conn.call('ACL', 'SETUSER', u, `!${i.newHash}`)),
      undoWhat: `remove the new password of "${u}" on ${s.facts.display} again (ACL SETUSER ${u} !<sha256>)`,
    });
  for (const s of i.servers)
    steps.push({
      what: `log in as "${u}" with the new password on ${s.facts.display} (a new connection)`,
      run: () => verifyLogin(s.conn.target, u, i.newPassword, i.tls),
    });
  for (const s of i.servers.filter((x) => x.plan.masterauth))
    steps.push({
      what: `set masterauth on the replica ${s.facts.display} (used when it next connects to its master)`,
      run: async () => void (await s.conn.call('CONFIG', 'SET', 'masterauth', i.newPassword)),
      undo: async () => void (await s.conn.call('CONFIG', 'SET', 'masterauth', s.facts.masterauthForRollback)),
      undoWhat: `put the old masterauth back on ${s.facts.display}`,
    });
  for (const s of i.servers)
    steps.push({
      what: `save ${s.facts.display} (${persistWhat(s.plan)})`,
      run: () => persist(s.conn, s.plan),
      persistAgain: () => persist(s.conn, s.plan),
    });
  steps.push(...fileSteps(i.files));
  steps.push({
    what: `write the rotation state to ${i.statePath} (0600, hashes only)`,
    run: async () => i.writeState(),
    undo: async () => i.removeState(),
    undoWhat: `remove ${i.statePath} again`,
  });
  steps.push({
    what: `remove the pending-rotation file ${i.pendingPath} (the new password is in the files now)`,
    run: async () => i.removePending(),
  });
  return steps;
}

export interface FinishInputs {
  servers: RotationServer[];
  user: string;
  oldHash: string;
  newHash: string;
  /** The new password in clear, when it could be read back (needed for requirepass servers). */
  newPassword?: string;
  tls: TlsOptions | undefined;
}

/** Remove the old password, check, save: the second half. */
export function finishSteps(i: FinishInputs): Step[] {
  const steps: Step[] = [];
  const u = i.user;
  const todo = i.servers.filter((s) => !s.plan.done);
  for (const s of todo) {
    const viaRequirepass = s.plan.requirepass && i.newPassword !== undefined;
    steps.push({
      what: viaRequirepass
        ? `make the new password the requirepass of ${s.facts.display} (CONFIG SET requirepass: drops the old one)`
        : `remove the old password of "${u}" on ${s.facts.display} (ACL SETUSER ${u} !<sha256>)`,
      run: async () =>
        void (viaRequirepass
          ? await s.conn.call('CONFIG', 'SET', 'requirepass', i.newPassword as string)
          : await s.conn.call('ACL', 'SETUSER', u, `!${i.oldHash}`)),
      undo: async () => void (await s.conn.call('ACL', 'SETUSER', u, `#${i.oldHash}`)),
      undoWhat: `give "${u}" its old password back on ${s.facts.display} (ACL SETUSER ${u} #<sha256>)`,
    });
  }
  for (const s of todo)
    steps.push({
      what: `check that only the new password is left for "${u}" on ${s.facts.display}`,
      run: async () => {
        const reply = await s.conn.call('ACL', 'GETUSER', u);
        const hashes = parseGetUser(reply)?.hashes ?? [];
        if (hashes.length !== 1 || hashes[0] !== i.newHash)
          throw new Error(`"${u}" has ${hashes.length} password(s) there, not just the new one`);
        if (i.newPassword !== undefined) await verifyLogin(s.conn.target, u, i.newPassword, i.tls);
      },
    });
  for (const s of todo)
    steps.push({
      what: `save ${s.facts.display} (${persistWhat(s.plan)})`,
      run: () => persist(s.conn, s.plan),
      persistAgain: () => persist(s.conn, s.plan),
    });
  return steps;
}
