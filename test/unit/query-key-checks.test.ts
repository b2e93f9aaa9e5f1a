import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeyCheckFlags, keyChecksForRequest, keyChecksId } from '../../src/exporter/query-key-checks.ts';
import { ScrapeTargetError } from '../../src/exporter/scrape-targets.ts';

const configured: KeyCheckFlags = {
  checkKeys: 'db0=pub:*,db3=jobs:*',
  checkSingleKeys: 'db0=motd',
  checkStreams: '',
  checkSingleStreams: '',
  countKeys: 'db0=sessions:*',
};
const params = (q: string) => new URLSearchParams(q);

function refused(q: string, allow: boolean): ScrapeTargetError {
  try {
    keyChecksForRequest(params(q), configured, allow);
  } catch (err) {
    assert.ok(err instanceof ScrapeTargetError);
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail(`${q} was accepted`);
}

test('no override, or an empty one: the configured checks', () => {
  assert.deepEqual(keyChecksForRequest(params('target=x'), configured, false), configured);
  assert.deepEqual(keyChecksForRequest(params('check-keys=&count-keys='), configured, false), configured);
});

test('overrides are refused while off, naming the parameter and the flag that turns them on', () => {
  for (const name of ['check-keys', 'check-single-keys', 'check-streams', 'check-single-streams', 'count-keys'])
    assert.match(
      refused(`${name}=db0%3Dpub%3A*`, false).message,
      new RegExp(`^the query parameter ${name} is refused: .*--scrape\\.allow-query-key-checks`),
    );
});

test('when on, an override may only choose among the same flag’s items', () => {
  const r = keyChecksForRequest(params('check-keys=db3%3Djobs%3A*&count-keys=db0%3Dsessions%3A*'), configured, true);
  assert.equal(r.checkKeys, 'db3=jobs:*');
  assert.equal(r.countKeys, 'db0=sessions:*');
  assert.equal(r.checkSingleKeys, 'db0=motd', 'the others stay as configured');
  // "pub:*" without a database is db0=pub:*, the same item.
  assert.equal(keyChecksForRequest(params('check-keys=pub%3A*'), configured, true).checkKeys, 'pub:*');
  for (const q of [
    'check-keys=db0%3D*', // wider
    'check-keys=db0%3Dpub%3Aadmin*', // narrower in glob terms, but not an item: not inferred
    'check-keys=db1%3Dpub%3A*', // another database
    'check-single-keys=db0%3Dpub%3Ax', // matches --check-keys, but is a single-key check
    'check-streams=db0%3Dpub%3A*', // --check-streams is empty
  ])
    assert.match(refused(q, true).message, /is not one of the exporter's --/, q);
  assert.match(refused('check-keys=dbX%3Dfoo', true).message, /check-keys/);
});

test('ids tell key check sets apart', () => {
  assert.equal(keyChecksId(configured), keyChecksId({ ...configured }));
  assert.notEqual(keyChecksId(configured), keyChecksId({ ...configured, countKeys: '' }));
});
