import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UP_FLAGS } from '../../src/cli/up.ts';
import { webConfig } from '../../src/console/app/web-config.ts';
import { parseFlags } from '../../src/flags/flags.ts';

const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => webConfig(parseFlags(argv, UP_FLAGS, env).values, env);

test('the console flags: allowlist CIDRs, TLS choices and the first admin password checked before start-up', () => {
  assert.deepEqual(config([]), {
    tlsCertFile: undefined,
    tlsKeyFile: undefined,
    selfSigned: false,
    allow: [],
    adminPassword: undefined,
    pagesDir: undefined,
  });
  assert.deepEqual(config(['--web.allow', '10.0.0.0/8', '--web.allow', '::1']).allow, ['10.0.0.0/8', '::1']);
  assert.throws(
    () => config(['--web.allow', '10.0.0.0/40']),
    /--web\.allow 10\.0\.0\.0\/40: the prefix length must be 0-32/,
  );
  assert.equal(config(['--web.self-signed']).selfSigned, true);
  assert.throws(() => config(['--web.self-signed', '--web.tls-key-file', '/x']), /exclude each other/);
  assert.throws(() => config(['--web.tls-cert-file', '/nonexistent/cert.pem']), /web\.tls-cert-file/);
  assert.throws(
    () => config([], { REDOUBT_ADMIN_PASSWORD: 'short' }),
    /REDOUBT_ADMIN_PASSWORD: a password needs at least 12/,
  );
  assert.equal(config([], { REDOUBT_ADMIN_PASSWORD: 'long-enough-password' }).adminPassword, 'long-enough-password');
});
