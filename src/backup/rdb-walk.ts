import { BackupFormatError, type ByteFeed, PushParser } from './byte-feed.ts';
import { lzfDecompress } from './lzf.ts';
import { fastKeyRecord } from './rdb-fast-path.ts';
import { MODULE_OP, OP, RDB_MAX_VERSION, RDB_MIN_VERSION, VALUE_TYPES } from './rdb-format.ts';

/** One key as the walk met it; `value` is its type byte and serialized value, the body of a DUMP payload. */
export interface RdbRecord {
  db: number;
  key: Buffer;
  /** Absolute expiry in Unix milliseconds, when the key has one. */
  expireMs?: number;
  value: Buffer;
  /** The RDB version the value is serialized in (DUMP payloads carry it). */
  rdbVersion: number;
}

export interface RdbSummary {
  rdbVersion: number;
  /** Aux fields (redis-ver, ctime, used-mem …), neutralised by whoever prints them. */
  aux: Record<string, string>;
  keys: number;
  keysPerDb: Record<string, number>;
  expires: number;
  functions: number;
  /** 'verified': the trailer matched; 'absent': the server runs with rdbchecksum no (the trailer is 0). */
  checksum: 'verified' | 'absent';
  bytes: number;
}

export interface WalkOptions {
  /** Called for every key, with its bytes captured (restore); without it values are only skipped over. */
  onRecord?: (record: RdbRecord) => void;
  /** Largest value captured for onRecord (Redis's own proto-max-bulk-len default). */
  maxValueBytes?: number;
}

const MAX_SMALL_STRING = 64 * 1024 * 1024;
const MAX_COUNT = 2 ** 40;

type Feed = ByteFeed;

/** A length: `special` set for the encoded-string forms (int8/16/32, LZF). */
function* readLength(f: Feed, what: string): Generator<void, { len: number; special: boolean }, void> {
  const b = yield* f.u8(what);
  const kind = b >> 6;
  if (kind === 0) return { len: b & 0x3f, special: false };
  if (kind === 1) return { len: ((b & 0x3f) << 8) | (yield* f.u8(what)), special: false };
  if (kind === 3) return { len: b & 0x3f, special: true };
  if (b === 0x80) return { len: (yield* f.take(4, what)).readUInt32BE(0), special: false };
  if (b === 0x81) {
    const n = (yield* f.take(8, what)).readBigUInt64BE(0);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new BackupFormatError(`an impossible length in ${what}`);
    return { len: Number(n), special: false };
  }
  throw new BackupFormatError(`an unknown length encoding 0x${b.toString(16)} in ${what} at offset ${f.offset - 1}`);
}

/** A plain number (an id, a time): any length that is not a string encoding. */
function* readNumber(f: Feed, what: string): Generator<void, number, void> {
  const { len, special } = yield* readLength(f, what);
  if (special)
    throw new BackupFormatError(`a string encoding where a number belongs, in ${what} at offset ${f.offset}`);
  return len;
}

function* readCount(f: Feed, what: string): Generator<void, number, void> {
  const { len, special } = yield* readLength(f, what);
  if (special || len > MAX_COUNT) throw new BackupFormatError(`an impossible count in ${what} at offset ${f.offset}`);
  return len;
}

/** Reads a string; `keep` returns its decoded bytes (bounded), otherwise it is skipped over. */
function* readString(f: Feed, what: string, keep: boolean): Generator<void, Buffer | undefined, void> {
  const { len, special } = yield* readLength(f, what);
  if (special) {
    if (len <= 2) {
      const size = [1, 2, 4][len];
      const raw = yield* f.take(size, what);
      const n = size === 1 ? raw.readInt8(0) : size === 2 ? raw.readInt16LE(0) : raw.readInt32LE(0);
      return keep ? Buffer.from(String(n)) : undefined;
    }
    if (len !== 3) throw new BackupFormatError(`an unknown string encoding ${len} in ${what} at offset ${f.offset}`);
    const clen = yield* readCount(f, what);
    const ulen = yield* readCount(f, what);
    if (!keep) {
      yield* f.skip(clen, what);
      return undefined;
    }
    if (ulen > MAX_SMALL_STRING || clen > ulen + 64)
      throw new BackupFormatError(`a compressed ${what} of ${ulen} bytes: over the limit`);
    try {
      return lzfDecompress(yield* f.take(clen, what), ulen);
    } catch {
      throw new BackupFormatError(`corrupt compressed data in ${what} at offset ${f.offset}`);
    }
  }
  if (!keep) {
    yield* f.skip(len, what);
    return undefined;
  }
  if (len > MAX_SMALL_STRING) throw new BackupFormatError(`${what} of ${len} bytes: over the limit`);
  return Buffer.from(yield* f.take(len, what));
}

function* skipStrings(f: Feed, count: number, what: string): Generator<void, void, void> {
  for (let i = 0; i < count; i++) yield* readString(f, what, false);
}

function* skipStream(f: Feed, type: number): Generator<void, void, void> {
  const what = 'a stream';
  const listpacks = yield* readCount(f, what);
  yield* skipStrings(f, listpacks * 2, what);
  for (let i = 0; i < 3; i++) yield* readNumber(f, what); // length, last id ms, seq
  if (type >= 19) for (let i = 0; i < 5; i++) yield* readNumber(f, what); // first id, max deleted id, entries added
  const groups = yield* readCount(f, what);
  for (let g = 0; g < groups; g++) {
    yield* readString(f, 'a consumer group name', false);
    yield* readNumber(f, what);
    yield* readNumber(f, what);
    if (type >= 19) yield* readNumber(f, what); // entries read
    const pel = yield* readCount(f, what);
    for (let p = 0; p < pel; p++) {
      yield* f.skip(16 + 8, what); // entry id, delivery time
      yield* readNumber(f, what); // delivery count
    }
    const consumers = yield* readCount(f, what);
    for (let c = 0; c < consumers; c++) {
      yield* readString(f, 'a consumer name', false);
      yield* f.skip(type >= 21 ? 16 : 8, what); // seen time (and active time)
      const owned = yield* readCount(f, what);
      yield* f.skip(owned * 16, what);
    }
  }
}

function* skipModuleValue(f: Feed): Generator<void, void, void> {
  const what = 'a module value';
  for (;;) {
    const op = yield* readCount(f, what);
    if (op === MODULE_OP.EOF) return;
    if (op === MODULE_OP.SINT || op === MODULE_OP.UINT) yield* readNumber(f, what);
    else if (op === MODULE_OP.FLOAT) yield* f.skip(4, what);
    else if (op === MODULE_OP.DOUBLE) yield* f.skip(8, what);
    else if (op === MODULE_OP.STRING) yield* readString(f, what, false);
    else throw new BackupFormatError(`an unknown module opcode ${op} at offset ${f.offset}`);
  }
}

/** Walks one value of `type` (the type byte already read). */
export function* skipValue(f: Feed, type: number): Generator<void, void, void> {
  const spec = VALUE_TYPES[type];
  if (!spec)
    throw new BackupFormatError(
      `value type ${type} at offset ${f.offset - 1} is not one redoubt can verify (module type 6 or a newer Redis); nothing was kept`,
    );
  const what = `a ${spec.name} value`;
  switch (spec.layout) {
    case 'string':
      yield* readString(f, what, false);
      return;
    case 'strings':
      yield* skipStrings(f, yield* readCount(f, what), what);
      return;
    case 'pairs':
      yield* skipStrings(f, (yield* readCount(f, what)) * 2, what);
      return;
    case 'zset1': {
      const n = yield* readCount(f, what);
      for (let i = 0; i < n; i++) {
        yield* readString(f, what, false);
        const l = yield* f.u8(what);
        if (l < 253) yield* f.skip(l, what);
      }
      return;
    }
    case 'zset2': {
      const n = yield* readCount(f, what);
      for (let i = 0; i < n; i++) {
        yield* readString(f, what, false);
        yield* f.skip(8, what);
      }
      return;
    }
    case 'quicklist2': {
      const n = yield* readCount(f, what);
      for (let i = 0; i < n; i++) {
        yield* readNumber(f, what); // container kind
        yield* readString(f, what, false);
      }
      return;
    }
    case 'module2':
      yield* readNumber(f, what); // module id
      yield* skipModuleValue(f);
      return;
    case 'stream':
      yield* skipStream(f, type);
  }
}

function* readHeader(f: Feed): Generator<void, number, void> {
  const head = yield* f.take(9, 'the RDB header');
  if (head.subarray(0, 5).toString('latin1') !== 'REDIS')
    throw new BackupFormatError('the data does not start with "REDIS": it is not an RDB file');
  const digits = head.subarray(5).toString('latin1');
  if (!/^\d{4}$/.test(digits)) throw new BackupFormatError('the RDB header has no version number');
  const version = Number(digits);
  if (version < RDB_MIN_VERSION || version > RDB_MAX_VERSION)
    throw new BackupFormatError(
      `RDB version ${version}: redoubt verifies versions ${RDB_MIN_VERSION} to ${RDB_MAX_VERSION} (Redis 5.0 to 8.x)`,
    );
  return version;
}

/** Where the walk stands: the summary so far, the current database, an expiry waiting for its key. */
interface WalkState {
  s: RdbSummary;
  db: number;
  expireMs?: number;
}

function countKey(st: WalkState): void {
  st.s.keys++;
  st.s.keysPerDb[String(st.db)] = (st.s.keysPerDb[String(st.db)] ?? 0) + 1;
}

/** Most records lie whole in the current chunk: walk them without a generator per field. */
function tryFastKey(f: Feed, st: WalkState): boolean {
  const c = f.contiguous();
  if (!c || VALUE_TYPES[c.buf[c.start]] === undefined) return false;
  const next = fastKeyRecord(c.buf, c.start, c.end);
  if (next < 0) return false;
  f.consumeContiguous(next - c.start);
  countKey(st);
  return true;
}

/** An opcode other than a key's type byte; false when `op` is not one (it is then a value type). */
function* walkOpcode(f: Feed, op: number, st: WalkState): Generator<void, boolean, void> {
  switch (op) {
    case OP.AUX: {
      const k = (yield* readString(f, 'an aux field', true)) as Buffer;
      const v = (yield* readString(f, 'an aux field', true)) as Buffer;
      if (Object.keys(st.s.aux).length < 64)
        st.s.aux[k.toString('latin1').slice(0, 64)] = v.toString('latin1').slice(0, 256);
      return true;
    }
    case OP.SELECTDB:
      st.db = yield* readCount(f, 'SELECTDB');
      return true;
    case OP.RESIZEDB:
      yield* readCount(f, 'RESIZEDB');
      yield* readCount(f, 'RESIZEDB');
      return true;
    case OP.EXPIRETIME_MS:
      st.expireMs = Number((yield* f.take(8, 'an expiry')).readBigInt64LE(0));
      return true;
    case OP.EXPIRETIME:
      st.expireMs = (yield* f.take(4, 'an expiry')).readInt32LE(0) * 1000;
      return true;
    case OP.IDLE:
      yield* readNumber(f, 'an idle time');
      return true;
    case OP.FREQ:
      yield* f.skip(1, 'a frequency');
      return true;
    case OP.SLOT_INFO:
      for (let i = 0; i < 3; i++) yield* readCount(f, 'slot info');
      return true;
    case OP.FUNCTION2:
      yield* readString(f, 'a function library', false);
      st.s.functions++;
      return true;
    case OP.MODULE_AUX:
      for (let i = 0; i < 3; i++) yield* readNumber(f, 'module aux data');
      yield* skipModuleValue(f);
      return true;
    case OP.FUNCTION_PRE_GA:
      throw new BackupFormatError('a function saved by a Redis 7.0 release candidate: not supported');
  }
  return false;
}

/** A key: its type byte (already read), its name, its value; captured for onRecord when there is one. */
function* walkKey(f: Feed, type: number, st: WalkState, options: WalkOptions): Generator<void, void, void> {
  const capture = options.onRecord !== undefined;
  const key = (yield* readString(f, 'a key name', capture)) as Buffer | undefined;
  if (capture) {
    f.startCapture(options.maxValueBytes ?? 512 * 1024 * 1024);
    f.pushCaptured(Buffer.of(type));
  }
  yield* skipValue(f, type);
  countKey(st);
  if (st.expireMs !== undefined) st.s.expires++;
  if (capture && options.onRecord)
    options.onRecord({
      db: st.db,
      key: key as Buffer,
      expireMs: st.expireMs,
      value: f.stopCapture(),
      rdbVersion: st.s.rdbVersion,
    });
  st.expireMs = undefined;
}

/** The 8 bytes after EOF: the CRC-64 of everything before them, or zeros (rdbchecksum no). */
function* readTrailer(f: Feed): Generator<void, RdbSummary['checksum'], void> {
  f.freezeCrc();
  const computed = f.crc.digestBytes();
  const trailer = yield* f.take(8, 'the CRC-64 trailer');
  if (trailer.equals(Buffer.alloc(8))) return 'absent';
  if (trailer.equals(computed)) return 'verified';
  throw new BackupFormatError(
    `the RDB checksum does not match (the file says ${Buffer.from(trailer).reverse().toString('hex')}, the data gives ${Buffer.from(computed).reverse().toString('hex')}): the data is damaged`,
  );
}

/** The whole walk: header, opcodes and keys, EOF and the CRC-64 trailer. */
export function* walkRdb(f: Feed, options: WalkOptions): Generator<void, RdbSummary, void> {
  const s: RdbSummary = {
    rdbVersion: yield* readHeader(f),
    aux: {},
    keys: 0,
    keysPerDb: {},
    expires: 0,
    functions: 0,
    checksum: 'absent',
    bytes: 0,
  };
  const st: WalkState = { s, db: 0 };
  const capture = options.onRecord !== undefined;
  for (;;) {
    if (!capture && st.expireMs === undefined && tryFastKey(f, st)) continue;
    const op = yield* f.u8('an opcode');
    if (op === OP.EOF) break;
    if (!(yield* walkOpcode(f, op, st))) yield* walkKey(f, op, st, options);
  }
  s.checksum = yield* readTrailer(f);
  s.bytes = f.offset;
  return s;
}

/** A push verifier for a whole RDB stream: write() chunks as they come, end() for the summary (or a BackupFormatError). */
export function rdbVerifier(options: WalkOptions = {}): PushParser<RdbSummary> {
  return new PushParser((f) => walkRdb(f, options));
}
