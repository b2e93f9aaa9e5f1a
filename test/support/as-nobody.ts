import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** What a call made as another user came to: its result, or the error it threw (name, message, own fields). */
export type NobodyOutcome =
  | { threw: false; value: unknown }
  | { threw: true; name: string; message: string; fields: Record<string, unknown> };

/** The unprivileged user a root test drops to (Debian's `nobody`). */
export const NOBODY = { uid: 65534, gid: 65534 };

/** True when this process can drop to another user (it runs as root). */
export const canDropPrivileges = () => process.getuid?.() === 0;

/**
 * A file (or directory) mode test needs a reader the mode applies to, and root reads everything. Under root this
 * calls `exportName(...args)` from `module` (a checkout-relative URL) in a child process running as `nobody`;
 * otherwise in this process. The child gets the module bundled by esbuild into a world-readable temp directory
 * and reads nothing from the checkout, which `nobody` cannot enter when it lives in a 0700 home directory.
 */
export function callAsUnprivileged(module: URL, exportName: string, args: readonly unknown[]): Promise<NobodyOutcome> {
  if (!canDropPrivileges()) return callHere(module, exportName, args);
  return Promise.resolve(callAsNobody(module, exportName, args));
}

async function callHere(module: URL, exportName: string, args: readonly unknown[]): Promise<NobodyOutcome> {
  const mod = (await import(module.href)) as Record<string, (...a: unknown[]) => unknown>;
  try {
    return { threw: false, value: mod[exportName](...args) };
  } catch (e) {
    return outcomeOf(e as Error);
  }
}

function outcomeOf(e: Error): NobodyOutcome {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (typeof v !== 'object' || v === null) fields[k] = v;
  return { threw: true, name: e.name, message: e.message, fields };
}

function callAsNobody(module: URL, exportName: string, args: readonly unknown[]): NobodyOutcome {
  const entry = [
    `import { ${exportName} as call } from ${JSON.stringify(fileURLToPath(module))};`,
    'let out;',
    `try { const v = call(...${JSON.stringify(args)}); out = { threw: false, value: typeof v === 'object' && v !== null ? String(v.constructor?.name) : v }; }`,
    'catch (e) { const fields = {}; for (const [k, v] of Object.entries(e)) if (typeof v !== "object" || v === null) fields[k] = v;',
    '  out = { threw: true, name: e.name, message: e.message, fields }; }',
    'process.stdout.write(JSON.stringify(out));',
  ].join('\n');
  const built = buildSync({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', module)), sourcefile: 'as-nobody-entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-as-nobody-'));
  try {
    chmodSync(dir, 0o755);
    const sub = join(dir, 'code');
    mkdirSync(sub, { mode: 0o755 });
    const file = join(sub, 'call.mjs');
    writeFileSync(file, built.outputFiles[0].contents, { mode: 0o644 });
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/' };
    const r = spawnSync(process.execPath, [file], { ...NOBODY, cwd: '/', env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the call as nobody exited with ${r.status ?? r.signal}: ${r.stderr}`);
    return JSON.parse(r.stdout) as NobodyOutcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
