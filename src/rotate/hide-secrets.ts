import { hideKnownSecrets } from '../text/known-secrets.ts';
import { MIN_PASSWORD_LENGTH } from './new-password.ts';

/**
 * What rotate prints, with the passwords it sent to a server replaced by `***` (see src/text/known-secrets.ts): the
 * new password rotate logs in with, or the one it connects with. Only passwords of MIN_PASSWORD_LENGTH characters or
 * more are searched for: a short one ("redis") would turn unrelated words into `***` and show where it stands.
 */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  return hideKnownSecrets(text, secrets, MIN_PASSWORD_LENGTH);
}
