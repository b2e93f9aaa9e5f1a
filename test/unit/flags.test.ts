import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROTATE_FLAGS } from '../../src/cli/rotate.ts';
import { UP_FLAGS } from '../../src/cli/up.ts';
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

const RESTORE_LIKE = [
  { name: 'identity', type: 'string' as const, default: '', help: '' },
  { name: 'yes', type: 'bool' as const, default: false, help: '' },
];

test('a command that declares positionals gets them back, in order, wherever they stand among the flags', () => {
  const r = parseFlags(['--identity', 'k', 'backup.age', '--yes'], RESTORE_LIKE, {}, { max: 1, name: 'FILE' });
  assert.deepEqual(r.positionals, ['backup.age']);
  assert.equal(r.values.identity, 'k');
  assert.equal(r.values.yes, true);
  // After `--`, a name starting with a dash is an argument, not a flag.
  const dashed = parseFlags(['--yes', '--', '-odd.age'], RESTORE_LIKE, {}, { max: 1, name: 'FILE' });
  assert.deepEqual(dashed.positionals, ['-odd.age']);
});

test('one argument too many, or any for a command that takes none: one clear line', () => {
  assert.throws(
    () => parseFlags(['a.age', 'b.age'], RESTORE_LIKE, {}, { max: 1, name: 'FILE' }),
    (e: Error) =>
      e instanceof UsageError && /^unexpected argument "b\.age": this command takes one FILE/.test(e.message),
  );
  assert.throws(() => parseFlags(['x'], RESTORE_LIKE, {}), /unexpected argument "x"; flags take the form/);
  assert.throws(
    () => parseFlags(['redis://u:secret@h:1'], [{ name: 'redis', type: 'string', help: '' }], {}),
    (e: Error) => !e.message.includes('secret') && /did you mean --redis/.test(e.message),
  );
});

test('an unknown flag that would carry a password suggests the environment or a file, never another flag', () => {
  const refusal = (argv: string[], specs: typeof UP_FLAGS) => {
    try {
      parseFlags(argv, specs, {});
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };
  const up = refusal(['--redis.password', 'hunter2-hunter2'], UP_FLAGS);
  assert.equal(
    up,
    'unknown flag --redis.password: a secret on the command line is visible to every user of the machine (ps); set REDIS_PASSWORD in the environment, or use --redis.password-file FILE; see --help',
  );
  assert.doesNotMatch(refusal(['--redis-password=x'], UP_FLAGS), /did you mean --redis\b/);
  assert.match(refusal(['--web.token', 'x'], UP_FLAGS), /use --web\.token-file FILE/);
  // The exporter takes --redis.password (redis_exporter's flag); a misspelling of it gets the safe ways.
  assert.match(
    refusal(['--redis.pass', 'x'], EXPORTER_FLAGS),
    /set REDIS_PASSWORD in the environment, or use --redis\.password-file FILE; see --help$/,
  );
  assert.match(
    refusal(['--basic-auth-pass', 'x'], EXPORTER_FLAGS),
    /set REDIS_EXPORTER_BASIC_AUTH_PASSWORD in the environment/,
  );
  assert.match(refusal(['--new-password', 'x'], ROTATE_FLAGS), /use --new-password-file FILE; see --help$/);
  for (const m of [up]) assert.ok(!m.includes('hunter2'));
  // Other typos keep their suggestion.
  assert.match(refusal(['--redis.adr', 'x'], UP_FLAGS), /did you mean --redis\?/);
});
