import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { readStackConfigFile } from '../config/redoubt-yml.ts';
import { AuditLog } from '../console/audit/audit-log.ts';
import { generatePassword, passwordProblem } from '../console/auth/password-hash.ts';
import { changeUsers, type UserChange } from '../console/auth/user-changes.ts';
import { readUsers, UserFileError } from '../console/auth/user-file.ts';
import type { Role } from '../console/contract.ts';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError } from '../fs/atomic-write.ts';
import { defaultDataDir, readSecretFile } from '../monitor/up-config.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: redoubt up user add NAME [--role viewer|admin] [--password-file FILE]
       redoubt up user passwd NAME [--password-file FILE]
       redoubt up user role NAME --role viewer|admin
       redoubt up user del NAME
       redoubt up user list

Manages the console's users in <data dir>/users.json (scrypt hashes only, mode 0600), also while redoubt up runs:
it reads the file again at its next request, and a changed password, a changed role or a removed user ends that
user's sessions. The password comes from --password-file (mode 0600) or REDOUBT_USER_PASSWORD; without either, a
new one is generated and printed once. Every change is written to the audit log. The last admin cannot be removed.`;

const FLAGS: FlagSpec[] = [
  {
    name: 'role',
    type: 'string',
    default: '',
    help: 'viewer (reads) or admin (silences, re-runs, users); add: viewer.',
  },
  { name: 'password-file', type: 'string', default: '', help: 'File (mode 0600) holding the password on one line.' },
  {
    name: 'data-dir',
    type: 'string',
    env: ['REDOUBT_DATA_DIR'],
    help: "redoubt up's data directory (default up.dataDir of --config, else ~/.local/share/redoubt).",
  },
  { name: 'config', type: 'string', default: '', help: 'redoubt.yml, for its up.dataDir.' },
];

function dataDirOf(values: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  if (values['data-dir']) return resolve(String(values['data-dir']));
  const file = String(values.config ?? '');
  if (file) {
    const config = readStackConfigFile(file);
    if (config.up.dataDir) return resolve(dirname(file), config.up.dataDir);
  }
  return resolve(defaultDataDir(env));
}

function roleOf(text: string, fallback?: Role): Role {
  if (text === '' && fallback) return fallback;
  if (text !== 'viewer' && text !== 'admin') throw new UsageError('--role must be viewer or admin');
  return text;
}

/** The password given (file or environment), checked, or a generated one to print. */
function passwordOf(values: Record<string, unknown>, env: NodeJS.ProcessEnv): { password: string; generated: boolean } {
  const file = String(values['password-file'] ?? '');
  const given = file ? readSecretFile('password-file', file) : env.REDOUBT_USER_PASSWORD;
  if (given === undefined) return { password: generatePassword(), generated: true };
  const problem = passwordProblem(given);
  if (problem) throw new UsageError(problem);
  return { password: given, generated: false };
}

function changeOf(action: string, name: string, values: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  if (action === 'add')
    return { change: { kind: 'add', name, role: roleOf(String(values.role), 'viewer'), ...passwordOf(values, env) } };
  if (action === 'passwd') return { change: { kind: 'passwd', name, ...passwordOf(values, env) } };
  if (action === 'role') return { change: { kind: 'role', name, role: roleOf(String(values.role)) } };
  if (action === 'del') return { change: { kind: 'del', name } };
  throw new UsageError(`redoubt up user: unknown action "${action}"; use add, passwd, role, del or list`);
}

export async function runUpUser(argv: string[], io: CliIo): Promise<number> {
  const [action, name, ...rest] = argv;
  const { values, help } = parseFlags(action === 'list' ? argv.slice(1) : rest, FLAGS, io.env);
  if (help || !action || [action, name].some((a) => a === '--help' || a === '-h')) {
    io.stdout.write(formatHelp(USAGE, FLAGS));
    return 0;
  }
  const dataDir = dataDirOf(values, io.env);
  try {
    if (action === 'list') {
      for (const u of readUsers(dataDir) ?? []) io.stdout.write(`${u.name}\t${u.role}\n`);
      return 0;
    }
    if (!name || name.startsWith('-')) throw new UsageError(`redoubt up user ${action} needs a user name`);
    const { change } = changeOf(action, name, values, io.env) as { change: UserChange & { generated?: boolean } };
    const audit = new AuditLog(dataDir);
    const record = (outcome: 'ok' | 'failed', detail: string) =>
      audit.write({
        user: `cli:${userInfo().username}`,
        clientAddress: 'local',
        action: `user.${action}`,
        target: name,
        outcome,
        detail,
      });
    try {
      await changeUsers(dataDir, change);
    } catch (err) {
      if (err instanceof UserFileError)
        try {
          record('failed', err.message);
        } catch {}
      throw err;
    }
    record('ok', 'role' in change ? `role ${change.role}` : '');
    const generated =
      change.generated && 'password' in change ? ` with the password ${change.password} (shown this once)` : '';
    io.stdout.write(
      `redoubt up user: ${action === 'del' ? 'removed' : action === 'add' ? 'added' : 'changed'} ${name}${generated}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UserFileError || err instanceof FileWriteError) throw new UsageError(err.message);
    throw err;
  }
}
