import { readFileSync, statSync } from 'node:fs';
import { Decrypter, Encrypter } from 'age-encryption';
import { ConfigError } from '../redis/password-file.ts';

/** How a backup is encrypted: to age X25519 recipients, or with a passphrase (scrypt). */
export type EncryptionKey = { kind: 'recipients'; recipients: string[] } | { kind: 'passphrase'; passphrase: string };
/** How it is decrypted: age identities (AGE-SECRET-KEY-1…), or the passphrase. */
export type DecryptionKey =
  | { kind: 'identities'; identities: string[] }
  | { kind: 'passphrase'; passphrase: string }
  /** The file key of one backup, unwrapped once (a passphrase costs an scrypt per unwrap). */
  | { kind: 'file-key'; fileKey: Uint8Array; unlockedWith: 'identities' | 'passphrase' };

const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** Reads a key file (through a link: mounted secrets are links), bounded, never quoting its content. */
function readSecretFile(path: string, flag: string): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ConfigError(`${path} (${flag}) is not a regular file`);
    if (st.size > 64 * 1024) throw new ConfigError(`${path} (${flag}) is larger than a key file can be (64 KiB)`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `${path} (${flag}) does not exist` : `cannot read ${path} (${flag}): ${code ?? 'error'}`,
    );
  }
}

/** The first line of the file, without its newline: what `age -p` would be typed, and what scripts write. */
export function readPassphraseFile(path: string): string {
  const text = readSecretFile(path, '--passphrase-file');
  const first = text.split(/\r?\n/)[0];
  if (first.length < 8)
    throw new ConfigError(
      `the passphrase in ${path} (--passphrase-file) is ${first.length === 0 ? 'empty' : 'shorter than 8 characters'}; use a long random one (e.g. openssl rand -base64 32)`,
    );
  return first;
}

/** An `age-keygen` file: comments and AGE-SECRET-KEY-1… lines. */
export function readIdentityFile(path: string): string[] {
  const text = readSecretFile(path, '--identity');
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
  if (keys.length === 0)
    throw new ConfigError(
      `${path} (--identity) holds no age identity (a line starting AGE-SECRET-KEY-1, as age-keygen writes)`,
    );
  return keys;
}

export function checkRecipients(recipients: string[]): string[] {
  for (const r of recipients)
    if (!RECIPIENT.test(r))
      throw new ConfigError(
        `--recipient "${r.slice(0, 12)}…" is not an age X25519 recipient (age1 followed by 58 characters, as age-keygen -y prints)`,
      );
  return recipients;
}

export function encrypter(key: EncryptionKey): Encrypter {
  const e = new Encrypter();
  if (key.kind === 'passphrase') e.setPassphrase(key.passphrase);
  else for (const r of key.recipients) e.addRecipient(r);
  return e;
}

export function decrypter(key: DecryptionKey): Decrypter {
  const d = new Decrypter();
  if (key.kind === 'passphrase') d.addPassphrase(key.passphrase);
  else if (key.kind === 'file-key') {
    const fileKey = key.fileKey;
    d.addIdentity({ unwrapFileKey: () => fileKey });
  } else for (const i of key.identities) d.addIdentity(i);
  return d;
}
