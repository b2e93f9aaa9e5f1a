/**
 * Finds the end of a diskless RDB transfer (`$EOF:<40-byte mark>` framing: the payload is followed by the same
 * 40 bytes). Holds back at most 39 bytes between reads, since the mark may straddle two; everything else is
 * passed on as it came, without copying.
 */
export class EofMarkScanner {
  private tail = Buffer.alloc(0);
  private readonly keep: number;

  constructor(private readonly mark: Buffer) {
    this.keep = mark.length - 1;
  }

  /** The payload bytes this chunk releases, and whether the mark was found (anything after it is ignored). */
  push(chunk: Buffer): { out: Buffer[]; done: boolean } {
    const out: Buffer[] = [];
    if (this.tail.length > 0) {
      // A mark that starts in the held-back bytes ends within the chunk's first `keep` bytes.
      const edge = Buffer.concat([this.tail, chunk.subarray(0, this.keep)]);
      const at = edge.indexOf(this.mark);
      if (at >= 0) {
        if (at > 0) out.push(edge.subarray(0, at));
        return { out, done: true };
      }
      if (chunk.length < this.keep) {
        // Not enough new bytes to rule the held-back ones out: release only what cannot start a mark.
        this.tail = edge.subarray(Math.max(0, edge.length - this.keep));
        if (edge.length > this.keep) out.push(edge.subarray(0, edge.length - this.keep));
        return { out, done: false };
      }
      out.push(this.tail);
      this.tail = Buffer.alloc(0);
    }
    const at = chunk.indexOf(this.mark);
    if (at >= 0) {
      if (at > 0) out.push(chunk.subarray(0, at));
      return { out, done: true };
    }
    const cut = Math.max(0, chunk.length - this.keep);
    if (cut > 0) out.push(chunk.subarray(0, cut));
    this.tail = Buffer.from(chunk.subarray(cut));
    return { out, done: false };
  }

  /** Bytes held back (for a count when the transfer is cut). */
  get held(): number {
    return this.tail.length;
  }
}
