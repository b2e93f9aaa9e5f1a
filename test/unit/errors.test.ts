import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  classifyRedisError,
  RedisAuthError,
  RedisAuthRequiredError,
  RedisError,
  RedisLoadingError,
  RedisPermissionError,
  RedisProtectedModeError,
  RedisTimeoutError,
  RedisTlsError,
  RedisUnreachableError,
  redactSecrets,
} from '../../src/redis/errors.ts';
import { RespReplyError } from '../../src/redis/resp.ts';

const T = 'redis://10.0.0.5:6379';

/**
 * Redis 7.0.15's protected-mode reply, verbatim (src/networking.c, `clientAcceptHandler`; also in the
 * redis-server binary's strings). Sent to a non-loopback client when no password is set, then the socket closes.
 */
const DENIED_7_0 =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";
/** The pre-7.0 wording (Redis 3.2 … 6.2). */
const DENIED_OLD =
  'DENIED Redis is running in protected mode because protected mode is enabled, no bind address was specified, no authentication password is requested to clients. In this mode connections are only accepted from the loopback interface.';

/** What RespConnection hands over for an error reply: a RespReplyError with the name of the command that got it. */
function replyError(message: string, command = 'info'): Error {
  const e = new RespReplyError(message);
  e.command = { name: command };
  return e;
}

function sysError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyRedisError', () => {
  test('protected mode: the exact Redis 7.0 DENIED reply', () => {
    const e = classifyRedisError(replyError(DENIED_7_0, 'ping'), T, undefined);
    assert.ok(e instanceof RedisProtectedModeError);
    assert.equal(e.kind, 'protected_mode');
    assert.match(e.message, /protected mode/);
    assert.match(e.message, /10\.0\.0\.5:6379/);
    assert.match(e.message, /do not turn protected-mode off/);
  });

  test('protected mode: the pre-7.0 wording', () => {
    assert.ok(classifyRedisError(replyError(DENIED_OLD), T, undefined) instanceof RedisProtectedModeError);
  });

  test('WRONGPASS and the pre-6 "invalid password" → RedisAuthError naming the user, never the password', () => {
    const secret = 'p@ss:w/rd#%?';
    for (const msg of ['WRONGPASS invalid username-password pair or user is disabled.', 'ERR invalid password']) {
      const e = classifyRedisError(replyError(msg, 'auth'), T, 'exporter');
      assert.ok(e instanceof RedisAuthError, msg);
      assert.equal(e.kind, 'wrong_password');
      assert.match(e.message, /user "exporter"/);
      assert.ok(!inspect(e, { depth: 10 }).includes(secret));
    }
    assert.match(classifyRedisError(replyError('WRONGPASS x'), T, undefined).message, /user "default"/);
  });

  test('NOAUTH → RedisAuthRequiredError', () => {
    const e = classifyRedisError(replyError('NOAUTH Authentication required.'), T, undefined);
    assert.ok(e instanceof RedisAuthRequiredError);
    assert.equal(e.kind, 'auth_required');
  });

  test('NOPERM for a subcommand names it and the ACL rule', () => {
    const e = classifyRedisError(
      replyError("NOPERM this user has no permissions to run the 'config|get' command", 'config'),
      T,
      'exporter',
    );
    assert.ok(e instanceof RedisPermissionError);
    assert.equal(e.command, 'config|get');
    assert.equal(e.denied, 'command');
    assert.match(e.message, /CONFIG\|GET/);
    assert.ok(e.message.includes('ACL SETUSER exporter +config|get'));
  });

  test('NOPERM in the Redis 6.0 wording', () => {
    const e = classifyRedisError(
      replyError("NOPERM this user has no permissions to run the 'latency' command or its subcommand", 'latency'),
      T,
      undefined,
    );
    assert.ok(e instanceof RedisPermissionError);
    assert.equal(e.command, 'latency');
    assert.ok(e.message.includes('ACL SETUSER default +latency'));
  });

  test('NOPERM for keys and channels suggests key / channel patterns, not a command rule', () => {
    const keys = classifyRedisError(
      replyError('NOPERM this user has no permissions to access one of the keys used as arguments', 'get'),
      T,
      'exporter',
    );
    assert.ok(keys instanceof RedisPermissionError);
    assert.equal(keys.denied, 'keys');
    assert.match(keys.message, /keys used by GET/);
    assert.match(keys.message, /~<pattern>/);
    assert.ok(!keys.message.includes('+get'));
    const channels = classifyRedisError(
      replyError('NOPERM this user has no permissions to access one of the channels used as arguments', 'publish'),
      T,
      'exporter',
    );
    assert.ok(channels instanceof RedisPermissionError);
    assert.equal(channels.denied, 'channels');
  });

  test('LOADING → RedisLoadingError', () => {
    const e = classifyRedisError(replyError('LOADING Redis is loading the dataset in memory'), T, undefined);
    assert.ok(e instanceof RedisLoadingError);
  });

  test('other error replies are command errors, even when they mention a timeout or TLS', () => {
    for (const msg of [
      "ERR unknown command 'CONFIG', with args beginning with: 'GET' 'maxmemory' ",
      'ERR timeout is not a float or out of range',
      "ERR Unrecognized option or bad number of args for: 'tls-port'",
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      'BUSY Redis is busy running a script.',
    ]) {
      const e = classifyRedisError(replyError(msg), T, undefined);
      assert.equal(e.kind, 'command', msg);
      assert.ok(e.message.includes(msg.trim()));
    }
  });

  test('network errors', () => {
    assert.ok(
      classifyRedisError(sysError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:6379'), T, undefined) instanceof
        RedisUnreachableError,
    );
    assert.ok(
      classifyRedisError(sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND x'), T, undefined) instanceof
        RedisUnreachableError,
    );
    assert.ok(
      classifyRedisError(sysError('ENOENT', 'connect ENOENT /run/redis.sock'), T, undefined) instanceof
        RedisUnreachableError,
    );
    assert.ok(
      classifyRedisError(sysError('ETIMEDOUT', 'connect ETIMEDOUT'), T, undefined) instanceof RedisTimeoutError,
    );
    assert.ok(classifyRedisError(new Error('Command timed out'), T, undefined) instanceof RedisTimeoutError);
  });

  test('commands answered "Connection is closed." when the socket closed → unreachable', () => {
    assert.equal(classifyRedisError(new Error('Connection is closed.'), T, undefined).kind, 'unreachable');
    // Not every error that mentions a connection is a lost one.
    assert.equal(classifyRedisError(replyError('ERR connection name is closed'), T, undefined).kind, 'command');
  });

  test('TLS errors by code and by message', () => {
    for (const [code, msg] of [
      ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
      ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'],
      ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'],
    ]) {
      const e = classifyRedisError(sysError(code, msg), T, undefined);
      assert.ok(e instanceof RedisTlsError, code);
      assert.ok(e.message.includes(code), e.message);
    }
  });

  test('a typed error passes through unchanged', () => {
    const e = new RedisAuthRequiredError(T);
    assert.equal(classifyRedisError(e, T, undefined), e);
  });

  test('kept server text has URL passwords redacted and control characters escaped, in the message and the cause', () => {
    const odd = replyError('ERR cannot reach redis://app:Zq9-secret@10.0.0.9:6379 \x1b[2J\x1b[Hall clear', 'auth');
    const e = classifyRedisError(odd, T, undefined);
    assert.ok(e instanceof RedisError);
    assert.equal(e.kind, 'command');
    const text = inspect(e, { depth: 10 });
    assert.ok(!text.includes('Zq9-secret'), text);
    assert.match(e.message, /redis:\/\/app:\*\*\*@10\.0\.0\.9:6379 \\x1b\[2J\\x1b\[Hall clear$/);
    assert.ok(!e.message.includes('\x1b'), e.message);
  });

  test('a short, common password is not searched for: the message is not mangled', () => {
    // With REDIS_PASSWORD=redis the old substring mask turned this into "***://…" and "***-server".
    const e = classifyRedisError(sysError('ECONNREFUSED', 'connect ECONNREFUSED'), 'redis://127.0.0.1:6379', undefined);
    assert.match(
      e.message,
      /^cannot reach Redis at redis:\/\/127\.0\.0\.1:6379: ECONNREFUSED\. Check that redis-server/,
    );
    const reply = classifyRedisError(replyError('ERR redis says no'), 'redis://127.0.0.1:6379', undefined);
    assert.equal(reply.message, 'Redis at redis://127.0.0.1:6379: ERR redis says no');
  });

  test('a NOPERM naming a command with control characters is escaped in the advice', () => {
    const e = classifyRedisError(
      replyError("NOPERM this user has no permissions to run the '\x1b[2Jx' command"),
      T,
      'u',
    );
    assert.ok(e instanceof RedisPermissionError);
    assert.ok(!e.message.includes('\x1b'), e.message);
    assert.match(e.message, /\\x1b\[2JX/);
  });
});

describe('redactSecrets', () => {
  test('redacts the password of a URL, wherever the URL stands, and nothing else', () => {
    assert.equal(
      redactSecrets('target="redis://app:redis@10.0.0.5:6379" and rediss://:p%40ss@h:1/0 redis'),
      'target="redis://app:***@10.0.0.5:6379" and rediss://:***@h:1/0 redis',
    );
    assert.equal(redactSecrets('redis://10.0.0.5:6379 redis-server redis'), 'redis://10.0.0.5:6379 redis-server redis');
    assert.equal(redactSecrets('redis://user@host:1'), 'redis://user@host:1');
  });
});
