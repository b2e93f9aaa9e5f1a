import { MIN_PASSWORD_LENGTH } from './new-password.ts';

/**
 * What rotate prints, with the passwords it sent to a server replaced by `***`. A server may echo what it was sent
 * in an error (a hostile one, or a proxy that logs): the new password rotate logs in with, or the one it connects
 * with, must not reach a terminal or a CI log from there. Only passwords of MIN_PASSWORD_LENGTH characters or more
 * are searched for: a short one ("redis") would turn unrelated words into `***` and show where it stands.
 */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < MIN_PASSWORD_LENGTH) continue;
    out = out.split(s).join('***');
    // A long server message is cut where it is shown ("…"): a password cut there has its beginning hidden too.
    for (let k = s.length - 1; k >= 4; k--) out = out.split(`${s.slice(0, k)}…`).join('***…');
  }
  return out;
}
