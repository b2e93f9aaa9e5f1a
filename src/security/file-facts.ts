/**
 * Facts from files alone (`redoubt audit --config redis.conf [--acl-file users.acl]`), no server needed: the
 * settings, users, renamed commands and file modes the server would start with, and why the rest cannot be known
 * from files.
 *
 * Users are resolved the way Redis 7.0 resolves them at startup:
 * - an aclfile (the config's `aclfile`, or an explicit one) defines every user; without a `user default` line the
 *   default user is `on nopass ~* &* +@all` — requirepass does not apply (reported in config.warnings);
 * - otherwise `user` lines in redis.conf (`user default …` resets the default user first);
 * - otherwise the default user with requirepass's password, or `on nopass ~* &* +@all` when there is none.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputFileError, readInputFile } from '../fs/read-input.ts';
import {
  AclParseError,
  type AclRuleOptions,
  defaultUserFromRequirepass,
  parseAclFile,
  printableRule,
  usersFromConfigDirectives,
} from '../redis/acl-rules.ts';
import type { AclUser, SourceLocation } from '../redis/acl-user.ts';
import {
  effectiveConfigValues,
  loadRedisConf,
  type RedisConf,
  RedisConfParseError,
  renamedCommands,
} from '../redis/redis-conf.ts';
import defaults70 from './data/redis-7.0-defaults.json' with { type: 'json' };
import type { ConfigFacts, Facts, LocalProcessFacts } from './facts.ts';

/**
 * `CONFIG GET *` of a redis-server 7.0.15 (Debian's build) started with no configuration at all, by 7.0 name:
 * what a setting is when redis.conf does not mention it. `bind` is `* -::*` (every interface) when no bind line
 * exists — the packaged /etc/redis/redis.conf sets `bind 127.0.0.1 -::1`, the binary does not. `dir` is left out
 * (it is the directory the server was started in); aliases (slaveof, slave-read-only, lua-time-limit …) are left
 * out too: use the 7.0 name. Checked against a real server by test/integration/redis-defaults.test.ts.
 */
export const REDIS_7_DEFAULTS: Readonly<Record<string, string>> = defaults70;

/** A setting's effective value: the config's own, else the Redis 7 default (undefined when neither knows it). */
export function configValueOrDefault(config: ConfigFacts | undefined, name: string): string | undefined {
  return config?.values[name] ?? REDIS_7_DEFAULTS[name];
}

export interface FileAuditPaths {
  /** redis.conf (its includes are followed). */
  confPath?: string;
  /** An aclfile; wins over the config's own `aclfile` directive. */
  aclPath?: string;
}

export interface FileAuditOptions {
  /** The directory the server starts in, when known (relative include/aclfile paths); see redis-conf.ts. */
  cwd?: string;
}

const NOT_FROM_FILES: Facts['unobserved'] = {
  unauth: 'a file audit does not connect to the server; audit it with --redis to see what an outsider sees',
  aclLog: 'the ACL log is kept in the running server’s memory; files do not show it',
  info: 'version, role, replication and modules are known only to a running server (INFO)',
  commands:
    'which commands exist is known only to a running server (COMMAND INFO); from files, only rename-command lines',
  keys: 'keys live in the running server, not in its configuration',
};

function statFile(path: string, role: LocalProcessFacts['files'][number]['role']): LocalProcessFacts['files'][number] {
  const st = statSync(path);
  return { path, role, mode: st.mode & 0o7777, uid: st.uid };
}

function errnoCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : String((err as Error)?.message ?? err);
}

/** An ACL file larger than this is refused (a million users fit). */
const MAX_ACL_FILE_BYTES = 64 * 1024 * 1024;

function readAclFile(path: string, options: AclRuleOptions): { users: AclUser[]; implicitDefault: boolean } {
  let text: Buffer;
  try {
    text = readInputFile(path, MAX_ACL_FILE_BYTES);
  } catch (err) {
    const why = err instanceof InputFileError ? err.reason : errnoCode(err);
    throw new AclParseError(`cannot read the ACL file (${why})`, { file: path, line: 0 });
  }
  return parseAclFile(text, { ...options, file: path });
}

function configFacts(conf: RedisConf): ConfigFacts {
  const { values, locations } = effectiveConfigValues(conf);
  return {
    values,
    locations,
    // Password rules of `user` lines are redacted here: the users (with their passwords) are in Facts.users.
    directives: conf.directives.map((d) => ({
      name: d.name,
      args: d.kind === 'user' ? d.args.map((a, i) => (i === 0 ? a : printableRule(a))) : [...d.args],
      location: d.location,
    })),
    renamedCommands: renamedCommands(conf),
    warnings: conf.warnings.map((w) => ({ location: w.location, message: w.message, refused: w.refused })),
  };
}

/**
 * Facts from a redis.conf (with its includes and its aclfile, when that file can be read here) and/or an explicit
 * aclfile. `live` is false; `local` holds the owner and mode of every file read. Throws RedisConfParseError for a
 * redis.conf (or one of its `user` lines) that Redis could not load, AclParseError for such an aclfile.
 */
export function factsFromFiles(paths: FileAuditPaths, options: FileAuditOptions = {}): Facts {
  const confPath = paths.confPath ? resolve(paths.confPath) : undefined;
  const explicitAcl = paths.aclPath ? resolve(paths.aclPath) : undefined;
  if (!confPath && !explicitAcl) throw new Error('factsFromFiles needs a redis.conf path, an aclfile path or both');

  const facts: Facts = {
    target: confPath ?? explicitAcl,
    files: [],
    live: false,
    unobserved: { ...NOT_FROM_FILES },
  };
  const local: LocalProcessFacts = { files: [] };

  let conf: RedisConf | undefined;
  if (confPath) {
    conf = loadRedisConf(confPath, { cwd: options.cwd });
    facts.config = configFacts(conf);
    facts.files.push(...conf.files);
    for (const f of conf.files) {
      try {
        local.files.push(statFile(f, 'config'));
      } catch {
        // read a moment ago; gone now — nothing to report
      }
    }
    // The data directory, when the file names one and it exists here: its mode is judged (RS049), not its path.
    if (conf.workingDir && facts.config.locations.dir) {
      try {
        local.files.push(statFile(conf.workingDir, 'dir'));
      } catch {
        // not on this host (the file is audited away from its server): its mode stays unknown
      }
    }
  } else {
    facts.unobserved.config = 'no redis.conf was given (--config)';
  }

  const values = facts.config?.values ?? {};
  const warnings = facts.config?.warnings ?? [];
  const ruleOptions: AclRuleOptions = {
    aclPubsubDefault: values['acl-pubsub-default'] === 'allchannels' ? 'allchannels' : 'resetchannels',
  };
  const userLines = conf?.directives.filter((d) => d.kind === 'user') ?? [];
  const aclfileSetting = values.aclfile ?? '';
  const aclLocation: SourceLocation | undefined = facts.config?.locations.aclfile;

  let aclPath = explicitAcl;
  if (!aclPath && conf && aclfileSetting !== '') {
    // Redis opens the aclfile after reading the whole config, from its working directory (the last `dir`).
    aclPath = isAbsolute(aclfileSetting)
      ? aclfileSetting
      : resolve(conf.workingDir ?? dirname(conf.file), aclfileSetting);
  }
  if (aclPath && userLines.length > 0 && (aclfileSetting !== '' || explicitAcl)) {
    warnings.push({
      location: userLines[0].location,
      message:
        'users are defined both by `user` lines and by an aclfile: Redis refuses to start; define them in one place (the aclfile)',
      refused: true,
    });
  }

  if (aclPath) {
    let loaded: { users: AclUser[]; implicitDefault: boolean } | undefined;
    if (explicitAcl) {
      loaded = readAclFile(aclPath, ruleOptions);
    } else {
      try {
        loaded = readAclFile(aclPath, ruleOptions);
      } catch (err) {
        if (!(err instanceof AclParseError) || err.line !== 0) throw err;
        facts.unobserved.users = `the aclfile ${aclPath} named by the config cannot be read here ${err.reason.replace(/^cannot read the ACL file /, '')}; pass it with --acl-file`;
      }
    }
    if (loaded) {
      facts.users = loaded.users;
      facts.files.push(aclPath);
      try {
        local.files.push(statFile(aclPath, 'aclfile'));
      } catch {
        // read a moment ago
      }
      const requirepass = values.requirepass ?? '';
      if (loaded.implicitDefault && requirepass !== '' && facts.config) {
        warnings.push({
          location: facts.config.locations.requirepass ?? aclLocation ?? { file: aclPath, line: 0 },
          message:
            'requirepass is ignored: the aclfile defines the users and has no `user default` line, so the default user is `on nopass ~* &* +@all`; add a `user default` line to the aclfile',
          refused: false,
        });
      }
    }
  } else if (conf) {
    try {
      facts.users =
        userLines.length > 0
          ? usersFromConfigDirectives(userLines, { ...ruleOptions, requirepass: values.requirepass })
          : [defaultUserFromRequirepass(values.requirepass)];
    } catch (err) {
      if (err instanceof AclParseError && err.file !== undefined && err.line !== undefined)
        throw new RedisConfParseError(err.file, err.line, err.reason);
      throw err;
    }
  }

  if (facts.config) facts.config.warnings = warnings;
  if (local.files.length > 0) facts.local = local;
  else facts.unobserved.local = 'none of the files could be examined (stat) on this host';
  return facts;
}
