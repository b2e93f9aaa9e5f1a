import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeServers, renderNextSteps } from '../../src/rotate/next-steps.ts';
import type { ServerPlan } from '../../src/rotate/preconditions.ts';
import type { ServerFacts } from '../../src/rotate/server-facts.ts';
import type { RotationState } from '../../src/rotate/state-file.ts';

const plan: ServerPlan = {
  display: 'redis://10.0.0.1:6379',
  persist: 'CONFIG REWRITE',
  masterauth: false,
  configRewrite: true,
  requirepass: true,
  done: false,
};

test('the servers as found, with what the server sent neutralised', () => {
  const facts = {
    display: 'redis://10.0.0.1:6379',
    version: '7.0.15\u001b[2J',
    role: 'master',
    configFile: '/etc/redis/redis.conf',
    aclfile: '',
  } as ServerFacts;
  const text = describeServers('default', [{ facts, plan }]);
  assert.match(
    text,
    /Redis 7\.0\.15.*master, users in \/etc\/redis\/redis\.conf \(CONFIG REWRITE\), password from requirepass/,
  );
  assert.ok(!text.includes('\u001b'));
});

test('next steps: --finish or the grace deadline, the state file when not the default, and the requirepass note', () => {
  const state: RotationState = {
    version: 1,
    user: 'default',
    servers: ['redis://10.0.0.1:6379'],
    oldHash: 'a'.repeat(64),
    newHash: 'b'.repeat(64),
    startedAt: '2026-12-06T02:00:00.000Z',
    graceUntil: '',
    envFile: { path: '/srv/.env', key: 'REDIS_PASSWORD' },
    deniedAuthAtStart: {},
  };
  const manual = renderNextSteps(state, ['redis://10.0.0.1:6379'], ' --state-file /x.json');
  assert.match(manual, /REDIS_PASSWORD in \/srv\/\.env/);
  assert.match(manual, /redoubt rotate --finish --state-file \/x\.json/);
  assert.match(manual, /Note on redis:\/\/10\.0\.0\.1:6379: it has no aclfile/);
  const grace = renderNextSteps({ ...state, graceUntil: '2026-12-06T03:00:00.000Z' }, [], '');
  assert.match(grace, /removed at 2026-12-06T03:00:00\.000Z/);
  assert.doesNotMatch(grace, /Note on/);
});
