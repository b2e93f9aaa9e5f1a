/**
 * redis_exporter's environment variables for features redoubt does not implement, with upstream's default. A
 * container spec moved over from redis_exporter may still set them; like the flags they stand for (which are
 * refused as unknown), they must not be ignored silently when they ask for something: a TLS minimum version or a
 * cluster mode that quietly does not happen is worse than an exporter that does not start.
 *
 * Only these names are checked, not every REDIS_EXPORTER_* variable: Kubernetes sets REDIS_EXPORTER_PORT,
 * REDIS_EXPORTER_SERVICE_HOST, … for a Service named redis-exporter.
 */
const NOT_IMPLEMENTED: Readonly<Record<string, string | boolean | number>> = {
  REDIS_EXPORTER_APPEND_INSTANCE_ROLE_LABEL: false,
  REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD: '',
  REDIS_EXPORTER_CHECK_KEY_GROUPS: '',
  REDIS_EXPORTER_CHECK_SEARCH_INDEXES: '',
  REDIS_EXPORTER_CLUSTER_DISCOVER_HOSTNAMES: false,
  REDIS_EXPORTER_DISABLE_EXPORTING_KEY_VALUES: false,
  REDIS_EXPORTER_EXPORT_CLIENT_LIST: false,
  REDIS_EXPORTER_EXPORT_CLIENT_PORT: false,
  REDIS_EXPORTER_INCLUDE_GO_RUNTIME_METRICS: false,
  REDIS_EXPORTER_INCL_CONFIG_METRICS: false,
  REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES: true,
  REDIS_EXPORTER_INCL_MODULES_METRICS: false,
  REDIS_EXPORTER_INCL_RDB_FILE_SIZE_METRIC: false,
  REDIS_EXPORTER_INCL_SEARCH_INDEXES_METRICS: false,
  REDIS_EXPORTER_INCL_SENTINEL_PEER_INFO: false,
  REDIS_EXPORTER_IS_CLUSTER: false,
  REDIS_EXPORTER_IS_TILE38: false,
  REDIS_EXPORTER_LUA_SCRIPT_READ_ONLY: false,
  REDIS_EXPORTER_MAX_DISTINCT_KEY_GROUPS: 100,
  REDIS_EXPORTER_REDACT_CONFIG_METRICS: true,
  REDIS_EXPORTER_SCRIPT: '',
  REDIS_EXPORTER_SKIP_CHECKKEYS_FOR_ROLE_MASTER: false,
  REDIS_EXPORTER_STREAMS_EXCLUDE_CONSUMER_METRICS: false,
  REDIS_EXPORTER_TLS_SERVER_MIN_VERSION: 'TLS1.2',
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
      return value !== undefined && !isDefault(value, NOT_IMPLEMENTED[name]);
    })
    .sort();
}
