import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPORTER_FLAGS } from '../../src/exporter/flags.ts';
import { unimplementedUpstreamEnv, unimplementedUpstreamFlags } from '../../src/exporter/upstream-env.ts';
import { parseFlags } from '../../src/flags/flags.ts';

test("upstream's defaults, empty values and variables that are not redis_exporter options pass", () => {
  assert.deepEqual(
    unimplementedUpstreamEnv({
      REDIS_EXPORTER_IS_CLUSTER: 'false',
      REDIS_EXPORTER_EXPORT_CLIENT_LIST: '0',
      REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES: 'T',
      REDIS_EXPORTER_REDACT_CONFIG_METRICS: 'TRUE',
      REDIS_EXPORTER_MAX_DISTINCT_KEY_GROUPS: '100',
      REDIS_EXPORTER_TLS_SERVER_MIN_VERSION: 'TLS1.2',
      REDIS_EXPORTER_SCRIPT: ' ',
      // Kubernetes' variables for a Service named redis-exporter
      REDIS_EXPORTER_PORT: 'tcp://10.0.0.1:9121',
      REDIS_EXPORTER_SERVICE_HOST: '10.0.0.1',
      // implemented ones are the flags' business
      REDIS_EXPORTER_CHECK_KEYS: 'db0=user:*',
    }),
    [],
  );
});

test('anything else they ask for is reported, by name, sorted', () => {
  assert.deepEqual(
    unimplementedUpstreamEnv({
      REDIS_EXPORTER_SCRIPT: '/etc/collect.lua',
      REDIS_EXPORTER_IS_CLUSTER: '1',
      REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES: 'false',
      REDIS_EXPORTER_MAX_DISTINCT_KEY_GROUPS: '500',
      REDIS_EXPORTER_IS_TILE38: 'yes', // not a Go boolean: not the default either
    }),
    [
      'REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES',
      'REDIS_EXPORTER_IS_CLUSTER',
      'REDIS_EXPORTER_IS_TILE38',
      'REDIS_EXPORTER_MAX_DISTINCT_KEY_GROUPS',
      'REDIS_EXPORTER_SCRIPT',
    ],
  );
});

test("upstream's unimplemented flags are parsed as upstream reads them, and refused unless set to its default", () => {
  const flags = (argv: string[]) => unimplementedUpstreamFlags(parseFlags(argv, EXPORTER_FLAGS, {}).values);
  assert.deepEqual(flags([]), []);
  assert.deepEqual(flags(['-is-cluster=false', '--redact-config-metrics', '--tls-server-min-version', 'TLS1.2']), []);
  // -is-cluster takes no value: the next argument is a flag of its own, not its value.
  const parsed = parseFlags(['-is-cluster', '-script', '/x.lua', '--redis.addr', 'redis://h:1'], EXPORTER_FLAGS, {});
  assert.equal(parsed.values['redis.addr'], 'redis://h:1');
  assert.deepEqual(unimplementedUpstreamFlags(parsed.values), ['--is-cluster', '--script']);
  assert.deepEqual(flags(['--max-distinct-key-groups', '500', '--check-key-groups=^a']), [
    '--check-key-groups',
    '--max-distinct-key-groups',
  ]);
});

test('--disable-exporting-key-values is implemented now: its variable passes', () => {
  assert.deepEqual(unimplementedUpstreamEnv({ REDIS_EXPORTER_DISABLE_EXPORTING_KEY_VALUES: 'true' }), []);
});
