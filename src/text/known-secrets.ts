/**
 * Shortest secret searched for in text. A shorter one ("redis", "admin") would turn unrelated words into `***`,
 * mangling the line and showing where the password stands; such a password is weak anyway (the audit says so).
 */
export const MIN_SEARCHED_SECRET_LENGTH = 8;

/**
 * `text` with every secret of `secrets` (of MIN_SEARCHED_SECRET_LENGTH characters or more, or `minLength`) replaced
 * by `***`, wherever it stands. A server may echo what it was sent in an error (a hostile one, or a proxy that
 * logs): a password must not reach a terminal, a log or a label from there. The second line of defence: messages
 * are built without secrets in the first place.
 */
export function hideKnownSecrets(
  text: string,
  secrets: readonly (string | undefined)[],
  minLength = MIN_SEARCHED_SECRET_LENGTH,
): string {
  let out = text;
  for (const s of secrets) {
    if (s === undefined || s.length < minLength || !out.includes(s.slice(0, 4))) continue;
    out = out.split(s).join('***');
    // A long server message is cut where it is shown ("…"): a password cut there has its beginning hidden too.
    for (let k = s.length - 1; k >= 4; k--) out = out.split(`${s.slice(0, k)}…`).join('***…');
  }
  return out;
}
