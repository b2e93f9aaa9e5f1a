/**
 * The hardened redis.conf as data: each directive with the reason for it, whether it can be changed on a running
 * server (CONFIG SET) and the audit checks it answers. `renderRedisConf` writes redis-secure.conf from it; the live
 * mode of `redoubt harden --redis` diffs the runtime part against CONFIG GET.
 */
export type Role = 'cache' | 'store';

export interface TlsPaths {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface SecureConfOptions {
  role: Role;
  /** Addresses to listen on, loopback first: ['127.0.0.1', '-::1', '10.0.0.5']. */
  bind: string[];
  /** The TCP port clients use (the TLS port with `tls`). */
  port: number;
  /** As written in redis.conf: '256mb'. */
  maxmemory: string;
  /** Absolute path of users.acl. */
  aclFile: string;
  tls?: TlsPaths;
  /** Data directory; default /var/lib/redis (Debian's layout, writable under its systemd unit). */
  dir?: string;
  /** Default /var/log/redis/redis-server.log. */
  logFile?: string;
}

export interface Directive {
  name: string;
  args: string[];
  /** Why, in one line (written as a comment above the directive). */
  why?: string;
  /** CONFIG SET can change it on a running server. */
  runtime: boolean;
  section: string;
}

export const DEFAULT_DIR = '/var/lib/redis';
export const DEFAULT_LOGFILE = '/var/log/redis/redis-server.log';
export const DEFAULT_BIND = ['127.0.0.1', '-::1'];
export const DEFAULT_MAXMEMORY = '256mb';
export const DEFAULT_PORT = 6379;

/** Output buffer limits per client class: hard limit, soft limit, seconds over the soft limit. */
export const OUTPUT_BUFFER_LIMITS = {
  normal: ['256mb', '64mb', '60'],
  replica: ['512mb', '128mb', '60'],
  pubsub: ['32mb', '8mb', '60'],
} as const;

export function hardenedDirectives(o: SecureConfOptions): Directive[] {
  const out: Directive[] = [];
  let section = '';
  const add = (name: string, args: string[], runtime: boolean, why?: string) =>
    out.push({ name, args, why, runtime, section });

  section = 'Network';
  add(
    'bind',
    o.bind,
    false,
    'Listen on loopback and the named private addresses only, never on every interface (RS008).',
  );
  add(
    'protected-mode',
    ['yes'],
    true,
    'Second guard: should the default user ever lose its password, only loopback clients get in (RS009).',
  );
  if (o.tls) {
    add('port', ['0'], false, 'No plaintext port: passwords and data only travel encrypted (RS011, RS012).');
    add('tls-port', [String(o.port)], false);
    add('tls-cert-file', [o.tls.certFile], false);
    add('tls-key-file', [o.tls.keyFile], false);
    add('tls-ca-cert-file', [o.tls.caFile], false);
    add(
      'tls-auth-clients',
      ['yes'],
      false,
      'Mutual TLS: a client needs a certificate from this CA, so unknown peers never reach AUTH (RS013).',
    );
    add('tls-protocols', ['TLSv1.2 TLSv1.3'], false, 'No TLS 1.0/1.1 (RS014).');
    add(
      'tls-replication',
      ['yes'],
      false,
      'Replication is encrypted too; a replica presents the server certificate, which is valid for clientAuth (RS015).',
    );
  } else {
    add('port', [String(o.port)], false, 'Plaintext RESP; pass --tls for TLS with client certificates.');
  }
  add(
    'timeout',
    ['300'],
    true,
    'Close connections idle for 5 minutes, so idle clients cannot exhaust maxclients (RS031).',
  );
  add('tcp-keepalive', ['300'], true, 'Detect dead peers.');

  section = 'Users and dangerous commands';
  add(
    'aclfile',
    [o.aclFile],
    false,
    'Users live in users.acl: default user off; admin, app, exporter, backup, auditor. ACL SAVE writes it back. Do not add requirepass or `user` lines here (RS001, RS005); ACLs replace rename-command (RS027).',
  );
  add(
    'acllog-max-len',
    ['256'],
    true,
    'Keep the last 256 failed logins and denied commands for ACL LOG (RS035, RS046).',
  );
  add(
    'enable-debug-command',
    ['no'],
    false,
    'DEBUG, MODULE LOAD and changing dir/dbfilename stay impossible at runtime, even for admin (RS019-RS021).',
  );
  add('enable-module-command', ['no'], false);
  add('enable-protected-configs', ['no'], false);

  section = 'Memory and client limits';
  add(
    'maxmemory',
    [o.maxmemory],
    true,
    'Bounded memory instead of growing until the kernel kills Redis (RS028); about 70-80% of what Redis may use.',
  );
  add(
    'maxmemory-policy',
    [o.role === 'cache' ? 'allkeys-lru' : 'noeviction'],
    true,
    o.role === 'cache'
      ? 'A cache: when full, evict the least recently used keys (RS029).'
      : 'A store: when full, refuse writes rather than silently drop data (RS029).',
  );
  const limits = OUTPUT_BUFFER_LIMITS;
  add(
    'client-output-buffer-limit',
    ['normal', ...limits.normal],
    true,
    'Disconnect clients that stop reading their replies instead of buffering without bound, including unauthenticated floods (CVE-2025-21605; RS032).',
  );
  add('client-output-buffer-limit', ['replica', ...limits.replica], true);
  add('client-output-buffer-limit', ['pubsub', ...limits.pubsub], true);
  add('busy-reply-threshold', ['5000'], true, 'A script running over 5 s gets BUSY replies and can be killed (RS044).');

  section = 'Persistence';
  if (o.role === 'cache') {
    add('save', [''], true, 'A cache keeps nothing on disk; a restart starts empty (RS042).');
    add('appendonly', ['no'], true);
  } else {
    add(
      'appendonly',
      ['yes'],
      true,
      'A store logs every write to the append-only file, fsynced every second: a crash loses at most 1 s (RS042).',
    );
    add('appendfsync', ['everysec'], true);
    add(
      'save',
      ['3600', '1', '300', '100', '60', '10000'],
      true,
      'RDB snapshots as well, for backups and fast restarts.',
    );
  }
  add(
    'dir',
    [o.dir ?? DEFAULT_DIR],
    false,
    'Data files, owned by the redis user; never a home, cron or web directory (RS038).',
  );

  section = 'Replication';
  add('replica-read-only', ['yes'], true, 'Replicas refuse writes; attackers flip this at runtime (RS040).');

  section = 'Logging and monitoring';
  add('logfile', [o.logFile ?? DEFAULT_LOGFILE], false, 'Keep a log (RS046).');
  add('loglevel', ['notice'], true);
  add(
    'slowlog-log-slower-than',
    ['10000'],
    true,
    'Record commands slower than 10 ms, and latency events over 100 ms (RS043).',
  );
  add('slowlog-max-len', ['256'], true);
  add('latency-monitor-threshold', ['100'], true);
  return out;
}

/** Quotes a redis.conf argument when it needs it: empty, whitespace, quotes, backslashes or non-printables. */
export function confArg(value: string): string {
  if (value !== '' && /^[\x21-\x7e]+$/.test(value) && !/["'\\]/.test(value)) return value;
  let out = '"';
  for (const b of Buffer.from(value, 'utf8')) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

function renderArgs(d: Directive): string {
  return d.args.map(confArg).join(' ');
}

/** `# text` lines of at most 100 columns. */
function wrapComment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length > 1 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** redis-secure.conf: the seed's template, done properly, with the reason for each setting. */
export function renderRedisConf(o: SecureConfOptions): string {
  const lines = [
    `# redis-secure.conf, written by \`redoubt harden\` (role: ${o.role}${o.tls ? ', TLS' : ''}).`,
    '# Start with: redis-server <this file>. Check it with: redoubt audit --config <this file>.',
    '# RSnnn refers to the check of `redoubt audit` the setting answers.',
  ];
  let section = '';
  for (const d of hardenedDirectives(o)) {
    if (d.section !== section) {
      section = d.section;
      lines.push('', `# --- ${section} ---`);
    }
    if (d.why) lines.push(...wrapComment(d.why));
    lines.push(`${d.name} ${renderArgs(d)}`);
  }
  return `${lines.join('\n')}\n`;
}
