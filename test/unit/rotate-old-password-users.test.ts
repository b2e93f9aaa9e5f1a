import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientsOf, failedLoginsOf, renderOldPasswordUse, sinceRotation } from '../../src/rotate/old-password-users.ts';

const LIST = [
  'id=3 addr=10.0.0.5:5000 laddr=10.0.0.1:6379 fd=8 name=web age=600 idle=0 flags=N db=0 user=app resp=2',
  'id=4 addr=10.0.0.2:6000 laddr=10.0.0.1:6379 fd=9 name= age=900 idle=0 flags=S db=0 user=app resp=2',
  'id=5 addr=10.0.0.6:7000 laddr=10.0.0.1:6379 fd=10 name=new age=5 idle=0 flags=N db=0 user=app resp=2',
  'id=6 addr=10.0.0.7:7000 laddr=10.0.0.1:6379 fd=11 name=x age=999 idle=0 flags=N db=0 user=admin resp=2',
].join('\n');

test('CLIENT LIST: the connections of the user, with replication links marked', () => {
  const c = clientsOf(LIST, 'app');
  assert.deepEqual(
    c.map((x) => [x.addr, x.name, x.ageSeconds, x.replica]),
    [
      ['10.0.0.5:5000', 'web', 600, false],
      ['10.0.0.2:6000', '', 900, true],
      ['10.0.0.6:7000', 'new', 5, false],
    ],
  );
  assert.equal(clientsOf(LIST, 'app', 1).length, 1, 'bounded');
});

test('ACL LOG: failed logins as the user only', () => {
  const log = [
    [
      'count',
      3,
      'reason',
      'auth',
      'context',
      'toplevel',
      'object',
      'AUTH',
      'username',
      'app',
      'age-seconds',
      '1.5',
      'client-info',
      'id=9 addr=10.0.0.8:1234 user=default',
    ],
    ['count', 1, 'reason', 'command', 'username', 'app', 'age-seconds', '2', 'client-info', 'id=9 addr=x'],
    ['count', 1, 'reason', 'auth', 'username', 'other', 'age-seconds', '2', 'client-info', 'addr=y'],
    'garbage',
  ];
  assert.deepEqual(failedLoginsOf(log, 'app'), [{ count: 3, ageSeconds: 1.5, client: '10.0.0.8:1234' }]);
  assert.deepEqual(failedLoginsOf('ERR', 'app'), []);
});

test('ACL LOG: only the failed logins since the rotation started count, the older ones are counted apart', () => {
  const entry = (count: number, age: string) => [
    'count',
    count,
    'reason',
    'auth',
    'username',
    'app',
    'age-seconds',
    age,
  ];
  // Redis 7.2 entries without age-seconds: timestamp-last-updated (ms), by the server's clock.
  const stamped = ['count', 4, 'reason', 'auth', 'username', 'app', 'timestamp-last-updated', 1_000_000 - 90_000];
  const logins = failedLoginsOf([entry(2, '10.5'), entry(7, '3600'), entry(1, '12.001'), stamped], 'app', 1_000_000);
  assert.deepEqual(
    logins.map((l) => l.ageSeconds),
    [10.5, 3600, 12.001, 90],
  );
  const { since, olderCount } = sinceRotation(logins, 12);
  assert.deepEqual(
    since.map((l) => l.count),
    [2],
  );
  assert.equal(olderCount, 7 + 1 + 4);
});

test('the report says what each signal means, and neutralises what servers sent', () => {
  const text = renderOldPasswordUse(
    [
      {
        display: 'redis://10.0.0.1:6379',
        olderClients: clientsOf(LIST.replace('name=web', 'name=\u001b]8;;evil\u0007'), 'app').filter(
          (c) => c.ageSeconds > 60,
        ),
        clients: 3,
        failedLogins: [{ count: 2, ageSeconds: 3, client: '10.0.0.8:1234' }],
        olderFailedLogins: 5,
        deniedAuth: 12,
        unreadable: [],
      },
    ],
    'app',
    true,
    { 'redis://10.0.0.1:6379': 10 },
  );
  assert.match(text, /2 of 3 connections as "app" logged in before the rotation/);
  assert.match(text, /keep working now that it is removed/);
  assert.match(text, /a replica replicating as this user/);
  assert.match(text, /2 failed logins as "app" in ACL LOG since the rotation started \(clients still using/);
  assert.match(text, /\(5 older failed logins as "app" in ACL LOG, from before the rotation started, skipped\)/);
  assert.match(text, /acl_access_denied_auth: 12 \(\+2 since the rotation started/);
  assert.ok(!text.includes('\u001b'), 'no escape sequence reaches the terminal');
});

test('a hostile CLIENT LIST / ACL LOG with megabyte-long fields: each shown field is cut short', () => {
  const huge = 'A'.repeat(1024 * 1024);
  const clients = clientsOf(`id=1 addr=${huge} name=${huge} age=9999 user=app\n`, 'app');
  const failed = failedLoginsOf(
    [['count', 1, 'reason', 'auth', 'username', 'app', 'age-seconds', 1, 'client-info', `addr=${huge}`]],
    'app',
  );
  const text = renderOldPasswordUse(
    [
      {
        display: 'redis://h:1',
        olderClients: clients,
        clients: 1,
        failedLogins: failed,
        olderFailedLogins: 0,
        unreadable: [`CLIENT LIST: ${huge}`],
      },
    ],
    'app',
    false,
    {},
  );
  assert.ok(text.length < 4000, `the report is ${text.length} characters`);
});

test('what could not be read is said unknown, never reported as "no connection" or "no failed login"', () => {
  const text = renderOldPasswordUse(
    [
      {
        display: 'redis://10.0.0.1:6379',
        olderClients: [],
        clients: 0,
        failedLogins: [],
        olderFailedLogins: 0,
        deniedAuth: undefined,
        unreadable: ['CLIENT LIST: NOAUTH Authentication required.', 'ACL LOG: NOAUTH Authentication required.'],
      },
    ],
    'app',
    false,
    {},
  );
  assert.doesNotMatch(text, /no connection as "app"|no failed login as "app"/);
  assert.match(text, /connections: unknown \(CLIENT LIST could not be read/);
  assert.match(text, /failed logins: unknown \(ACL LOG could not be read/);
  assert.match(text, /could not read CLIENT LIST: NOAUTH/);
});
