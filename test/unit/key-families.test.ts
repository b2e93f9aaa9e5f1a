import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderText } from '../../src/metrics/exposition.ts';
import { FamilyBuilder } from '../../src/metrics/family.ts';
import { addKeyFamilies, type KeyFamilyOptions, streamIdMillis } from '../../src/metrics/key-families.ts';
import type { Snapshot } from '../../src/redis/snapshot.ts';
import { parseGoFloat } from '../../src/text/go-format.ts';

const snapshot: Pick<Snapshot, 'keys' | 'keyCounts' | 'streams'> = {
  keys: [
    { db: 'db0', key: 'num', type: 'string', size: 4, value: 3.25, memoryBytes: 56 },
    { db: 'db0', key: 'name', type: 'string', size: 5, valueString: 'hello', memoryBytes: 56 },
    { db: 'db0', key: 'empty', type: 'string', size: 0, memoryBytes: 48 },
    { db: 'db0', key: 'hll', type: 'string', hyperLogLog: true, size: 3, memoryBytes: 128 },
    { db: 'db3', key: 'list', type: 'list', size: 2, memoryBytes: 80 },
    { db: 'db0', key: 'gone', type: 'none' },
    { db: 'db0', key: 'json', type: 'ReJSON-RL', memoryBytes: 100 },
  ],
  keyCounts: [{ db: 'db3', pattern: 'bulk:*', count: 42 }],
  streams: [
    {
      db: 'db0',
      stream: 'events',
      length: 3,
      radixTreeKeys: 1,
      radixTreeNodes: 2,
      lastGeneratedId: '1700000000003-0',
      groups: 2,
      maxDeletedEntryId: '0-0',
      entriesAdded: 3,
      firstEntryId: '1700000000001-0',
      lastEntryId: '1700000000003-0',
      groupDetails: [
        {
          name: 'g1',
          consumers: 1,
          pending: 2,
          lastDeliveredId: '1700000000002-0',
          entriesRead: 2,
          lag: 1,
          consumerDetails: [{ name: 'c1', pending: 2, idleMs: 1500 }],
        },
        { name: 'g2', consumers: 0, pending: 0, lastDeliveredId: '0-0', consumerDetails: [] },
      ],
    },
  ],
};

function render(options?: KeyFamilyOptions): string {
  const b = new FamilyBuilder('redis');
  addKeyFamilies(b, snapshot, options);
  return renderText(b.families());
}

const GOLDEN = `# HELP redis_key_memory_usage_bytes The memory usage of "key" in bytes
# TYPE redis_key_memory_usage_bytes gauge
redis_key_memory_usage_bytes{db="db0",key="num"} 56
redis_key_memory_usage_bytes{db="db0",key="name"} 56
redis_key_memory_usage_bytes{db="db0",key="empty"} 48
redis_key_memory_usage_bytes{db="db0",key="hll"} 128
redis_key_memory_usage_bytes{db="db3",key="list"} 80
redis_key_memory_usage_bytes{db="db0",key="json"} 100
# HELP redis_key_size The length or size of "key"
# TYPE redis_key_size gauge
redis_key_size{db="db0",key="num"} 4
redis_key_size{db="db0",key="name"} 5
redis_key_size{db="db0",key="empty"} 0
redis_key_size{db="db0",key="hll"} 3
redis_key_size{db="db3",key="list"} 2
redis_key_size{db="db0",key="gone"} 0
# HELP redis_key_value The value of "key"
# TYPE redis_key_value gauge
redis_key_value{db="db0",key="num"} 3.25
# HELP redis_key_value_as_string The value of "key" as a string
# TYPE redis_key_value_as_string gauge
redis_key_value_as_string{db="db0",key="name",val="hello"} 1
# HELP redis_keys_count Count of keys
# TYPE redis_keys_count gauge
redis_keys_count{db="db3",key="bulk:*"} 42
# HELP redis_stream_entries_added_total The count of all entries added to the stream during its lifetime
# TYPE redis_stream_entries_added_total counter
redis_stream_entries_added_total{db="db0",stream="events"} 3
# HELP redis_stream_first_entry_id The epoch timestamp (ms) of the first message in the stream
# TYPE redis_stream_first_entry_id gauge
redis_stream_first_entry_id{db="db0",stream="events"} 1700000000001
# HELP redis_stream_group_consumer_idle_seconds Consumer idle time in seconds
# TYPE redis_stream_group_consumer_idle_seconds gauge
redis_stream_group_consumer_idle_seconds{db="db0",stream="events",group="g1",consumer="c1"} 1.5
# HELP redis_stream_group_consumer_messages_pending Pending number of messages for this specific consumer
# TYPE redis_stream_group_consumer_messages_pending gauge
redis_stream_group_consumer_messages_pending{db="db0",stream="events",group="g1",consumer="c1"} 2
# HELP redis_stream_group_consumers Consumers count of stream group
# TYPE redis_stream_group_consumers gauge
redis_stream_group_consumers{db="db0",stream="events",group="g1"} 1
redis_stream_group_consumers{db="db0",stream="events",group="g2"} 0
# HELP redis_stream_group_entries_read Total number of entries read from the stream group
# TYPE redis_stream_group_entries_read gauge
redis_stream_group_entries_read{db="db0",stream="events",group="g1"} 2
redis_stream_group_entries_read{db="db0",stream="events",group="g2"} 0
# HELP redis_stream_group_lag The number of messages waiting to be delivered to the stream group's consumers
# TYPE redis_stream_group_lag gauge
redis_stream_group_lag{db="db0",stream="events",group="g1"} 1
redis_stream_group_lag{db="db0",stream="events",group="g2"} 0
# HELP redis_stream_group_last_delivered_id The epoch timestamp (ms) of the last delivered message
# TYPE redis_stream_group_last_delivered_id gauge
redis_stream_group_last_delivered_id{db="db0",stream="events",group="g1"} 1700000000002
redis_stream_group_last_delivered_id{db="db0",stream="events",group="g2"} 0
# HELP redis_stream_group_messages_pending Pending number of messages in that stream group
# TYPE redis_stream_group_messages_pending gauge
redis_stream_group_messages_pending{db="db0",stream="events",group="g1"} 2
redis_stream_group_messages_pending{db="db0",stream="events",group="g2"} 0
# HELP redis_stream_groups Groups count of stream
# TYPE redis_stream_groups gauge
redis_stream_groups{db="db0",stream="events"} 2
# HELP redis_stream_last_entry_id The epoch timestamp (ms) of the last message in the stream
# TYPE redis_stream_last_entry_id gauge
redis_stream_last_entry_id{db="db0",stream="events"} 1700000000003
# HELP redis_stream_last_generated_id The epoch timestamp (ms) of the latest message on the stream
# TYPE redis_stream_last_generated_id gauge
redis_stream_last_generated_id{db="db0",stream="events"} 1700000000003
# HELP redis_stream_length The number of elements of the stream
# TYPE redis_stream_length gauge
redis_stream_length{db="db0",stream="events"} 3
# HELP redis_stream_max_deleted_entry_id The epoch timestamp (ms) of last message was deleted from the stream
# TYPE redis_stream_max_deleted_entry_id gauge
redis_stream_max_deleted_entry_id{db="db0",stream="events"} 0
# HELP redis_stream_radix_tree_keys Radix tree keys count"
# TYPE redis_stream_radix_tree_keys gauge
redis_stream_radix_tree_keys{db="db0",stream="events"} 1
# HELP redis_stream_radix_tree_nodes Radix tree nodes count
# TYPE redis_stream_radix_tree_nodes gauge
redis_stream_radix_tree_nodes{db="db0",stream="events"} 2
`;

test('addKeyFamilies: golden output with redis_exporter names, types, labels and HELP', () => {
  assert.equal(render(), GOLDEN);
});

test('addKeyFamilies: missing keys, value export and consumer metrics can be switched off', () => {
  const omit = render({ missingKeys: 'omit' });
  assert.ok(!omit.includes('key="gone"'));
  assert.ok(omit.includes('redis_key_size{db="db0",key="num"} 4'));

  const noValues = render({ disableKeyValues: true });
  assert.ok(!noValues.includes('redis_key_value'));
  assert.ok(noValues.includes('redis_key_size{db="db0",key="name"} 5'));

  const noConsumers = render({ excludeConsumerMetrics: true });
  assert.ok(!noConsumers.includes('consumer='));
  assert.ok(noConsumers.includes('redis_stream_group_lag{db="db0",stream="events",group="g1"} 1'));
});

test('addKeyFamilies: nothing in, nothing out', () => {
  const b = new FamilyBuilder('redis');
  addKeyFamilies(b, {});
  addKeyFamilies(b, { keys: [], keyCounts: [], streams: [] });
  assert.deepEqual(b.families(), []);
});

test('addKeyFamilies: values that are not numbers keep their text; special floats render like Go', () => {
  const b = new FamilyBuilder('redis');
  addKeyFamilies(b, {
    keys: [
      { db: 'db0', key: 'inf', type: 'string', size: 3, value: Number.POSITIVE_INFINITY },
      { db: 'db0', key: 'nan', type: 'string', size: 3, value: Number.NaN },
      { db: 'db0', key: 'q', type: 'string', size: 5, valueString: 'a "b"\n' },
    ],
  });
  const text = renderText(b.families());
  assert.ok(text.includes('redis_key_value{db="db0",key="inf"} +Inf'));
  assert.ok(text.includes('redis_key_value{db="db0",key="nan"} NaN'));
  assert.ok(text.includes('redis_key_value_as_string{db="db0",key="q",val="a \\"b\\"\\n"} 1'));
});

test('streamIdMillis: the millisecond part, like upstream parseStreamItemId', () => {
  assert.equal(streamIdMillis('1526919030474-55'), 1526919030474);
  assert.equal(streamIdMillis('0-0'), 0);
  assert.equal(streamIdMillis(''), 0);
  assert.equal(streamIdMillis(undefined), 0);
  assert.equal(streamIdMillis('garbage'), 0);
});

test('parseGoFloat: accepts exactly what Go strconv.ParseFloat accepts', () => {
  const ok: Array<[string, number]> = [
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['+7', 7],
    ['3.25', 3.25],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['1_000', 1000],
    ['0x10p0', 16],
    ['0x1.8p1', 3],
    ['0X1P-2', 0.25],
    ['inf', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['+INF', Number.POSITIVE_INFINITY],
    ['1e-400', 0],
  ];
  for (const [s, v] of ok) assert.equal(parseGoFloat(s), v, s);
  assert.ok(Number.isNaN(parseGoFloat('NaN')));
  assert.ok(Number.isNaN(parseGoFloat('nan')));
  const bad = [
    '',
    ' 1',
    '1 ',
    'abc',
    '1a',
    '0x10',
    '0x',
    '1e',
    '1e+',
    '.',
    '-',
    '+nan',
    'infin',
    '1__0',
    '_1',
    '1_',
    '1e400',
    '-1e400',
    '1,5',
    '١',
    'Infinityx',
  ];
  for (const s of bad) assert.equal(parseGoFloat(s), undefined, JSON.stringify(s));
});
