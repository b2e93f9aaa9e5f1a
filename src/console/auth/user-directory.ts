/**
 * The running process's view of users.json: read again whenever the file changes (a `redoubt up user …` while up
 * runs takes effect at the next request). A file that stops being valid locks everyone out until it is fixed,
 * with one line saying why: failing open is not an option for a list of who may log in.
 */
import type { ConsoleUser } from './user-file.ts';
import { fileVersion, readUsers, UserFileError } from './user-file.ts';

export class UserDirectory {
  private version = '';
  private users = new Map<string, ConsoleUser>();

  constructor(
    private readonly dataDir: string,
    private readonly warn: (line: string) => void,
  ) {}

  private refresh(): void {
    const v = fileVersion(this.dataDir);
    if (v === this.version) return;
    this.version = v;
    try {
      this.users = new Map((readUsers(this.dataDir) ?? []).map((u) => [u.name, u]));
    } catch (err) {
      if (!(err instanceof UserFileError)) throw err;
      this.users = new Map();
      this.warn(`${err.message}: nobody can log in until it is fixed`);
    }
  }

  find(name: string): ConsoleUser | undefined {
    this.refresh();
    return this.users.get(name);
  }
}
