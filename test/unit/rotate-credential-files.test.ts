import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '../../src/redis/target.ts';
import { passwordFileKeys, readEnvEntry, setEnvEntry, setPasswordEntries } from '../../src/rotate/credential-files.ts';

test('setEnvEntry replaces the line in place, keeps the rest and an export prefix, and drops duplicates', () => {
  assert.equal(setEnvEntry('A=1\nKEY=old\nB=2\n', 'KEY', 'new'), 'A=1\nKEY=new\nB=2\n');
  assert.equal(setEnvEntry('export KEY="old"\n# note\n', 'KEY', 'new'), 'export KEY=new\n# note\n');
  assert.equal(setEnvEntry('KEY=a\nKEY=b\nC=3', 'KEY', 'new'), 'KEY=new\nC=3\n');
  assert.equal(setEnvEntry('A=1\n', 'KEY', 'new'), 'A=1\nKEY=new\n');
  assert.equal(setEnvEntry('', 'KEY', 'new'), 'KEY=new\n');
  assert.equal(setEnvEntry('KEYS=x\n', 'KEY', 'new'), 'KEYS=x\nKEY=new\n', 'a longer name is another variable');
});

test('readEnvEntry reads a value, without its quotes', () => {
  assert.equal(readEnvEntry('A=1\nexport KEY="v a"\n', 'KEY'), 'v a');
  assert.equal(readEnvEntry("KEY='x'\r\n", 'KEY'), 'x');
  assert.equal(readEnvEntry('A=1\n', 'KEY'), undefined);
});

test("passwordFileKeys: the user's existing entries for the servers, else one new entry per server", () => {
  const servers = [parseTarget('redis://10.0.0.1:6379'), parseTarget('redis://10.0.0.2')];
  const map = new Map([
    ['redis://app@10.0.0.1:6379', 'a'],
    ['redis://app@10.0.0.2:6379/0', 'b'],
    ['redis://other@10.0.0.1:6379', 'c'],
    ['redis://app@10.0.0.3:6379', 'd'],
    ['not a url', 'e'],
  ]);
  assert.deepEqual(passwordFileKeys(map, servers, 'app', []), [
    'redis://app@10.0.0.1:6379',
    'redis://app@10.0.0.2:6379/0',
  ]);
  assert.deepEqual(passwordFileKeys(new Map(), servers, 'app', []), [
    'redis://app@10.0.0.1:6379',
    'redis://app@10.0.0.2:6379',
  ]);
  assert.deepEqual(passwordFileKeys(new Map([['redis://10.0.0.1:6379', 'x']]), servers, 'default', []), [
    'redis://10.0.0.1:6379',
  ]);
  assert.deepEqual(passwordFileKeys(map, servers, 'app', ['redis://app@h:1']), ['redis://app@h:1']);
});

test('setPasswordEntries keeps every other entry, in order', () => {
  const out = setPasswordEntries(
    new Map([
      ['a', '1'],
      ['b', '2'],
    ]),
    ['b', 'c'],
    'new',
  );
  assert.deepEqual(JSON.parse(out), { a: '1', b: 'new', c: 'new' });
  assert.deepEqual(Object.keys(JSON.parse(out)), ['a', 'b', 'c']);
});
