import type { FlagSpec, FlagValues } from '../flags/flags.ts';

/**
 * redis_exporter's environment variables and flags for features redoubt does not implement, with upstream's default.
 * A container spec or command line moved over from redis_exporter may still set them; they must not be ignored
 * silently when they ask for something: a TLS minimum version or a
 * cluster mode that quietly does not happen is worse than an exporter that does not start.
 *
 * Only these names are checked, not every REDIS_EXPORTER_* variable: Kubernetes sets REDIS_EXPORTER_PORT,
 * REDIS_EXPORTER_SERVICE_HOST, … for a Service named redis-exporter.
 */
interface Unimplemented {
  /** redis_exporter's flag for the same option. */
  flag: string;
  /** upstream's default: a variable or flag set to it asks for nothing and is accepted. */
  default: string | boolean | number;
}

const NOT_IMPLEMENTED: Readonly<Record<string, Unimplemented>> = {
  REDIS_EXPORTER_APPEND_INSTANCE_ROLE_LABEL: { flag: 'append-instance-role-label', default: false },
  REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD: { flag: 'basic-auth-hash-password', default: '' },
  REDIS_EXPORTER_CHECK_KEY_GROUPS: { flag: 'check-key-groups', default: '' },
  REDIS_EXPORTER_CHECK_SEARCH_INDEXES: { flag: 'check-search-indexes', default: '' },
  REDIS_EXPORTER_CLUSTER_DISCOVER_HOSTNAMES: { flag: 'cluster-discover-hostnames', default: false },
  REDIS_EXPORTER_EXPORT_CLIENT_LIST: { flag: 'export-client-list', default: false },
  REDIS_EXPORTER_EXPORT_CLIENT_PORT: { flag: 'export-client-port', default: false },
  REDIS_EXPORTER_INCLUDE_GO_RUNTIME_METRICS: { flag: 'include-go-runtime-metrics', default: false },
  REDIS_EXPORTER_INCL_CONFIG_METRICS: { flag: 'include-config-metrics', default: false },
  REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES: { flag: 'include-metrics-for-empty-databases', default: true },
  REDIS_EXPORTER_INCL_MODULES_METRICS: { flag: 'include-modules-metrics', default: false },
  REDIS_EXPORTER_INCL_RDB_FILE_SIZE_METRIC: { flag: 'include-rdb-file-size-metric', default: false },
  REDIS_EXPORTER_INCL_SEARCH_INDEXES_METRICS: { flag: 'include-search-indexes-metrics', default: false },
  REDIS_EXPORTER_INCL_SENTINEL_PEER_INFO: { flag: 'include-sentinel-peer-info', default: false },
  REDIS_EXPORTER_IS_CLUSTER: { flag: 'is-cluster', default: false },
  REDIS_EXPORTER_IS_TILE38: { flag: 'is-tile38', default: false },
  REDIS_EXPORTER_LUA_SCRIPT_READ_ONLY: { flag: 'lua-script-read-only', default: false },
  REDIS_EXPORTER_MAX_DISTINCT_KEY_GROUPS: { flag: 'max-distinct-key-groups', default: 100 },
  REDIS_EXPORTER_REDACT_CONFIG_METRICS: { flag: 'redact-config-metrics', default: true },
  REDIS_EXPORTER_SCRIPT: { flag: 'script', default: '' },
  REDIS_EXPORTER_SKIP_CHECKKEYS_FOR_ROLE_MASTER: { flag: 'skip-checkkeys-for-role-master', default: false },
  REDIS_EXPORTER_STREAMS_EXCLUDE_CONSUMER_METRICS: { flag: 'streams-exclude-consumer-metrics', default: false },
  REDIS_EXPORTER_TLS_SERVER_MIN_VERSION: { flag: 'tls-server-min-version', default: 'TLS1.2' },
};

/** Go's strconv.ParseBool, which redis_exporter's boolean variables go through. */
function goBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** Whether an upstream variable set to `value` asks for nothing beyond upstream's default (then it is harmless). */
function isDefault(value: string, def: string | boolean | number): boolean {
  const text = value.trim();
  if (text === '') return true;
  if (typeof def === 'boolean') return goBool(text) === def;
  return text === String(def);
}

/** The names of the unimplemented variables env sets to something other than upstream's default, sorted. */
export function unimplementedUpstreamEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(NOT_IMPLEMENTED)
    .filter((name) => {
      const value = env[name];
      return value !== undefined && !isDefault(value, NOT_IMPLEMENTED[name].default);
    })
    .sort();
}

/**
 * The unimplemented options as flags: accepted by the parser (hidden from --help) so that a command line moved over
 * from redis_exporter is told "not implemented by redoubt" instead of "unknown flag", with its value read the way
 * upstream reads it (`-is-cluster` takes no value, `-script` takes one).
 */
export const UNIMPLEMENTED_FLAGS: FlagSpec[] = Object.values(NOT_IMPLEMENTED).map((u) => ({
  name: u.flag,
  type: typeof u.default === 'boolean' ? 'bool' : 'string',
  help: "redis_exporter's; not implemented by redoubt",
  hidden: true,
}));

/** The unimplemented flags the command line set to something other than upstream's default, as `--name`. */
export function unimplementedUpstreamFlags(values: FlagValues): string[] {
  return Object.values(NOT_IMPLEMENTED)
    .filter((u) => {
      const v = values[u.flag];
      if (v === undefined) return false;
      return typeof v === 'boolean' ? v !== u.default : !isDefault(String(v), u.default);
    })
    .map((u) => `--${u.flag}`)
    .sort();
}
