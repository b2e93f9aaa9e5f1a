/** ACL users and selectors as parsed from `ACL LIST`, an ACL file or a redis.conf `user` line. */

/** Where a rule was read in a file. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** One ACL user as rules, in order, from `ACL LIST` (live) or an ACL file / `user` directive (file). */
export interface AclUser {
  name: string;
  enabled: boolean; // 'on' / 'off'
  nopass: boolean;
  /** SHA-256 hex of each password: '#<hash>' rules, or computed from '>password' rules. Never printed. */
  passwordHashes: string[];
  /** Plaintext passwords, only known from files ('>pw') or CONFIG GET requirepass. Never printed. */
  plaintextPasswords: string[];
  /** Key patterns as written: '~*', '%R~app:*', 'allkeys', 'resetkeys' expanded into the list. */
  keyPatterns: string[];
  /** Channel patterns: '&*', 'allchannels' → ['*'], 'resetchannels' → []. */
  channelPatterns: string[];
  /** Command rules in order: '+@all', '-@dangerous', '+config|get', '-flushall', 'allcommands' → '+@all'. */
  commandRules: string[];
  /**
   * Selectors (Redis 7.0+ `(~k* +get)`): each one can grant a command on top of the root rules above. Absent or
   * empty when the user has none.
   */
  selectors?: AclSelector[];
  /** `skip-sanitize-payload`: RESTORE payloads are not deep-checked for this user. */
  skipSanitizePayload?: boolean;
  /**
   * Where the user comes from: 'acl-list' (live), 'aclfile' or 'config' (a `user` line), 'requirepass' (the default
   * user a redis.conf without users gets from requirepass), 'builtin' (the default user Redis creates when nothing
   * defines it: `on nopass ~* &* +@all` — also with an aclfile that has no `user default` line, even when
   * requirepass is set).
   */
  origin?: 'acl-list' | 'aclfile' | 'config' | 'requirepass' | 'builtin';
  location?: SourceLocation;
}

/** One ACL selector: key, channel and command rules like a user's root rules (no passwords or on/off). */
export interface AclSelector {
  keyPatterns: string[];
  channelPatterns: string[];
  commandRules: string[];
}
