import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infoSectionNames, latencystatsSection, withLatencystats } from '../../src/redis/info-sections.ts';

const ALL = [
  '# Server\r\nredis_version:7.0.15\r\n',
  '# CPU\r\nused_cpu_sys:1.0\r\n',
  '# Modules\r\n',
  '# Errorstats\r\nerrorstat_ERR:count=1\r\n',
  '# Latencystats\r\nlatency_percentiles_usec_get:p50=1.003,p99=2.007,p99.9=3.007\r\nlatency_percentiles_usec_info:p50=50.175,p99=80.383,p99.9=120.319\r\n',
  '# Cluster\r\ncluster_enabled:0\r\n',
  '# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n',
].join('\r\n');

test('INFO section names as INFO takes them', () => {
  assert.deepEqual(infoSectionNames(ALL), [
    'server',
    'cpu',
    'modules',
    'errorstats',
    'latencystats',
    'cluster',
    'keyspace',
  ]);
});

test('the latencystats section goes back exactly where INFO ALL prints it', () => {
  const section = latencystatsSection(ALL);
  assert.equal(
    section,
    '# Latencystats\r\nlatency_percentiles_usec_get:p50=1.003,p99=2.007,p99.9=3.007\r\nlatency_percentiles_usec_info:p50=50.175,p99=80.383,p99.9=120.319\r\n',
  );
  const without = ALL.replace(`${section}\r\n`, '');
  assert.ok(!without.includes('Latencystats'));
  assert.equal(withLatencystats(without, section as string), ALL);
});

test('an empty latencystats section (latency-tracking no) round-trips too', () => {
  const empty = ALL.replace(/# Latencystats\r\n[^#]*\r\n\r\n/, '# Latencystats\r\n\r\n');
  const section = latencystatsSection(empty);
  assert.equal(section, '# Latencystats\r\n');
  assert.equal(withLatencystats(empty.replace('# Latencystats\r\n\r\n', ''), section as string), empty);
});

test('no latencystats section: undefined; no Cluster section: appended after a blank line', () => {
  assert.equal(latencystatsSection('# Server\r\nredis_version:6.2.0\r\n'), undefined);
  assert.equal(
    withLatencystats('# Server\r\nx:1\r\n', '# Latencystats\r\nlatency_percentiles_usec_get:p50=1\r\n'),
    '# Server\r\nx:1\r\n\r\n# Latencystats\r\nlatency_percentiles_usec_get:p50=1\r\n',
  );
});
