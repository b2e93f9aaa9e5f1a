import { resolveCredentials } from '../redis/password-file.ts';
import { PasswordFileWatch } from '../redis/password-file-watch.ts';
import type { WatchedTarget } from './watched-target.ts';

/**
 * `up`'s --redis.password-file, watched: when `redoubt rotate` replaces it, each target's next login uses the new
 * password (its connection up now stays, as a client's does during the rotation's grace period). A stat per target
 * per scrape is the cost. New passwords join `secrets`, the
 * list up hides in everything it prints (src/text/known-secrets.ts).
 */
export class TargetPasswords {
  private readonly watch: PasswordFileWatch;

  constructor(
    path: string,
    private readonly given: { user?: string; password?: string },
    private readonly secrets: string[],
    warn: (message: string) => void,
  ) {
    this.watch = new PasswordFileWatch(path, (message) => warn(`--redis.password-file changed: ${message}`));
  }

  /** Gives `t`'s next login the password the file now holds for it, when that changed. */
  refresh(t: WatchedTarget): void {
    if (!t.given) return;
    const passwords = this.watch.current();
    const { user, password } = resolveCredentials(t.given, { ...this.given, passwords });
    if (password === t.scraper.password) return;
    if (password && !this.secrets.includes(password)) this.secrets.push(password);
    t.scraper.useCredentials(user, password);
  }
}
