import { resolve } from 'node:path';
import { parseBackupSchedule, type UpBackup } from '../config/up-backups.ts';
import { UsageError } from '../flags/flags.ts';
import { ConfigError, loadPasswordFile, resolveCredentials } from '../redis/password-file.ts';
import { parseTarget, withCredentials } from '../redis/target.ts';
import { checkRecipients, type EncryptionKey, readPassphraseFile } from './keys.ts';
import type { ScheduledBackup } from './scheduler.ts';

/** How `redoubt up` logs in (its UpConfig's fields): a backup entry without its own user logs in the same way. */
export interface UpLogin {
  /** --redis.password-file ('' without one), the user and password given beside it. */
  passwordFile: string;
  redisUser: string;
  envPassword?: string;
  /** Every secret of up's configuration; the passwords and passphrases found here are added to it. */
  secrets: string[];
}

/**
 * redoubt.yml's `up.backups` made runnable: paths relative to redoubt.yml, the key read now (a missing passphrase
 * file is a start-up error, not a failure at 03:00), credentials found as up finds its own (the entry's `user`,
 * else --redis.user; REDIS_PASSWORD, else --redis.password-file by URL).
 */
export function resolveScheduledBackups(
  entries: readonly UpBackup[],
  configDir: string,
  config: UpLogin,
): ScheduledBackup[] {
  if (entries.length === 0) return [];
  const passwords = config.passwordFile ? loadPasswordFile(config.passwordFile) : undefined;
  return entries.map((e, i) => {
    let key: EncryptionKey;
    try {
      key =
        e.recipients.length > 0
          ? { kind: 'recipients', recipients: checkRecipients(e.recipients) }
          : { kind: 'passphrase', passphrase: readPassphraseFile(resolve(configDir, e.passphraseFile)) };
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(`up.backups[${i}]: ${err.message}`);
      throw err;
    }
    const bare = parseTarget(e.target);
    const named = e.user ? { ...bare, username: e.user } : bare;
    const { user, password } = resolveCredentials(named, {
      user: config.redisUser,
      password: config.envPassword,
      passwords,
    });
    if (password) config.secrets.push(password);
    if (key.kind === 'passphrase') config.secrets.push(key.passphrase);
    return {
      target: withCredentials(bare, user, password),
      schedule: parseBackupSchedule(e.schedule) as NonNullable<ReturnType<typeof parseBackupSchedule>>,
      outDir: resolve(configDir, e.out),
      key,
      retention: e.keep > 0 ? { last: e.keep, daily: 0, weekly: 0 } : undefined,
    };
  });
}
