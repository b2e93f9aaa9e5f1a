/**
 * The streaming RDB walk (src/backup/rdb-walk.ts) and CRC-64 (src/backup/crc64.ts): the check value Redis's
 * crc64.c tests against; the same summary whatever the chunk boundaries; and every way a file can lie refused
 * with a message: damaged CRC, truncation, trailing bytes, wrong magic, an unknown version or value type.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc64 } from '../../src/backup/crc64.ts';
import { dumpPayload } from '../../src/backup/dump-payload.ts';
import { EofMarkScanner } from '../../src/backup/eof-mark.ts';
import { LogicalWriter, logicalVerifier } from '../../src/backup/logical-format.ts';
import { type RdbRecord, rdbVerifier } from '../../src/backup/rdb-walk.ts';
import { encodeLength, RdbWriter } from '../../src/backup/rdb-writer.ts';

function stringValue(text: string): Buffer {
  const b = Buffer.from(text);
  return Buffer.concat([Buffer.of(0), encodeLength(b.length), b]);
}

function listValue(items: string[]): Buffer {
  // RDB_TYPE_LIST (1): a count, then strings.
  return Buffer.concat([
    Buffer.of(1),
    encodeLength(items.length),
    ...items.map((i) => Buffer.concat([encodeLength(i.length), Buffer.from(i)])),
  ]);
}

const RECORDS: RdbRecord[] = [
  { db: 0, key: Buffer.from('a'), value: stringValue('x'.repeat(20000)), rdbVersion: 10 },
  { db: 0, key: Buffer.from('ttl'), expireMs: 1_900_000_000_000, value: stringValue('v'), rdbVersion: 10 },
  { db: 2, key: Buffer.from('list'), value: listValue(['p', 'q', 'r']), rdbVersion: 10 },
];

function rdbFile(records = RECORDS, version = 10): Buffer {
  const parts: Buffer[] = [];
  const w = new RdbWriter((c) => parts.push(c));
  w.header(version);
  for (const r of records) w.record(r);
  w.end();
  return Buffer.concat(parts);
}

function walk(data: Buffer, step = data.length, onRecord?: (r: RdbRecord) => void) {
  const v = rdbVerifier({ onRecord });
  for (let i = 0; i < data.length; i += step) v.write(data.subarray(i, i + step));
  return v.end();
}

describe('CRC-64/Jones', () => {
  test('the check value of Redis crc64.c', () => {
    assert.equal(crc64(Buffer.from('123456789')).hex(), 'e9c6d914c4b8d9ca');
  });
  test('incremental equals whole, across the 8-byte fast path', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    const whole = crc64(data).hex();
    for (const cut of [1, 7, 8, 9, 500, 999]) {
      const c = crc64(data.subarray(0, cut));
      c.update(data.subarray(cut));
      assert.equal(c.hex(), whole);
    }
  });
});

describe('the RDB walk', () => {
  test('keys, databases, expiries and the verified CRC, whatever the chunk size', () => {
    const data = rdbFile();
    for (const step of [1, 2, 3, 5, 64, 4096, data.length]) {
      const s = walk(data, step);
      assert.equal(s.keys, 3);
      assert.deepEqual(s.keysPerDb, { '0': 2, '2': 1 });
      assert.equal(s.expires, 1);
      assert.equal(s.checksum, 'verified');
      assert.equal(s.rdbVersion, 10);
      assert.equal(s.bytes, data.length);
    }
  });

  test('captured records are the keys and values written, as DUMP bodies', () => {
    const got: RdbRecord[] = [];
    walk(rdbFile(), 3, (r) => got.push({ ...r, key: Buffer.from(r.key), value: Buffer.from(r.value) }));
    assert.deepEqual(
      got.map((r) => [
        r.db,
        r.key.toString(),
        r.expireMs,
        r.value.equals(RECORDS.find((x) => x.key.equals(r.key))?.value as Buffer),
      ]),
      [
        [0, 'a', undefined, true],
        [0, 'ttl', 1_900_000_000_000, true],
        [2, 'list', undefined, true],
      ],
    );
  });

  test('a zero trailer means rdbchecksum no: walked, reported as absent', () => {
    const data = rdbFile();
    data.fill(0, data.length - 8);
    assert.equal(walk(data).checksum, 'absent');
  });

  test('refusals', () => {
    const data = rdbFile();
    const flipped = Buffer.from(data);
    flipped[200] ^= 0x40;
    assert.throws(() => walk(flipped), /checksum does not match|impossible|unknown/);
    assert.throws(() => walk(data.subarray(0, data.length - 3)), /ends in the middle of the CRC-64 trailer/);
    assert.throws(() => walk(data.subarray(0, 5000)), /ends in the middle of a string value/);
    assert.throws(() => walk(Buffer.concat([data, Buffer.from('x')])), /1 bytes follow the end/);
    assert.throws(() => walk(Buffer.from('RUBIS0010xxxx')), /not an RDB file/);
    assert.throws(() => walk(rdbFile(RECORDS, 8)), /RDB version 8: redoubt verifies versions 9 to 12/);
    const odd = rdbFile([{ db: 0, key: Buffer.from('m'), value: Buffer.of(6, 0), rdbVersion: 10 }]);
    assert.throws(() => walk(odd), /value type 6 .* not one redoubt can verify/);
  });

  test('a DUMP payload carries its version and a CRC-64 Redis checks', () => {
    const p = dumpPayload(stringValue('v'), 10);
    assert.equal(p.readUInt16LE(p.length - 10), 10);
    assert.ok(
      crc64(p.subarray(0, p.length - 8))
        .digestBytes()
        .equals(p.subarray(p.length - 8)),
    );
  });
});

describe('the logical container', () => {
  function logical(): Buffer {
    const parts: Buffer[] = [];
    const w = new LogicalWriter((c) => parts.push(c));
    w.header(10);
    for (const r of RECORDS) w.key(r.db, r.key, r.expireMs, dumpPayload(r.value, 10));
    w.end();
    return Buffer.concat(parts);
  }

  test('round trip, whatever the chunk size', () => {
    const data = logical();
    for (const step of [1, 13, data.length]) {
      const got: RdbRecord[] = [];
      const v = logicalVerifier((r) => got.push(r));
      for (let i = 0; i < data.length; i += step) v.write(data.subarray(i, i + step));
      const s = v.end();
      assert.equal(s.keys, 3);
      assert.equal(s.expires, 1);
      assert.deepEqual(
        got.map((r) => r.key.toString()),
        ['a', 'ttl', 'list'],
      );
      assert.ok(got[0].value.equals(RECORDS[0].value));
    }
  });

  test('a damaged payload or a short file is refused', () => {
    const data = logical();
    const bad = Buffer.from(data);
    bad[100] ^= 1;
    assert.throws(() => {
      const v = logicalVerifier();
      v.write(bad);
      v.end();
    }, /fails its checksum|does not match/);
    assert.throws(() => {
      const v = logicalVerifier();
      v.write(data.subarray(0, data.length - 1));
      v.end();
    }, /ends in the middle/);
  });
});

describe('the diskless end mark', () => {
  test('found wherever the reads split it; the payload passes through unchanged', () => {
    const mark = Buffer.from('0123456789abcdef0123456789abcdef01234567');
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
    const wire = Buffer.concat([payload, mark, Buffer.from('+junk after the mark')]);
    for (const step of [1, 2, 13, 39, 40, 41, 100, wire.length]) {
      const scanner = new EofMarkScanner(mark);
      const got: Buffer[] = [];
      let done = false;
      for (let i = 0; i < wire.length && !done; i += step) {
        const r = scanner.push(wire.subarray(i, i + step));
        got.push(...r.out);
        done = r.done;
      }
      assert.ok(done, `step ${step}`);
      assert.ok(Buffer.concat(got).equals(payload), `step ${step}`);
    }
  });
});
