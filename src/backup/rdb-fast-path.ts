import { VALUE_TYPES } from './rdb-format.ts';

/**
 * The common case of the RDB walk without generators: a whole key record (optional expiry, type, name, value)
 * lying in one chunk. Each function returns the position after what it read, or -1 when the bytes run out or
 * anything is unusual; the caller then walks the same bytes the careful way (rdb-walk.ts), which also produces
 * the error message. Only layouts with plain strings are handled here.
 */

const NOT_HERE = -1;

/** Length at p: sets LEN/SPECIAL, returns the next position. */
let LEN = 0;
let SPECIAL = false;

function length(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return NOT_HERE;
  const x = b[p];
  const kind = x >> 6;
  if (kind === 0) {
    LEN = x & 0x3f;
    SPECIAL = false;
    return p + 1;
  }
  if (kind === 1) {
    if (p + 2 > end) return NOT_HERE;
    LEN = ((x & 0x3f) << 8) | b[p + 1];
    SPECIAL = false;
    return p + 2;
  }
  if (kind === 3) {
    LEN = x & 0x3f;
    SPECIAL = true;
    return p + 1;
  }
  if (x === 0x80) {
    if (p + 5 > end) return NOT_HERE;
    LEN = ((b[p + 1] << 24) >>> 0) + (b[p + 2] << 16) + (b[p + 3] << 8) + b[p + 4];
    SPECIAL = false;
    return p + 5;
  }
  return NOT_HERE; // 64-bit lengths: the careful path
}

function string(b: Uint8Array, p: number, end: number): number {
  let q = length(b, p, end);
  if (q < 0) return NOT_HERE;
  if (SPECIAL) {
    if (LEN === 0) q += 1;
    else if (LEN === 1) q += 2;
    else if (LEN === 2) q += 4;
    else if (LEN === 3) {
      q = length(b, q, end);
      if (q < 0 || SPECIAL) return NOT_HERE;
      const clen = LEN;
      q = length(b, q, end);
      if (q < 0 || SPECIAL) return NOT_HERE;
      q += clen;
    } else return NOT_HERE;
  } else q += LEN;
  return q <= end ? q : NOT_HERE;
}

function strings(b: Uint8Array, p: number, end: number, perItem: number): number {
  let q = length(b, p, end);
  if (q < 0 || SPECIAL) return NOT_HERE;
  const n = LEN * perItem;
  for (let i = 0; i < n; i++) {
    q = string(b, q, end);
    if (q < 0) return NOT_HERE;
  }
  return q;
}

function value(b: Uint8Array, p: number, end: number, type: number): number {
  const layout = VALUE_TYPES[type]?.layout;
  if (layout === 'string') return string(b, p, end);
  if (layout === 'strings') return strings(b, p, end, 1);
  if (layout === 'pairs') return strings(b, p, end, 2);
  if (layout === 'zset2') {
    let q = length(b, p, end);
    if (q < 0 || SPECIAL) return NOT_HERE;
    const n = LEN;
    for (let i = 0; i < n; i++) {
      q = string(b, q, end);
      if (q < 0 || q + 8 > end) return NOT_HERE;
      q += 8;
    }
    return q;
  }
  if (layout === 'quicklist2') {
    let q = length(b, p, end);
    if (q < 0 || SPECIAL) return NOT_HERE;
    const n = LEN;
    for (let i = 0; i < n; i++) {
      q = length(b, q, end);
      if (q < 0 || SPECIAL) return NOT_HERE;
      q = string(b, q, end);
      if (q < 0) return NOT_HERE;
    }
    return q;
  }
  return NOT_HERE;
}

/** One key record at p (type byte first, no expiry): the position after it, or -1. */
export function fastKeyRecord(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return NOT_HERE;
  const type = b[p];
  const q = string(b, p + 1, end);
  if (q < 0) return NOT_HERE;
  return value(b, q, end, type);
}
