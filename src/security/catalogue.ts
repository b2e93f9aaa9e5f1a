/**
 * The security check catalogue (RS001–RS056): metadata only, as data. Started from the research catalogue
 * (security-checks.json); the logic of each check lives in src/security/checks/<category>.ts.
 */
import type { Category, Severity } from './check.ts';

export interface CatalogueEntry {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  /** What to change, in config and/or ACL terms. */
  remediation: string;
  /** Whether a live server can show it, a file can show it, or both. */
  detects: string;
}

export const CATALOGUE: Readonly<Record<string, CatalogueEntry>> = {
  RS001: {
    id: 'RS001',
    title: 'Default user has no password (no authentication)',
    severity: 'critical',
    category: 'authentication',
    remediation:
      'config: aclfile /etc/redis/users.acl; # or: requirepass <64-hex-random> | acl: user default off; user admin on >$(openssl rand -hex 32) ~* &* +@all; user app on >... ~app:* &app:* -@all +@read +@write +@connection -@dangerous -@scripting',
    detects:
      "Any client that can reach the port gets full access (default user 'on nopass ~* &* +@all'). Precondition for every unauthenticated attack (SSH-key/cron write, rogue master, cryptominers).",
  },
  RS002: {
    id: 'RS002',
    title: 'Redis answers unauthenticated commands from a non-loopback address',
    severity: 'critical',
    category: 'exposure',
    remediation:
      'config: bind 127.0.0.1 -::1 <private-ip>; protected-mode yes; user default off (aclfile); firewall the port | acl: user default off',
    detects:
      'External reachability + no auth (the Shodan/worm case). Distinct from RS001: measures what an outside scanner sees.',
  },
  RS003: {
    id: 'RS003',
    title: 'Weak requirepass / default-user password',
    severity: 'high',
    category: 'authentication',
    remediation:
      'config: requirepass <output of: openssl rand -hex 32> (or ACL users) | acl: ACL SETUSER default reset on >$(ACL GENPASS) ~* &* +@all  # or switch off default',
    detects:
      'Short, low-entropy or dictionary password. Redis does not rate-limit AUTH: lab measured ~110k guesses/s on ONE pipelined loopback connection (12.5k/s unpipelined); redis.conf warns of ~150k/s.',
  },
  RS004: {
    id: 'RS004',
    title: 'ACL user password equals username or is a common password',
    severity: 'high',
    category: 'authentication',
    remediation: 'acl: ACL SETUSER <u> resetpass >$(ACL GENPASS); ACL SAVE',
    detects: 'Users whose password hash equals SHA-256(username) or a common password.',
  },
  RS005: {
    id: 'RS005',
    title: 'Default user still enabled with +@all while named users exist',
    severity: 'high',
    category: 'authorization',
    remediation: 'acl: user default off; # or: user default on >pw resetkeys -@all +ping +auth +hello',
    detects:
      "Operators add ACL users but leave 'default' (used by every client that does not send a username) fully privileged.",
  },
  RS006: {
    id: 'RS006',
    title: 'ACL user with nopass and broad permissions',
    severity: 'critical',
    category: 'authorization',
    remediation: 'acl: ACL SETUSER <u> resetpass >$(ACL GENPASS)',
    detects: "Any non-default user flagged 'nopass' (any password accepted) with +@all ~* or admin commands.",
  },
  RS007: {
    id: 'RS007',
    title: 'Too many superusers (+@all ~* &*)',
    severity: 'medium',
    category: 'authorization',
    remediation:
      'acl: split roles: admin (+@all), app (-@all +@read +@write -@dangerous -@scripting), monitor (+info +ping +config|get ...)',
    detects: 'Privilege sprawl: several users with full rights; app credentials that can run CONFIG/MODULE/REPLICAOF.',
  },
  RS008: {
    id: 'RS008',
    title: 'Bound to all interfaces',
    severity: 'high',
    category: 'network',
    remediation: 'config: bind 127.0.0.1 -::1 10.0.0.5',
    detects:
      "bind '*', '0.0.0.0', '::*' or no bind directive (older defaults / docker images) exposes every interface.",
  },
  RS009: {
    id: 'RS009',
    title: 'protected-mode disabled',
    severity: 'high',
    category: 'network',
    remediation: 'config: protected-mode yes | acl: restrict config|set so it cannot be flipped at runtime',
    detects:
      "protected-mode no removes the last guard for nopass instances. 7.0+: protected mode applies whenever default user is nopass; 6.x: only when NO bind is configured (explicit 'bind 0.0.0.0' disables it even with protected-mode yes). Runtime-modifiable (CONFIG SET protected-mode no is used by attackers, e.g. Migo).",
  },
  RS010: {
    id: 'RS010',
    title: 'Default port 6379/26379',
    severity: 'low',
    category: 'network',
    remediation: 'config: port <non-default> (defence in depth only)',
    detects: 'Default port makes mass scanning trivial (obscurity only; informational).',
  },
  RS011: {
    id: 'RS011',
    title: 'TLS not enabled for a network-exposed instance',
    severity: 'high',
    category: 'encryption',
    remediation:
      'config: port 0; tls-port 6379; tls-cert-file ...; tls-key-file ...; tls-ca-cert-file ...; tls-auth-clients yes; tls-protocols "TLSv1.2 TLSv1.3"',
    detects: 'AUTH passwords and data travel in clear text (Redis security doc: AUTH is sent unencrypted).',
  },
  RS012: {
    id: 'RS012',
    title: 'Plain-text port open alongside TLS',
    severity: 'medium',
    category: 'encryption',
    remediation: 'config: port 0',
    detects: "TLS configured but 'port' still non-zero, so clients can bypass TLS.",
  },
  RS013: {
    id: 'RS013',
    title: 'TLS client authentication not required',
    severity: 'medium',
    category: 'encryption',
    remediation: 'config: tls-auth-clients yes',
    detects:
      'tls-auth-clients no/optional lets any TLS client connect (mTLS blocks unauthenticated peers before RESP - a strong mitigation for pre-auth bugs such as CVE-2025-21605/48367).',
  },
  RS014: {
    id: 'RS014',
    title: 'Weak TLS protocol versions allowed',
    severity: 'medium',
    category: 'encryption',
    remediation: 'config: tls-protocols "TLSv1.2 TLSv1.3"; tls-prefer-server-ciphers yes',
    detects:
      'tls-protocols includes TLSv1/TLSv1.1 (or is empty and the OpenSSL default still allows them on old distros).',
  },
  RS015: {
    id: 'RS015',
    title: 'Replication / cluster bus not encrypted',
    severity: 'medium',
    category: 'encryption',
    remediation: 'config: tls-replication yes; tls-cluster yes',
    detects:
      'tls-replication no / tls-cluster no while TLS is used for clients: replica sync (full dataset) and cluster gossip in clear text.',
  },
  RS016: {
    id: 'RS016',
    title: 'Dangerous commands available to non-admin users',
    severity: 'high',
    category: 'authorization',
    remediation:
      'acl: user app on >pw ~app:* &app:* -@all +@read +@write +@connection -@dangerous -@scripting; user admin on >pw ~* &* +@all (used only by operators) | config: Avoid rename-command (deprecated); if ACL impossible (<6.0): rename-command CONFIG "" etc.',
    detects:
      'Application/default users can run FLUSHALL FLUSHDB CONFIG DEBUG KEYS SHUTDOWN MODULE SCRIPT EVAL EVALSHA FUNCTION FCALL MONITOR SAVE BGSAVE BGREWRITEAOF REPLICAOF SLAVEOF SYNC PSYNC MIGRATE RESTORE CLIENT|KILL ACL SWAPDB CLUSTER FAILOVER.',
  },
  RS017: {
    id: 'RS017',
    title: 'CONFIG SET available to non-admin users',
    severity: 'critical',
    category: 'authorization',
    remediation: 'acl: -config|set -config|rewrite -config|resetstat for everyone but admin',
    detects:
      'CONFIG SET is the primitive for: dir/dbfilename file-write attacks (SSH keys, cron, webshell) on <7.0, protected-mode no, replica-read-only no, masterauth, raising proto-max-bulk-len (CVE preconditions), maxmemory 0 DoS.',
  },
  RS018: {
    id: 'RS018',
    title: 'Replication commands available (rogue-master / SLAVEOF attack)',
    severity: 'high',
    category: 'authorization',
    remediation: 'acl: -replicaof -slaveof -sync -psync for app users (they are @admin/@dangerous)',
    detects:
      'REPLICAOF/SLAVEOF lets an attacker make the victim replicate from an attacker-controlled master that ships a malicious RDB/module (redis-rogue-server technique, HeadCrab, P2PInfect variant).',
  },
  RS019: {
    id: 'RS019',
    title: 'MODULE LOAD possible',
    severity: 'critical',
    category: 'hardening',
    remediation: 'config: enable-module-command no',
    detects:
      "Loading a native .so gives code execution (rogue-master RCE drops exp.so then MODULE LOAD). 7.0+: blocked unless enable-module-command yes/local; <7.0: available to any user allowed 'module'.",
  },
  RS020: {
    id: 'RS020',
    title: 'DEBUG command enabled',
    severity: 'medium',
    category: 'hardening',
    remediation: 'config: enable-debug-command no',
    detects:
      'DEBUG (e.g. DEBUG SEGFAULT, SET-ACTIVE-EXPIRE, RELOAD, OBJECT) enables crashes/DoS and memory disclosure; 7.0+ gated by enable-debug-command.',
  },
  RS021: {
    id: 'RS021',
    title: 'Protected configs modifiable (dir/dbfilename)',
    severity: 'high',
    category: 'hardening',
    remediation: 'config: enable-protected-configs no',
    detects:
      "enable-protected-configs yes/local makes 'dir' and 'dbfilename' (the only PROTECTED_CONFIG entries in 7.0-7.4 config.c) changeable at runtime again => file-write attacks.",
  },
  RS022: {
    id: 'RS022',
    title: 'Lua scripting / functions available to untrusted users',
    severity: 'medium',
    category: 'authorization',
    remediation:
      'acl: ACL SETUSER app -@scripting; # emergency mitigation for Lua CVEs: ACL SETUSER default -@scripting (blocks EVAL/EVALSHA/SCRIPT/FUNCTION/FCALL)',
    detects:
      "EVAL/EVALSHA/SCRIPT/FUNCTION/FCALL are the attack surface of most 2021-2025 RCE CVEs (CVE-2025-49844 'RediShell', 46817/46818/46819, 2024-46981, 2024-31449, 2022-24834...). Severity raised to high/critical when the version is affected by any Lua CVE.",
  },
  RS023: {
    id: 'RS023',
    title: 'Debian/Ubuntu Lua sandbox escape (CVE-2022-0543)',
    severity: 'critical',
    category: 'vulnerability',
    remediation: 'config: upgrade distro package (DSA-5081-1) | acl: -@scripting',
    detects: "Distro package exposes the Lua 'package' library -> package.loadlib -> io.popen -> RCE.",
  },
  RS024: {
    id: 'RS024',
    title: 'FLUSHALL/FLUSHDB available to applications',
    severity: 'medium',
    category: 'authorization',
    remediation: 'acl: -flushall -flushdb (both @dangerous)',
    detects: "One command wipes the dataset (ransom-note attacks delete data and leave a 'readme' key).",
  },
  RS025: {
    id: 'RS025',
    title: 'KEYS available to applications',
    severity: 'low',
    category: 'availability',
    remediation: 'acl: -keys (use SCAN)',
    detects: 'KEYS blocks the event loop on large keyspaces (DoS; CVE-2022-36021/2024-31228 patterns).',
  },
  RS026: {
    id: 'RS026',
    title: 'MONITOR / CLIENT LIST available to non-admins',
    severity: 'medium',
    category: 'confidentiality',
    remediation: 'acl: -monitor -client|list -client|kill',
    detects:
      'MONITOR streams every command (all data) and CLIENT LIST reveals peers; MONITOR redacts AUTH but not data.',
  },
  RS027: {
    id: 'RS027',
    title: 'rename-command used instead of ACLs',
    severity: 'low',
    category: 'hardening',
    remediation: "config: remove rename-command; use 'user default off' + role users",
    detects:
      "rename-command is DEPRECATED in redis.conf ('avoid using this option if possible. Instead use ACLs'); renames break AOF/replication and are detectable pre-auth.",
  },
  RS028: {
    id: 'RS028',
    title: 'maxmemory unset',
    severity: 'medium',
    category: 'availability',
    remediation: 'config: maxmemory <~70-80% of RAM/container limit>',
    detects: 'maxmemory 0 lets Redis grow until the OOM killer; with many clients it is the main DoS vector.',
  },
  RS029: {
    id: 'RS029',
    title: 'maxmemory-policy inappropriate',
    severity: 'info',
    category: 'availability',
    remediation: 'config: maxmemory-policy allkeys-lru (cache) / noeviction (queue/primary store)',
    detects:
      'noeviction (default) returns OOM errors on writes when full; volatile-* without TTLs behaves like noeviction.',
  },
  RS030: {
    id: 'RS030',
    title: 'maxclients too high for file-descriptor limit',
    severity: 'low',
    category: 'availability',
    remediation: 'config: maxclients <expected*2>',
    detects: 'Default 10000; if ulimit is lower Redis lowers it at start (logged), attackers can exhaust connections.',
  },
  RS031: {
    id: 'RS031',
    title: 'Idle client timeout disabled',
    severity: 'low',
    category: 'availability',
    remediation: 'config: timeout 300',
    detects: 'timeout 0 keeps idle connections forever (connection exhaustion).',
  },
  RS032: {
    id: 'RS032',
    title: 'Unbounded client output buffers',
    severity: 'medium',
    category: 'availability',
    remediation:
      'config: client-output-buffer-limit pubsub 32mb 8mb 60; client-output-buffer-limit replica 256mb 64mb 60',
    detects:
      'client-output-buffer-limit pubsub 0 0 0 (slow subscribers) or normal limits removed; normal 0 0 0 is the default and, before the CVE-2025-21605 fix, unauthenticated clients could grow buffers without limit.',
  },
  RS033: {
    id: 'RS033',
    title: 'Protocol size limits raised (CVE preconditions)',
    severity: 'medium',
    category: 'hardening',
    remediation: 'config: remove overrides (defaults 512mb / 1gb)',
    detects:
      'proto-max-bulk-len > 512mb or client-query-buffer-limit > 1gb enable CVE-2021-32627/41099/21309-class overflows.',
  },
  RS034: {
    id: 'RS034',
    title: 'Encoding thresholds raised far above defaults',
    severity: 'low',
    category: 'hardening',
    remediation: 'config: use defaults',
    detects:
      'Very large hash/zset-max-ziplist|listpack-*, set-max-intset-entries are preconditions for CVE-2021-32628/32687/29478.',
  },
  RS035: {
    id: 'RS035',
    title: 'Authentication failures in ACL LOG (brute force)',
    severity: 'high',
    category: 'detection',
    remediation: 'config: acllog-max-len 256; alert on errorstat_WRONGPASS rate | acl: auditor: +acl|log +info',
    detects:
      "ACL LOG entries with reason 'auth' (aggregated 'count') and rising errorstat_WRONGPASS indicate password guessing.",
  },
  RS036: {
    id: 'RS036',
    title: 'Version affected by known CVEs',
    severity: 'high',
    category: 'vulnerability',
    remediation: 'config: upgrade to latest patch of a maintained branch (6.2.x/7.2.x/7.4.x/8.x)',
    detects:
      'redis_version (and valkey_version) older than the fixed release of its branch for any CVE in redis-cves.json.',
  },
  RS037: {
    id: 'RS037',
    title: 'End-of-life release branch',
    severity: 'high',
    category: 'vulnerability',
    remediation: 'config: upgrade to maintained branch',
    detects:
      '6.0.x (last 6.0.20, 2023-07) and 7.0.x (last 7.0.15, 2024-01) and anything <6.0 receive no upstream fixes.',
  },
  RS038: {
    id: 'RS038',
    title: 'Persistence directory/filename points to a sensitive location (IOC)',
    severity: 'critical',
    category: 'compromise-indicator',
    remediation:
      'config: dir /var/lib/redis; dbfilename dump.rdb; enable-protected-configs no; run as dedicated user with systemd ProtectSystem=strict/ProtectHome=true (Debian unit)',
    detects:
      'dir/dbfilename set to /root/.ssh + authorized_keys, /var/spool/cron(/crontabs) + root, /etc/cron.d, /var/www/html + *.php, /home/*/.ssh - the classic unauthenticated write-file attack or its leftover.',
  },
  RS039: {
    id: 'RS039',
    title: 'Replica cannot authenticate to its master (masterauth missing)',
    severity: 'medium',
    category: 'replication',
    remediation:
      'config: masteruser replica-user; masterauth <secret> | acl: user replica-user on >pw +psync +replconf +ping',
    detects:
      'Replica of a password-protected master without masterauth/masteruser: replication silently broken (data loss on failover).',
  },
  RS040: {
    id: 'RS040',
    title: 'Writable replica (replica-read-only no)',
    severity: 'medium',
    category: 'replication',
    remediation: 'config: replica-read-only yes',
    detects:
      'Writable replicas diverge and are a precondition for CVE-2026-23631 (Debian changelog) and attacker staging; attackers (Migo) set it.',
  },
  RS041: {
    id: 'RS041',
    title: 'Unexpected replication master or replicas (IOC)',
    severity: 'critical',
    category: 'compromise-indicator',
    remediation: 'config: REPLICAOF NO ONE; investigate; block replicaof via ACL',
    detects:
      'role:slave pointing at an unknown host, or connected replicas from unknown IPs - rogue-master attacks (HeadCrab/P2PInfect) leave this state.',
  },
  RS042: {
    id: 'RS042',
    title: 'Persistence disabled',
    severity: 'info',
    category: 'data-protection',
    remediation: 'config: appendonly yes; appendfsync everysec',
    detects: 'save "" and appendonly no: restart loses all data (fine for pure caches).',
  },
  RS043: {
    id: 'RS043',
    title: 'Slowlog / latency monitor disabled',
    severity: 'low',
    category: 'detection',
    remediation: 'config: slowlog-log-slower-than 10000; slowlog-max-len 256; latency-monitor-threshold 100',
    detects:
      'slowlog-log-slower-than -1 or slowlog-max-len 0 removes evidence of abusive commands; latency-monitor-threshold 0 (default) disables latency events.',
  },
  RS044: {
    id: 'RS044',
    title: 'Script timeout threshold unsafe',
    severity: 'low',
    category: 'availability',
    remediation: 'config: busy-reply-threshold 5000',
    detects:
      'lua-time-limit / busy-reply-threshold (7.0 alias) 0 or very high lets scripts block the server without BUSY replies.',
  },
  RS045: {
    id: 'RS045',
    title: 'Unix socket permissions too open',
    severity: 'high',
    category: 'network',
    remediation: 'config: unixsocketperm 700 (or 770 with dedicated group)',
    detects:
      'unixsocketperm with group/other write (e.g. 777/775/766) lets any local user connect (and bypass protected mode; unix sockets are always treated as local).',
  },
  RS046: {
    id: 'RS046',
    title: 'Logging disabled or ACL log disabled',
    severity: 'low',
    category: 'detection',
    remediation: 'config: logfile /var/log/redis/redis-server.log (Debian default); acllog-max-len 256',
    detects: 'logfile "" with daemonize yes sends logs to /dev/null; acllog-max-len 0 disables ACL LOG.',
  },
  RS047: {
    id: 'RS047',
    title: 'Not supervised by an init system',
    severity: 'info',
    category: 'hardening',
    remediation: 'config: supervised systemd (Type=notify unit with hardening options)',
    detects:
      'supervised no / process_supervised:no means no systemd sandboxing (Debian unit adds ProtectSystem=strict, ProtectHome, NoExecPaths=/, MemoryDenyWriteExecute...).',
  },
  RS048: {
    id: 'RS048',
    title: 'redis-server running as root',
    severity: 'high',
    category: 'hardening',
    remediation: 'config: systemd User=redis; container: runAsUser 1001 / runAsNonRoot true (Bitnami default)',
    detects: 'A file-write or module RCE as root = full host compromise.',
  },
  RS049: {
    id: 'RS049',
    title: 'Config/ACL file readable by others, or data directory writable by others',
    severity: 'medium',
    category: 'file',
    remediation: 'config: chmod 640 redis.conf users.acl; chown root:redis; chmod 750 <dir>; chown redis:redis <dir>',
    detects:
      "redis.conf/users.acl contain plaintext requirepass, masterauth, renamed command names, '>' passwords; a world-writable dir (by its mode, e.g. /tmp's 1777) lets other local users plant the RDB/AOF the server loads.",
  },
  RS050: {
    id: 'RS050',
    title: 'Sentinel without authentication',
    severity: 'high',
    category: 'sentinel',
    remediation:
      'config: requirepass <secret> (sentinel.conf); sentinel sentinel-pass <secret>; sentinel auth-pass <master> <secret>; bind private IP; Bitnami: auth.sentinel true',
    detects:
      "Sentinel has protected-mode forced off ('Sentinel must be exposed') and by default no requirepass: anyone can SENTINEL SET/REMOVE/FAILOVER/CONFIG SET and redirect clients to a rogue master.",
  },
  RS051: {
    id: 'RS051',
    title: 'Sentinel allows script reconfiguration',
    severity: 'high',
    category: 'sentinel',
    remediation: 'config: sentinel deny-scripts-reconfig yes',
    detects:
      'sentinel deny-scripts-reconfig no lets clients set notification-script/client-reconfig-script => command execution on the Sentinel host.',
  },
  RS052: {
    id: 'RS052',
    title: 'Cluster bus / cluster not protected',
    severity: 'medium',
    category: 'network',
    remediation: 'config: tls-cluster yes; firewall cluster bus to cluster members',
    detects:
      'cluster-enabled yes with cluster port (port+10000 or cluster-port) reachable and tls-cluster no; cluster bus has no auth beyond network.',
  },
  RS053: {
    id: 'RS053',
    title: 'Unexpected modules or module-added commands (IOC)',
    severity: 'high',
    category: 'compromise-indicator',
    remediation: 'config: enable-module-command no; remove unknown loadmodule lines; rebuild host',
    detects:
      'HeadCrab-style implants load a module that adds custom commands; any unexpected MODULE LIST entry is suspicious.',
  },
  RS054: {
    id: 'RS054',
    title: 'Suspicious keys or values (IOC)',
    severity: 'high',
    category: 'compromise-indicator',
    remediation: 'config: flush malicious keys after forensics; rotate credentials',
    detects:
      "Keys named backup1..backup4 / x / readme or values containing '* * * * *', 'ssh-rsa', 'curl'/'wget' payloads, '<?php' - left by cron/SSH/webshell write attacks and worms.",
  },
  RS055: {
    id: 'RS055',
    title: 'Password readable through CONFIG GET by non-admins',
    severity: 'medium',
    category: 'authorization',
    remediation: 'acl: give monitors +info only; exporter needs little more than INFO',
    detects:
      'CONFIG GET requirepass/masterauth returns plaintext to anyone allowed config|get (e.g. monitoring users).',
  },
  RS056: {
    id: 'RS056',
    title: 'Distro build with backported fixes (version ambiguity)',
    severity: 'info',
    category: 'vulnerability',
    remediation: 'config: track distro security advisories',
    detects:
      'redis_git_sha1:00000000 and redis_build_id indicate a packaged build whose redis_version under-reports security patches (Debian 12 still says 7.0.15 while carrying fixes released up to 2026).',
  },
};
