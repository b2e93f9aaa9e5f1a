/**
 * Writes the ACL command table (src/security/acl-eval.ts: CommandTable) of a running Redis server from its own
 * COMMAND INFO, COMMAND DOCS and ACL CAT replies. It starts nothing: point it at a server you started, e.g.
 *
 *   redis-server --port 7000 --bind 127.0.0.1 --save '' &
 *   node --import tsx scripts/gen-command-table.ts redis://127.0.0.1:7000 [out.json]
 *
 * The default output is src/security/data/command-table-<major.minor>.json. The file is written atomically (a
 * temporary file in the same directory, then rename). test/integration/command-table.test.ts regenerates the 7.0
 * table from a real redis-server 7.0 and compares it with the committed file.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RespConnection } from '../src/redis/resp-connection.ts';
import { parseTarget } from '../src/redis/target.ts';
import { buildCommandTable, type CommandTable, commandTableJson } from '../src/security/acl-eval.ts';

/** Reads the command table of the server at `url` (redis://[user:pass@]host:port). */
export async function fetchCommandTable(url: string): Promise<CommandTable> {
  const conn = new RespConnection(parseTarget(url), { connectTimeoutMs: 5000, commandTimeoutMs: 10000 });
  try {
    await conn.ready();
    const info = String(await conn.call('INFO', 'server'));
    const version = /^redis_version:(\S+)/m.exec(info)?.[1];
    if (!version) throw new Error('INFO server has no redis_version');
    const [commandInfo, commandDocs, aclCat] = await Promise.all([
      conn.call('COMMAND', 'INFO'),
      conn.call('COMMAND', 'DOCS'),
      conn.call('ACL', 'CAT'),
    ]);
    return buildCommandTable(commandInfo, commandDocs, aclCat, version);
  } finally {
    await conn.close();
  }
}

/** Writes `text` to `path` atomically: a temporary file next to it, then rename over it. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function defaultOutput(version: string): string {
  const [major, minor] = version.split('.');
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return join(root, 'src', 'security', 'data', `command-table-${major}.${minor}.json`);
}

async function main(argv: string[]): Promise<number> {
  const [url, out] = argv;
  if (!url || url === '-h' || url === '--help') {
    process.stderr.write('usage: node --import tsx scripts/gen-command-table.ts redis://HOST:PORT [OUT.json]\n');
    return url ? 0 : 2;
  }
  const table = await fetchCommandTable(url);
  const path = resolve(out ?? defaultOutput(table.redisVersion));
  writeFileAtomic(path, commandTableJson(table));
  process.stdout.write(
    `wrote ${path}: Redis ${table.redisVersion}, ${Object.keys(table.commands).length} commands and subcommands\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`gen-command-table: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
