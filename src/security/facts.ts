/**
 * What an audit learned about one Redis deployment, from a live server, from files, or both. Every check is a
 * pure function over Facts. Fields are optional: absent means "could not observe", and the reason is in
 * `unobserved` so a check can report `unknown` with it. Facts may hold secrets (plaintext passwords from a
 * file or CONFIG GET requirepass, password hashes): checks read them but must never copy them into evidence.
 */
import type { AclUser, SourceLocation } from '../redis/acl-user.ts';

export interface AclLogEntry {
  reason: string; // auth | command | key | channel
  context: string;
  object: string;
  username: string;
  count: number;
  ageSeconds: number;
  /** The client's address from the entry's client-info (addr=ip:port), when the server gave one. */
  clientAddr?: string;
}

/** What an unauthenticated client sees on a fresh connection (the outsider's view). */
export interface UnauthProbe {
  /** pong/info: answered without auth; noauth: auth enforced; denied: protected mode; closed/error: refused. */
  result: 'open' | 'noauth' | 'denied' | 'closed' | 'tls-required' | 'error';
  /** `CONFIG GET dir` before AUTH answered "unknown command": CONFIG is renamed (the pre-auth oracle). */
  configRenamed?: boolean;
  /** The answer came over TLS (the port serves TLS; a plaintext attempt was closed or reset). */
  tls?: boolean;
  /** The TLS handshake, or the connection right after it, failed without a client certificate (mTLS). */
  clientCertRequired?: boolean;
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
  /**
   * File only: what Redis 7.0 would refuse to start with, or silently ignore (an unknown directive, a wrong number of
   * arguments, `protected-mode maybe`, `user` lines together with an aclfile …), with Redis's own message.
   */
  warnings?: Array<{ location: SourceLocation; message: string; refused: boolean }>;
  /**
   * Live only: parameters whose value was read from INFO because CONFIG GET was unavailable (see
   * `unobserved.config`), e.g. maxmemory from INFO memory. Everything else in `values` came from CONFIG GET.
   */
  derivedFromInfo?: string[];
}

export interface ServerFacts {
  version: string; // redis_version
  /** Valkey's own version (INFO valkey_version); redis_version is then a compatibility value. */
  valkeyVersion?: string;
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
  /** COMMAND COUNT and COMMAND LIST (a renamed command is counted but not listed under its new name). */
  commandCount?: number;
  commandNames?: string[];
  /** ACL DRYRUN answers: user → command → allowed (only when the auditor may run ACL DRYRUN). */
  dryRun?: Record<string, Record<string, boolean>>;
  modules?: Array<{ name: string; version: string }>;
  errorstats?: Record<string, number>;
  local?: LocalProcessFacts;
  /** Opt-in bounded sample of suspicious keys: key name and a short, secret-free description. */
  suspiciousKeys?: Array<{ db: string; key: string; why: string }>;
  /**
   * Why a part could not be observed, e.g. { config: 'CONFIG is not permitted for this user (NOPERM)' }. `login`:
   * why a live audit could not log in, stated once; the parts it hid then give only a short reason.
   */
  unobserved: Partial<
    Record<
      'config' | 'users' | 'aclLog' | 'unauth' | 'commands' | 'info' | 'local' | 'keys' | 'dryRun' | 'login',
      string
    >
  >;
  /**
   * When the facts were gathered (ISO 8601), set by the collector so date-dependent checks (RS037 end of life)
   * stay pure. Absent: those checks judge against the date of their bundled data instead.
   */
  now?: string;
  /** Operator inventory: allowed replication peers (RS041) and the role the instance should have. */
  inventory?: { allowedPeers?: string[]; expectedRole?: 'master' | 'replica'; adminUsers?: string[] };
}
