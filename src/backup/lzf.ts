/**
 * LZF decompression (liblzf's format, which Redis uses for long strings in RDB files). Only keys and aux fields
 * are decompressed; values are verified and copied as they are. Bounded by the length the file declares.
 */
export function lzfDecompress(input: Uint8Array, outLength: number): Buffer {
  const out = Buffer.alloc(outLength);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (op + len > outLength || ip + len > input.length) throw new Error('corrupt LZF data');
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= input.length) throw new Error('corrupt LZF data');
      len += input[ip++];
    }
    if (ip >= input.length) throw new Error('corrupt LZF data');
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    len += 2;
    if (ref < 0 || op + len > outLength) throw new Error('corrupt LZF data');
    for (let k = 0; k < len; k++) out[op++] = out[ref + k];
  }
  if (op !== outLength) throw new Error('corrupt LZF data');
  return out;
}
