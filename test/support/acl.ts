/** The least a default scrape needs on Redis 7.0 (documented in the README). */
export const EXPORTER_ACL = '-@all +@connection +info +config|get +latency +slowlog +client|setname +command|info';
