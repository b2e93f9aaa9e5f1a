import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildExporterConfig } from '../../src/exporter/config.ts';
import { EXPORTER_FLAGS } from '../../src/exporter/flags.ts';
import { parseDuration, parseFlags, UsageError } from '../../src/flags/flags.ts';
import { parseListenAddress } from '../../src/flags/listen-address.ts';

test('Go single-dash, GNU double-dash and = forms all parse', () => {
  const { values } = parseFlags(
    [
      '-redis.addr',
      'redis://a:1',
      '--namespace=foo',
      '-set-client-name=false',
      '-ping-on-connect',
      '-connection-timeout',
      '2s',
    ],
    EXPORTER_FLAGS,
    {},
  );
  assert.equal(values['redis.addr'], 'redis://a:1');
  assert.equal(values.namespace, 'foo');
  assert.equal(values['set-client-name'], false);
  assert.equal(values['ping-on-connect'], true);
  assert.equal(values['connection-timeout'], 2000);
});

test('environment variables override defaults, the command line overrides environment', () => {
  const env = {
    REDIS_ADDR: 'redis://env:6379',
    REDIS_EXPORTER_NAMESPACE: 'envns',
    REDIS_EXPORTER_INCL_SYSTEM_METRICS: 'true',
  };
  const { values } = parseFlags(['--namespace', 'cli'], EXPORTER_FLAGS, env);
  assert.equal(values['redis.addr'], 'redis://env:6379');
  assert.equal(values.namespace, 'cli');
  assert.equal(values['include-system-metrics'], true);
});

test('unknown flags and bad values are usage errors that say what to do', () => {
  assert.throws(
    () => parseFlags(['--redis.adr', 'x'], EXPORTER_FLAGS, {}),
    (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /unknown flag --redis\.adr/);
      return true;
    },
  );
  assert.throws(() => parseFlags(['--connection-timeout', 'soon'], EXPORTER_FLAGS, {}), /not a duration/);
  assert.throws(() => parseFlags(['--redis.addr'], EXPORTER_FLAGS, {}), /needs a value/);
  assert.throws(
    () => parseFlags([], EXPORTER_FLAGS, { REDIS_EXPORTER_PING_ON_CONNECT: 'maybe' }),
    /REDIS_EXPORTER_PING_ON_CONNECT/,
  );
});

test('durations and listen addresses use Go forms', () => {
  assert.equal(parseDuration('1m30s', 'x'), 90000);
  assert.equal(parseDuration('250ms', 'x'), 250);
  assert.equal(parseDuration('3', 'x'), 3000);
  assert.deepEqual(parseListenAddress(':9121'), { host: undefined, port: 9121 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:9121'), { host: '::1', port: 9121 });
  assert.throws(() => parseListenAddress('9121'), /not host:port/);
});

test('config: `-` disables CONFIG, paired flags must come together', () => {
  const base = parseFlags(['--config-command=-'], EXPORTER_FLAGS, {}).values;
  assert.equal(buildExporterConfig(base).configCommand, null);
  const half = parseFlags(['--basic-auth-username', 'u'], EXPORTER_FLAGS, {}).values;
  assert.throws(() => buildExporterConfig(half), /must be given together/);
});

test('REDIS_ADDR="" means no default target (Go os.LookupEnv semantics), unlike other empty variables', () => {
  const { values } = parseFlags([], EXPORTER_FLAGS, { REDIS_ADDR: '', REDIS_EXPORTER_NAMESPACE: '' });
  assert.equal(values['redis.addr'], '');
  assert.equal(values.namespace, 'redis');
});
