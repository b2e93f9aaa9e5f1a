/**
 * What a live audit asks a server, as data: the CONFIG parameters the checks read, the commands whose presence
 * (COMMAND INFO) and per-user permission (ACL DRYRUN) matter, and the INFO fields that stand in for CONFIG when
 * CONFIG is renamed or forbidden. Every command here is read-only; ACL DRYRUN only asks, it never runs anything.
 */

/**
 * The CONFIG parameters the security checks read (RS001–RS056), asked by name in one `CONFIG GET` on Redis 7+
 * (one `CONFIG GET` each before 7.0). Names a server does not know are simply absent from the reply.
 */
export const SECURITY_CONFIG_KEYS = [
  // authentication (requirepass and masterauth are redacted on arrival; see SECRET_CONFIG_KEYS)
  'requirepass',
  'masterauth',
  'masteruser',
  'aclfile',
  'acllog-max-len',
  'acl-pubsub-default',
  // network exposure
  'bind',
  'protected-mode',
  'port',
  'unixsocket',
  'unixsocketperm',
  // TLS
  'tls-port',
  'tls-auth-clients',
  'tls-protocols',
  'tls-ciphers',
  'tls-ciphersuites',
  'tls-replication',
  'tls-cluster',
  // cluster
  'cluster-enabled',
  'cluster-port',
  // 7.0+ gates
  'enable-protected-configs',
  'enable-debug-command',
  'enable-module-command',
  // persistence (and the file-write IOC)
  'dir',
  'dbfilename',
  'appenddirname',
  'appendonly',
  'save',
  // replication ('replicaof' answers "host port" on a replica, '' otherwise)
  'replicaof',
  'replica-read-only',
  // resources and DoS limits
  'maxmemory',
  'maxmemory-policy',
  'maxclients',
  'timeout',
  'tcp-keepalive',
  'client-output-buffer-limit',
  'client-query-buffer-limit',
  'proto-max-bulk-len',
  'busy-reply-threshold',
  'lua-time-limit',
  // encoding thresholds (RS034): 7.0 names and their pre-7.0 aliases
  'set-max-intset-entries',
  'set-max-listpack-entries',
  'set-max-listpack-value',
  'hash-max-listpack-entries',
  'hash-max-listpack-value',
  'zset-max-listpack-entries',
  'zset-max-listpack-value',
  'hash-max-ziplist-entries',
  'hash-max-ziplist-value',
  'zset-max-ziplist-entries',
  'zset-max-ziplist-value',
  // observability and supervision
  'slowlog-log-slower-than',
  'slowlog-max-len',
  'latency-monitor-threshold',
  'logfile',
  'loglevel',
  'syslog-enabled',
  'daemonize',
  'supervised',
] as const;

/** Parameters whose CONFIG GET value is a plaintext secret: never kept in Facts.config (see REDACTED). */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(['requirepass', 'masterauth']);

/** What Facts.config.values holds for a secret parameter that is set (an unset one stays ''). */
export const REDACTED = '<redacted>';

/** Security-relevant commands asked with COMMAND INFO: nil means renamed away or missing (RS027, RS016). */
export const SECURITY_COMMANDS = [
  'config',
  'debug',
  'module',
  'flushall',
  'flushdb',
  'keys',
  'monitor',
  'eval',
  'function',
  'replicaof',
  'slaveof',
  'shutdown',
  'acl',
  'save',
  'bgsave',
  'migrate',
  'restore',
  'sync',
  'psync',
  // also asked with ACL DRYRUN (DRYRUN_PROBES)
  'client',
  'bgrewriteaof',
  'swapdb',
  'pfadd',
] as const;

/**
 * One ACL DRYRUN question per dangerous command: `name` is the key in Facts.dryRun (ACL form, lower case,
 * `command|subcommand`), `args` a harmless, well-formed invocation (DRYRUN checks arity and ACL, never runs it).
 */
export interface DryRunProbe {
  name: string;
  args: string[];
}

export const DRYRUN_PROBES: readonly DryRunProbe[] = [
  { name: 'config|set', args: ['CONFIG', 'SET', 'maxmemory', '0'] },
  { name: 'config|get', args: ['CONFIG', 'GET', 'maxmemory'] },
  { name: 'debug', args: ['DEBUG', 'SLEEP', '0'] },
  { name: 'module|load', args: ['MODULE', 'LOAD', '/nonexistent.so'] },
  { name: 'flushall', args: ['FLUSHALL'] },
  { name: 'flushdb', args: ['FLUSHDB'] },
  { name: 'keys', args: ['KEYS', 'x'] },
  { name: 'monitor', args: ['MONITOR'] },
  { name: 'client|list', args: ['CLIENT', 'LIST'] },
  { name: 'client|kill', args: ['CLIENT', 'KILL', 'ID', '0'] },
  { name: 'eval', args: ['EVAL', 'return 1', '0'] },
  {
    name: 'function|load',
    args: ['FUNCTION', 'LOAD', "#!lua name=x\nredis.register_function('x', function() return 1 end)"],
  },
  { name: 'replicaof', args: ['REPLICAOF', 'NO', 'ONE'] },
  { name: 'slaveof', args: ['SLAVEOF', 'NO', 'ONE'] },
  { name: 'shutdown', args: ['SHUTDOWN'] },
  { name: 'acl|setuser', args: ['ACL', 'SETUSER', 'x'] },
  { name: 'save', args: ['SAVE'] },
  { name: 'bgsave', args: ['BGSAVE'] },
  { name: 'bgrewriteaof', args: ['BGREWRITEAOF'] },
  { name: 'migrate', args: ['MIGRATE', '127.0.0.1', '1', 'k', '0', '0'] },
  { name: 'restore', args: ['RESTORE', 'k', '0', 'x'] },
  { name: 'sync', args: ['SYNC'] },
  { name: 'psync', args: ['PSYNC', '?', '-1'] },
  { name: 'swapdb', args: ['SWAPDB', '0', '1'] },
  { name: 'pfadd', args: ['PFADD', 'k', 'x'] },
];

/** At most this many users get DRYRUN questions in one audit (the rest are reported as not checked). */
export const MAX_DRYRUN_USERS = 64;

/** ACL LOG entries read per audit (the server keeps acllog-max-len, 128 by default). */
export const ACL_LOG_COUNT = 128;

/**
 * CONFIG parameters INFO also shows, for when CONFIG is renamed or forbidden: parameter → INFO field and how to
 * turn the INFO value into the CONFIG form. Only exact equivalents are listed (INFO tcp_port is the TLS port
 * when `port 0`, so it is not one).
 */
export const CONFIG_FROM_INFO: ReadonlyArray<{ param: string; field: string; map?: (v: string) => string }> = [
  { param: 'maxmemory', field: 'maxmemory' },
  { param: 'maxmemory-policy', field: 'maxmemory_policy' },
  { param: 'maxclients', field: 'maxclients' },
  { param: 'appendonly', field: 'aof_enabled', map: (v) => (v === '1' ? 'yes' : 'no') },
  { param: 'cluster-enabled', field: 'cluster_enabled', map: (v) => (v === '1' ? 'yes' : 'no') },
  // Only shown by a replica.
  { param: 'replica-read-only', field: 'slave_read_only', map: (v) => (v === '1' ? 'yes' : 'no') },
];
