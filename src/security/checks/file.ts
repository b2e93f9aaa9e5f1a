/**
 * File checks (RS049): redis.conf and the ACL file hold plaintext passwords, password hashes and renamed command
 * names, so no other local user may read (or write) them; and no other local user may write into the data
 * directory, where they could plant the RDB or AOF the server loads. Judged by stat() (mode and owner), never by a
 * path's name: a `dir` under /tmp may be a private directory, and /var/lib/redis may be 0777.
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, unknown } from '../check.ts';
import type { Facts } from '../facts.ts';
import { listItems, printable } from '../finding-text.ts';
import { whyUnobserved } from '../views/settings.ts';

type StatFact = NonNullable<Facts['local']>['files'][number];

const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** What secrets a file carries, by kind (never their values). */
function secretsIn(facts: Facts, file: StatFact): string[] {
  const kinds: string[] = [];
  const here = (loc: { file: string } | undefined) => loc !== undefined && loc.file === file.path;
  const locations = facts.config?.locations ?? {};
  for (const name of ['requirepass', 'masterauth']) {
    if (here(locations[name]) && facts.config?.values[name]) kinds.push(name);
  }
  const users = (facts.users ?? []).filter((u) => here(u.location));
  if (users.some((u) => u.plaintextPasswords.length > 0)) kinds.push("'>' passwords");
  else if (users.some((u) => u.passwordHashes.length > 0)) kinds.push('password hashes');
  const sentinelSecrets = (facts.config?.directives ?? []).filter(
    (d) => d.name === 'sentinel' && /^(auth-pass|sentinel-pass)$/i.test(d.args[0] ?? '') && here(d.location),
  );
  if (sentinelSecrets.length > 0) kinds.push('Sentinel passwords (auth-pass / sentinel-pass)');
  if (file.role === 'config' && Object.keys(facts.config?.renamedCommands ?? {}).length > 0)
    kinds.push('renamed command names');
  return kinds;
}

/** The data directory's problem, if others may write into it (the sticky bit keeps them from replacing files only). */
function dirProblem(dir: StatFact): string | undefined {
  if (!(dir.mode & 0o002)) return undefined;
  const sticky =
    dir.mode & 0o1000 ? ' (sticky: they cannot replace its files, but can create the ones not there yet)' : '';
  return `the data directory ${printable(dir.path)} (mode ${octal(dir.mode)}${dir.mode & 0o1000 ? ', sticky' : ''}) is world-writable: other local users can plant the RDB or AOF the server loads, or files it will write${sticky}`;
}

export const checkFilePermissions: Check = {
  ...CATALOGUE.RS049,
  evaluate(facts) {
    const all = facts.local?.files ?? [];
    const files = all.filter((f) => f.role === 'config' || f.role === 'aclfile');
    const dirs = all.filter((f) => f.role === 'dir');
    if (files.length === 0 && dirs.length === 0)
      return unknown(
        whyUnobserved(
          facts,
          'local',
          "the owner and mode of redis.conf, the ACL file and the data directory (stat() on the server's host)",
        ),
      );
    const serverUid = facts.local?.uid;
    const bad: string[] = [];
    const good: string[] = [];
    for (const f of files) {
      const issues: string[] = [];
      if (f.mode & 0o004) issues.push('world-readable');
      if (f.mode & 0o002) issues.push('world-writable');
      if (serverUid !== undefined && f.uid !== 0 && f.uid !== serverUid)
        issues.push(`owned by uid ${f.uid}, neither root nor the server's user`);
      const what = `${printable(f.path)} (${f.role === 'aclfile' ? 'ACL file' : 'config'}, mode ${octal(f.mode)})`;
      if (issues.length > 0) {
        const secrets = secretsIn(facts, f);
        bad.push(`${what} is ${issues.join(' and ')}${secrets.length > 0 ? `; it holds ${secrets.join(', ')}` : ''}`);
      } else good.push(what);
    }
    const dirBad = dirs.map(dirProblem).filter((p): p is string => p !== undefined);
    if (bad.length > 0 || dirBad.length > 0) {
      const fileText =
        bad.length > 0 ? `${bad.join('; ')}: other local users can read the credentials in it (or change it)` : '';
      return fail([fileText, ...dirBad].filter(Boolean).join('; '));
    }
    const okDirs = dirs.map(
      (d) => `data directory ${printable(d.path)} (mode ${octal(d.mode)}) not writable by others`,
    );
    return pass(
      [...(good.length > 0 ? [`${listItems(good)}: not readable by other users`] : []), ...okDirs].join('; '),
    );
  },
};

export const FILE_CHECKS: Check[] = [checkFilePermissions];
