/**
 * What an audit learned about one Redis deployment, from a live server, from files, or both. Every check is a
 * pure function over Facts. Fields are optional: absent means "could not observe", and the reason is in
 * `unobserved` so a check can report `unknown` with it. Facts may hold secrets (plaintext passwords from a
 * file or CONFIG GET requirepass, password hashes): checks read them but must never copy them into evidence.
 */
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
  location?: SourceLocation;
}

export interface AclLogEntry {
  reason: string; // auth | command | key | channel
  context: string;
  object: string;
  username: string;
  count: number;
  ageSeconds: number;
}

/** What an unauthenticated client sees on a fresh connection (the outsider's view). */
export interface UnauthProbe {
  /** pong/info: answered without auth; noauth: auth enforced; denied: protected mode; closed/error: refused. */
  result: 'open' | 'noauth' | 'denied' | 'closed' | 'tls-required' | 'error';
  /** `CONFIG GET dir` before AUTH answered "unknown command": CONFIG is renamed (the pre-auth oracle). */
  configRenamed?: boolean;
  detail?: string;
}

export interface ConfigFacts {
  /** Effective values by parameter name (lower case). Live: CONFIG GET; file: last occurrence wins. */
  values: Record<string, string>;
  /** Where each file directive was set (last occurrence). */
  locations: Record<string, SourceLocation>;
  /** All directives in file order (repeated ones included), for checks that need every occurrence. */
  directives: Array<{ name: string; args: string[]; location: SourceLocation }>;
  /** rename-command lines from a file: original (lower case) → new name ('' = disabled). Never printed. */
  renamedCommands: Record<string, string>;
}

export interface ServerFacts {
  version: string; // redis_version
  gitSha1?: string;
  buildId?: string;
  mode?: string; // standalone | sentinel | cluster
  os?: string;
  processId?: number;
  supervised?: string;
  executable?: string;
  configFile?: string;
  tcpPort?: number;
  /** Build looks like a distro package (git sha 00000000 etc.): fixed versions may be backported. */
  distroBuild: boolean;
}

export interface LocalProcessFacts {
  uid?: number;
  /** stat() of files the server uses, when the audit runs on the same host. */
  files: Array<{ path: string; role: 'config' | 'aclfile' | 'unixsocket' | 'dir'; mode: number; uid: number }>;
}

export interface Facts {
  /** Where facts came from: a redacted target URL and/or file paths. */
  target?: string;
  files: string[];
  live: boolean;
  server?: ServerFacts;
  /** Flat INFO fields (field → value) from a live server. */
  info?: Record<string, string>;
  config?: ConfigFacts;
  users?: AclUser[];
  aclLog?: AclLogEntry[];
  unauth?: UnauthProbe;
  /** COMMAND INFO results for security-relevant commands: false = renamed away or missing. */
  commandsPresent?: Record<string, boolean>;
  /** ACL DRYRUN answers: user → command → allowed (only when the auditor may run ACL DRYRUN). */
  dryRun?: Record<string, Record<string, boolean>>;
  modules?: Array<{ name: string; version: string }>;
  errorstats?: Record<string, number>;
  local?: LocalProcessFacts;
  /** Opt-in bounded sample of suspicious keys: key name and a short, secret-free description. */
  suspiciousKeys?: Array<{ db: string; key: string; why: string }>;
  /** Why a part could not be observed, e.g. { config: 'CONFIG is not permitted for this user (NOPERM)' }. */
  unobserved: Partial<
    Record<'config' | 'users' | 'aclLog' | 'unauth' | 'commands' | 'info' | 'local' | 'keys', string>
  >;
  /** Operator inventory: allowed replication peers (RS041) and the role the instance should have. */
  inventory?: { allowedPeers?: string[]; expectedRole?: 'master' | 'replica'; adminUsers?: string[] };
}
