/**
 * Prometheus remote-write requests (prompb.WriteRequest, protobuf, snappy block format) written by hand for the
 * bench, so Prometheus 2.42 (`--web.enable-remote-write-receiver`) ingests the same samples redoubt does. The
 * snappy block holds literals only: valid snappy, just not compressed (Prometheus decodes it all the same).
 */
import type { Labels } from '../src/promql/types.ts';

class ProtoWriter {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytesField(field: number, bytes: Buffer): void {
    this.varint((field << 3) | 2);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }
}

/** One series' samples for a request. */
export interface WriteSeries {
  readonly labels: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
}

const labelCache = new WeakMap<Labels, Buffer>();

/** The encoded `repeated Label labels = 1` of a series (cached per label object). */
function labelBytes(labels: Labels): Buffer {
  let b = labelCache.get(labels);
  if (b) return b;
  const w = new ProtoWriter();
  for (const [name, value] of Object.entries(labels).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const inner = new ProtoWriter();
    inner.bytesField(1, n);
    inner.bytesField(2, v);
    w.bytesField(1, inner.buf.subarray(0, inner.pos));
  }
  b = Buffer.from(w.buf.subarray(0, w.pos));
  labelCache.set(labels, b);
  return b;
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** WriteRequest{timeseries} as protobuf. */
export function encodeWriteRequest(series: readonly WriteSeries[]): Buffer {
  const w = new ProtoWriter();
  for (const s of series) {
    const labels = labelBytes(s.labels);
    // Each Sample: field 1 double (1 + 8 bytes), field 2 int64 varint.
    let samplesLen = 0;
    for (let i = 0; i < s.t.length; i++) {
      const inner = 9 + 1 + varintLength(s.t[i]!);
      samplesLen += 1 + varintLength(inner) + inner;
    }
    const tsLen = labels.length + samplesLen;
    w.varint((1 << 3) | 2);
    w.varint(tsLen);
    w.ensure(labels.length);
    labels.copy(w.buf, w.pos);
    w.pos += labels.length;
    for (let i = 0; i < s.t.length; i++) {
      const inner = 9 + 1 + varintLength(s.t[i]!);
      w.varint((2 << 3) | 2);
      w.varint(inner);
      w.ensure(9);
      w.buf[w.pos++] = (1 << 3) | 1;
      w.buf.writeDoubleLE(s.v[i]!, w.pos);
      w.pos += 8;
      w.varint(2 << 3);
      w.varint(s.t[i]!);
    }
  }
  return w.buf.subarray(0, w.pos);
}

/** Snappy block format with the whole input as literals (at most 64 KiB - 1 per literal, as the spec suggests). */
export function snappyLiteral(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const head = new ProtoWriter();
  head.varint(data.length);
  parts.push(Buffer.from(head.buf.subarray(0, head.pos)));
  for (let at = 0; at < data.length; at += 65535) {
    const len = Math.min(65535, data.length - at);
    const tag = len - 1 < 60 ? Buffer.from([(len - 1) << 2]) : Buffer.from([61 << 2, (len - 1) & 0xff, (len - 1) >> 8]);
    parts.push(tag, data.subarray(at, at + len));
  }
  return Buffer.concat(parts);
}
