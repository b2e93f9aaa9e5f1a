/**
 * INFO field → metric name tables, ported as data from redis_exporter HEAD (exporter/exporter.go
 * `metricMapGauges` / `metricMapCounters`, commit cd5941f, v1.88.0). A field is exported only if it is in one of
 * these tables (or matches a prefix rule in info.ts); everything else in INFO is dropped, like upstream.
 *
 * The upstream quirks are kept on purpose because dashboards and alerts query these exact names and types:
 * counters typed gauge (defrag_*, replica_resyncs_full, replica_partial_resync_*, rdb_saves_total,
 * lazyfreed_objects, cluster_messages_*_total), counters without `_total` (total_error_replies, …), a gauge
 * with `_total` (migrate_cached_sockets_total), non-base units (`*_usec`, `*_ms`, `*_duration_sec`).
 * `latest_fork_usec` maps to itself here and is renamed to `latest_fork_seconds` (÷1e6) in info.ts, as upstream.
 */

/** Exported with TYPE gauge. */
export const GAUGES: Readonly<Record<string, string>> = {
  // # Server
  uptime_in_seconds: 'uptime_in_seconds',
  process_id: 'process_id',
  io_threads_active: 'io_threads_active',

  // # Clients
  connected_clients: 'connected_clients',
  blocked_clients: 'blocked_clients',
  maxclients: 'max_clients',
  tracking_clients: 'tracking_clients',
  clients_in_timeout_table: 'clients_in_timeout_table',
  pubsub_clients: 'pubsub_clients', // Added in Redis 7.4
  watching_clients: 'watching_clients', // Added in Redis 7.4
  total_watched_keys: 'total_watched_keys', // Added in Redis 7.4
  total_blocking_keys: 'total_blocking_keys', // Added in Redis 7.2
  total_blocking_keys_on_nokey: 'total_blocking_keys_on_nokey', // Added in Redis 7.2

  // redis 2,3,4.x
  client_longest_output_list: 'client_longest_output_list',
  client_biggest_input_buf: 'client_biggest_input_buf',

  // the above two metrics were renamed in redis 5.x
  client_recent_max_output_buffer: 'client_recent_max_output_buffer_bytes',
  client_recent_max_input_buffer: 'client_recent_max_input_buffer_bytes',

  // # Memory
  allocator_active: 'allocator_active_bytes',
  allocator_allocated: 'allocator_allocated_bytes',
  allocator_resident: 'allocator_resident_bytes',
  allocator_frag_ratio: 'allocator_frag_ratio',
  allocator_frag_bytes: 'allocator_frag_bytes',
  allocator_muzzy: 'allocator_muzzy_bytes',
  allocator_rss_ratio: 'allocator_rss_ratio',
  allocator_rss_bytes: 'allocator_rss_bytes',

  used_memory: 'memory_used_bytes',
  used_memory_rss: 'memory_used_rss_bytes',
  used_memory_peak: 'memory_used_peak_bytes',
  used_memory_lua: 'memory_used_lua_bytes',
  used_memory_vm_eval: 'memory_used_vm_eval_bytes', // Added in Redis 7.0
  used_memory_scripts_eval: 'memory_used_scripts_eval_bytes', // Added in Redis 7.0
  used_memory_overhead: 'memory_used_overhead_bytes',
  used_memory_startup: 'memory_used_startup_bytes',
  used_memory_dataset: 'memory_used_dataset_bytes',
  number_of_cached_scripts: 'number_of_cached_scripts', // Added in Redis 7.0
  number_of_functions: 'number_of_functions', // Added in Redis 7.0
  number_of_libraries: 'number_of_libraries', // Added in Redis 7.4
  used_memory_vm_functions: 'memory_used_vm_functions_bytes', // Added in Redis 7.0
  used_memory_scripts: 'memory_used_scripts_bytes', // Added in Redis 7.0
  used_memory_functions: 'memory_used_functions_bytes', // Added in Redis 7.0
  used_memory_vm_total: 'memory_used_vm_total', // Added in Redis 7.0
  maxmemory: 'memory_max_bytes',

  maxmemory_reservation: 'memory_max_reservation_bytes',
  maxmemory_desired_reservation: 'memory_max_reservation_desired_bytes',

  maxfragmentationmemory_reservation: 'memory_max_fragmentation_reservation_bytes',
  maxfragmentationmemory_desired_reservation: 'memory_max_fragmentation_reservation_desired_bytes',

  mem_fragmentation_ratio: 'mem_fragmentation_ratio',
  mem_fragmentation_bytes: 'mem_fragmentation_bytes',
  mem_clients_slaves: 'mem_clients_slaves',
  mem_clients_normal: 'mem_clients_normal',
  mem_cluster_links: 'mem_cluster_links_bytes',
  mem_aof_buffer: 'mem_aof_buffer_bytes',
  mem_replication_backlog: 'mem_replication_backlog_bytes',

  expired_stale_perc: 'expired_stale_percentage',
  expired_time_cap_reached_count: 'expired_time_cap_reached_total', // 1.45 types it gauge (HEAD: counter)

  // https://github.com/antirez/redis/blob/17bf0b25c1171486e3a1b089f3181fff2bc0d4f0/src/evict.c#L349-L352
  // ... the sum of AOF and slaves buffer ...
  mem_not_counted_for_evict: 'mem_not_counted_for_eviction_bytes',
  mem_total_replication_buffers: 'mem_total_replication_buffers_bytes', // Added in Redis 7.0
  mem_overhead_db_hashtable_rehashing: 'mem_overhead_db_hashtable_rehashing_bytes', // Added in Redis 7.4

  lazyfree_pending_objects: 'lazyfree_pending_objects',
  lazyfreed_objects: 'lazyfreed_objects',
  active_defrag_running: 'active_defrag_running',

  migrate_cached_sockets: 'migrate_cached_sockets_total',

  active_defrag_hits: 'defrag_hits',
  active_defrag_misses: 'defrag_misses',
  active_defrag_key_hits: 'defrag_key_hits',
  active_defrag_key_misses: 'defrag_key_misses',

  // # Persistence
  loading: 'loading_dump_file',
  async_loading: 'async_loading', // Added in Redis 7.0
  rdb_changes_since_last_save: 'rdb_changes_since_last_save',
  rdb_bgsave_in_progress: 'rdb_bgsave_in_progress',
  rdb_last_save_time: 'rdb_last_save_timestamp_seconds',
  rdb_last_bgsave_status: 'rdb_last_bgsave_status',
  rdb_last_bgsave_time_sec: 'rdb_last_bgsave_duration_sec',
  rdb_current_bgsave_time_sec: 'rdb_current_bgsave_duration_sec',
  rdb_saves: 'rdb_saves_total',
  rdb_last_cow_size: 'rdb_last_cow_size_bytes',
  rdb_last_load_keys_expired: 'rdb_last_load_expired_keys', // Added in Redis 7.0
  rdb_last_load_keys_loaded: 'rdb_last_load_loaded_keys', // Added in Redis 7.0
  aof_enabled: 'aof_enabled',
  aof_rewrite_in_progress: 'aof_rewrite_in_progress',
  aof_rewrite_scheduled: 'aof_rewrite_scheduled',
  aof_last_rewrite_time_sec: 'aof_last_rewrite_duration_sec',
  aof_current_rewrite_time_sec: 'aof_current_rewrite_duration_sec',
  aof_last_cow_size: 'aof_last_cow_size_bytes',
  aof_current_size: 'aof_current_size_bytes',
  aof_base_size: 'aof_base_size_bytes',
  aof_pending_rewrite: 'aof_pending_rewrite',
  aof_buffer_length: 'aof_buffer_length',
  aof_rewrite_buffer_length: 'aof_rewrite_buffer_length', // Added in Redis 7.0
  aof_pending_bio_fsync: 'aof_pending_bio_fsync',
  aof_delayed_fsync: 'aof_delayed_fsync',
  aof_last_bgrewrite_status: 'aof_last_bgrewrite_status',
  aof_last_write_status: 'aof_last_write_status',
  module_fork_in_progress: 'module_fork_in_progress',
  module_fork_last_cow_size: 'module_fork_last_cow_size',

  // # Stats
  current_eviction_exceeded_time: 'current_eviction_exceeded_time_ms',
  pubsub_channels: 'pubsub_channels',
  pubsub_patterns: 'pubsub_patterns',
  pubsubshard_channels: 'pubsubshard_channels', // Added in Redis 7.0.3
  latest_fork_usec: 'latest_fork_usec',
  tracking_total_keys: 'tracking_total_keys',
  tracking_total_items: 'tracking_total_items',
  tracking_total_prefixes: 'tracking_total_prefixes',
  instantaneous_eventloop_cycles_per_sec: 'instantaneous_eventloop_cycles_per_sec', // Added in Redis 7.0
  instantaneous_eventloop_duration_usec: 'instantaneous_eventloop_duration_usec', // Added in Redis 7.0

  // # Replication
  connected_slaves: 'connected_slaves',
  repl_backlog_size: 'replication_backlog_bytes',
  repl_backlog_active: 'repl_backlog_is_active',
  repl_backlog_first_byte_offset: 'repl_backlog_first_byte_offset',
  repl_backlog_histlen: 'repl_backlog_history_bytes',
  master_repl_offset: 'master_repl_offset',
  second_repl_offset: 'second_repl_offset',
  slave_expires_tracked_keys: 'slave_expires_tracked_keys',
  slave_priority: 'slave_priority',
  sync_full: 'replica_resyncs_full',
  sync_partial_ok: 'replica_partial_resync_accepted',
  sync_partial_err: 'replica_partial_resync_denied',

  // # Cluster
  cluster_stats_messages_sent: 'cluster_messages_sent_total',
  cluster_stats_messages_received: 'cluster_messages_received_total',

  // # Tile38
  // based on https://tile38.com/commands/server/
  tile38_aof_size: 'tile38_aof_size_bytes',
  tile38_avg_point_size: 'tile38_avg_item_size_bytes',
  tile38_sys_cpus: 'tile38_cpus_total',
  tile38_heap_released_bytes: 'tile38_heap_released_bytes',
  tile38_heap_alloc_bytes: 'tile38_heap_size_bytes',
  tile38_http_transport: 'tile38_http_transport',
  tile38_in_memory_size: 'tile38_in_memory_size_bytes',
  tile38_max_heap_size: 'tile38_max_heap_size_bytes',
  tile38_alloc_bytes: 'tile38_mem_alloc_bytes',
  tile38_num_collections: 'tile38_num_collections_total',
  tile38_num_hooks: 'tile38_num_hooks_total',
  tile38_num_objects: 'tile38_num_objects_total',
  tile38_num_points: 'tile38_num_points_total',
  tile38_pointer_size: 'tile38_pointer_size_bytes',
  tile38_read_only: 'tile38_read_only',
  tile38_go_threads: 'tile38_threads_total',
  tile38_go_goroutines: 'tile38_go_goroutines_total',
  tile38_last_gc_time_seconds: 'tile38_last_gc_time_seconds',
  tile38_next_gc_bytes: 'tile38_next_gc_bytes',

  // addtl. KeyDB metrics
  server_threads: 'server_threads_total',
  long_lock_waits: 'long_lock_waits_total',
  current_client_thread: 'current_client_thread',

  // Redis Modules metrics, RediSearch module
  search_number_of_indexes: 'search_number_of_indexes',
  search_used_memory_indexes: 'search_used_memory_indexes_bytes',
  search_dialect_1: 'search_dialect_1',
  search_dialect_2: 'search_dialect_2',
  search_dialect_3: 'search_dialect_3',
  search_dialect_4: 'search_dialect_4',
  // Legacy redis-stack v7.4 metrics
  search_global_idle: 'search_global_idle',
  search_global_total: 'search_global_total',
  search_bytes_collected: 'search_collected_bytes',
  // RediSearch module v8.0
  search_number_of_active_indexes: 'search_number_of_active_indexes',
  search_number_of_active_indexes_running_queries: 'search_number_of_active_indexes_running_queries',
  search_number_of_active_indexes_indexing: 'search_number_of_active_indexes_indexing',
  search_total_active_write_threads: 'search_total_active_write_threads',
  search_total_num_docs_in_indexes: 'search_total_num_docs_in_indexes',
  search_smallest_memory_index: 'search_smallest_memory_index_bytes',
  search_largest_memory_index: 'search_largest_memory_index_bytes',
  search_used_memory_vector_index: 'search_used_memory_vector_index_bytes',
  search_global_idle_user: 'search_global_idle_user', // search_gc metrics were split into user and internal
  search_global_idle_internal: 'search_global_idle_internal', // in PR: https://github.com/RediSearch/RediSearch/pull/5616
  search_global_total_user: 'search_global_total_user',
  search_global_total_internal: 'search_global_total_internal',
  search_gc_bytes_collected: 'search_gc_collected_bytes', // search_bytes_collected was renamed in https://github.com/RediSearch/RediSearch/pull/5616
  search_gc_total_docs_not_collected: 'search_gc_total_docs_not_collected',
  search_gc_marked_deleted_vectors: 'search_gc_marked_deleted_vectors',
  search_errors_indexing_failures: 'search_errors_indexing_failures',
  // Valkey v8 metrics
  bf_bloom_total_memory_bytes: 'bf_bloom_total_memory_bytes',
  bf_bloom_num_objects: 'bf_bloom_num_objects',
  bf_bloom_num_filters_across_objects: 'bf_bloom_num_filters_across_objects',
  bf_bloom_num_items_across_objects: 'bf_bloom_num_items_across_objects',
  bf_bloom_capacity_across_objects: 'bf_bloom_capacity_across_objects',
  json_total_memory_bytes: 'json_total_memory_bytes',
  json_num_documents: 'json_num_documents',
  search_used_memory_bytes: 'search_used_memory_bytes',
  search_number_of_attributes: 'search_number_of_attributes',
  search_total_indexed_documents: 'search_total_indexed_documents',
  search_query_queue_size: 'search_query_queue_size',
  search_writer_queue_size: 'search_writer_queue_size',
  search_string_interning_store_size: 'search_string_interning_store_size',
  search_vector_externing_hash_extern_errors: 'search_vector_externing_hash_extern_errors',
  search_vector_externing_num_lru_entries: 'search_vector_externing_num_lru_entries',
};

/**
 * Exported with TYPE counter. Upstream moved `expired_time_cap_reached_count` here after 1.45; we keep it with
 * the gauges, as 1.45 types it, because the drop-in promise is to 1.45's families (see GAUGES).
 */
export const COUNTERS: Readonly<Record<string, string>> = {
  total_connections_received: 'connections_received_total',
  total_commands_processed: 'commands_processed_total',

  rejected_connections: 'rejected_connections_total',
  total_net_input_bytes: 'net_input_bytes_total',
  total_net_output_bytes: 'net_output_bytes_total',

  total_net_repl_input_bytes: 'net_repl_input_bytes_total',
  total_net_repl_output_bytes: 'net_repl_output_bytes_total',

  expired_subkeys: 'expired_subkeys_total',
  expired_keys: 'expired_keys_total',
  expire_cycle_cpu_milliseconds: 'expire_cycle_cpu_time_ms_total',
  evicted_keys: 'evicted_keys_total',
  evicted_clients: 'evicted_clients_total', // Added in Redis 7.0
  evicted_scripts: 'evicted_scripts_total', // Added in Redis 7.4
  total_eviction_exceeded_time: 'eviction_exceeded_time_ms_total',
  keyspace_hits: 'keyspace_hits_total',
  keyspace_misses: 'keyspace_misses_total',

  eventloop_cycles: 'eventloop_cycles_total', // Added in Redis 7.0
  eventloop_duration_sum: 'eventloop_duration_sum_usec_total', // Added in Redis 7.0
  eventloop_duration_cmd_sum: 'eventloop_duration_cmd_sum_usec_total', // Added in Redis 7.0

  used_cpu_sys: 'cpu_sys_seconds_total',
  used_cpu_user: 'cpu_user_seconds_total',
  used_cpu_sys_children: 'cpu_sys_children_seconds_total',
  used_cpu_user_children: 'cpu_user_children_seconds_total',
  used_cpu_sys_main_thread: 'cpu_sys_main_thread_seconds_total',
  used_cpu_user_main_thread: 'cpu_user_main_thread_seconds_total',

  unexpected_error_replies: 'unexpected_error_replies',
  total_error_replies: 'total_error_replies',
  dump_payload_sanitizations: 'dump_payload_sanitizations',
  total_reads_processed: 'total_reads_processed',
  total_writes_processed: 'total_writes_processed',
  io_threaded_reads_processed: 'io_threaded_reads_processed',
  io_threaded_writes_processed: 'io_threaded_writes_processed',
  client_query_buffer_limit_disconnections: 'client_query_buffer_limit_disconnections_total',
  client_output_buffer_limit_disconnections: 'client_output_buffer_limit_disconnections_total',
  reply_buffer_shrinks: 'reply_buffer_shrinks_total',
  reply_buffer_expands: 'reply_buffer_expands_total',
  acl_access_denied_auth: 'acl_access_denied_auth_total',
  acl_access_denied_cmd: 'acl_access_denied_cmd_total',
  acl_access_denied_key: 'acl_access_denied_key_total',
  acl_access_denied_channel: 'acl_access_denied_channel_total',

  // addtl. KeyDB metrics
  cached_keys: 'cached_keys_total',
  storage_provider_read_hits: 'storage_provider_read_hits',
  storage_provider_read_misses: 'storage_provider_read_misses',

  // Redis Modules metrics, RediSearch module
  search_total_indexing_time: 'search_indexing_time_ms_total',
  // Legacy redis-stack v7.4 metrics
  search_total_cycles: 'search_cycles_total',
  search_total_ms_run: 'search_run_ms_total',
  // RediSearch module v8.0
  search_gc_total_cycles: 'search_gc_cycles_total', // search_gc metrics were renamed
  search_gc_total_ms_run: 'search_gc_run_ms_total', // in PR: https://github.com/RediSearch/RediSearch/pull/5616
  search_total_queries_processed: 'search_queries_processed_total',
  search_total_query_commands: 'search_query_commands_total',
  search_total_query_execution_time_ms: 'search_query_execution_time_ms_total',
  search_total_active_queries: 'search_active_queries_total',
  // Valkey v8 metrics
  bf_bloom_defrag_hits: 'bf_bloom_defrag_hits_total',
  bf_bloom_defrag_misses: 'bf_bloom_defrag_misses_total',
  search_worker_pool_suspend_cnt: 'search_worker_pool_suspend_count',
  search_writer_resumed_cnt: 'search_writer_resumed_count',
  search_reader_resumed_cnt: 'search_reader_resumed_count',
  search_writer_suspension_expired_cnt: 'search_writer_suspension_expired_count',
  search_rdb_load_success_cnt: 'search_rdb_load_success_count',
  search_rdb_load_failure_cnt: 'search_rdb_load_failure_count',
  search_rdb_save_success_cnt: 'search_rdb_save_success_count',
  search_rdb_save_failure_cnt: 'search_rdb_save_failure_count',
  search_successful_requests_count: 'search_successful_requests_count',
  search_failure_requests_count: 'search_failure_requests_count',
  search_hybrid_requests_count: 'search_hybrid_requests_count',
  search_inline_filtering_requests_count: 'search_inline_filtering_requests_count',
  search_hnsw_add_exceptions_count: 'search_hnsw_add_exceptions_count',
  search_hnsw_remove_exceptions_count: 'search_hnsw_remove_exceptions_count',
  search_hnsw_modify_exceptions_count: 'search_hnsw_modify_exceptions_count',
  search_hnsw_search_exceptions_count: 'search_hnsw_search_exceptions_count',
  search_hnsw_create_exceptions_count: 'search_hnsw_create_exceptions_count',
  search_vector_externing_entry_count: 'search_vector_externing_entry_count',
  search_vector_externing_generated_value_cnt: 'search_vector_externing_generated_value_count',
  search_vector_externing_lru_promote_cnt: 'search_vector_externing_lru_promote_count',
  search_vector_externing_deferred_entry_cnt: 'search_vector_externing_deferred_entry_count',
  used_active_time_main_thread: 'active_time_main_thread_seconds_total',
};

/** Added to the gauges only with --include-system-metrics (upstream does the same). */
export const SYSTEM_GAUGES: Readonly<Record<string, string>> = {
  total_system_memory: 'total_system_memory_bytes',
};

// ---------------------------------------------------------------------------------------------------------
// redoubt additions: INFO fields users asked for that redis_exporter drops (#424 instantaneous_*, replica sync
// progress, forks, RSS overhead, *_perc). Named in upstream's style; exported unless opts.redoubtAdditions is
// false. Percent fields keep Redis's 0–100 scale and are named `*_percentage`, like upstream's
// expired_stale_perc → expired_stale_percentage; a trailing `%` in the INFO value is stripped.
// ---------------------------------------------------------------------------------------------------------

/** redoubt additions, TYPE gauge, no labels. */
export const REDOUBT_GAUGES: Readonly<Record<string, string>> = {
  // # Stats
  instantaneous_ops_per_sec: 'instantaneous_ops_per_sec',
  instantaneous_input_kbps: 'instantaneous_input_kbps',
  instantaneous_output_kbps: 'instantaneous_output_kbps',
  instantaneous_input_repl_kbps: 'instantaneous_input_repl_kbps', // Added in Redis 6.2
  instantaneous_output_repl_kbps: 'instantaneous_output_repl_kbps', // Added in Redis 6.2
  current_active_defrag_time: 'current_active_defrag_time_ms', // Added in Redis 7.0; milliseconds

  // # Memory
  rss_overhead_bytes: 'rss_overhead_bytes',
  rss_overhead_ratio: 'rss_overhead_ratio',
  used_memory_peak_perc: 'memory_used_peak_percentage', // INFO value like "99.12%"
  used_memory_dataset_perc: 'memory_used_dataset_percentage', // INFO value like "83.47%"

  // # Persistence (fork / save progress)
  current_fork_perc: 'current_fork_percentage', // Added in Redis 7.0
  current_cow_peak: 'current_cow_peak_bytes', // Added in Redis 7.0
  current_cow_size: 'current_cow_size_bytes', // Added in Redis 7.0
  current_cow_size_age: 'current_cow_size_age_seconds', // Added in Redis 7.0
  current_save_keys_processed: 'current_save_keys_processed', // Added in Redis 7.0
  // INFO current_save_keys_total is a gauge (keys at the start of the save); `_total` would read as a counter.
  current_save_keys_total: 'current_save_keys_at_start', // Added in Redis 7.0
  aof_rewrites_consecutive_failures: 'aof_rewrites_consecutive_failures', // Added in Redis 7.0

  // # Replication
  min_slaves_good_slaves: 'min_slaves_good_slaves', // only with min-replicas-to-write set
  replica_announced: 'replica_announced', // Added in Redis 6.2; replicas only
};

/** redoubt additions, TYPE counter, no labels. */
export const REDOUBT_COUNTERS: Readonly<Record<string, string>> = {
  total_forks: 'forks_total', // Added in Redis 7.0
  aof_rewrites: 'aof_rewrites_total', // Added in Redis 7.0
  total_active_defrag_time: 'active_defrag_time_ms_total', // Added in Redis 7.0; milliseconds
  // CLUSTER INFO, Redis 7.0+; lacks the `cluster_` prefix, so upstream's prefix rule misses it
  total_cluster_links_buffer_limit_exceeded: 'cluster_links_buffer_limit_exceeded_total',
};

/**
 * redoubt additions for replicas, TYPE gauge, labelled {master_host, master_port} like upstream's
 * master_link_up / master_last_io_seconds_ago so they join on the same labels.
 */
export const REDOUBT_REPLICA_GAUGES: Readonly<Record<string, string>> = {
  master_link_down_since_seconds: 'master_link_down_since_seconds', // only while the link is down (or -1 syncing)
  master_sync_total_bytes: 'master_sync_total_bytes', // only during a full sync; -1 when the size is unknown
  master_sync_read_bytes: 'master_sync_read_bytes',
  master_sync_left_bytes: 'master_sync_left_bytes',
  master_sync_perc: 'master_sync_percentage', // 0–100
  master_sync_last_io_seconds_ago: 'master_sync_last_io_seconds_ago',
  slave_read_repl_offset: 'slave_read_repl_offset', // Added in Redis 7.0
};
