import { Crc64 } from './crc64.ts';

/** The bytes in a backup or an RDB stream are not what they claim to be; the message says where and what. */
export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFormatError';
  }
}

/**
 * The primitive a push parser reads through: chunks arrive with feed(), a parser written as a generator pulls
 * bytes with `yield* need(n)`, and suspends (yields) until they are there. Every consumed byte goes through the
 * running CRC-64 (until frozen) and, while capturing, into the capture list. Nothing is buffered beyond the
 * chunks not yet consumed, so a 500 MB value passes through with a few chunks in memory.
 */
export class ByteFeed {
  private chunks: Buffer[] = [];
  private head = 0;
  available = 0;
  ended = false;
  /** Bytes consumed so far (the offset of the next byte, for messages). */
  offset = 0;
  readonly crc = new Crc64();
  private crcFrozen = false;
  private capture: Buffer[] | undefined;
  private captureBytes = 0;
  private captureLimit = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  freezeCrc(): void {
    this.crcFrozen = true;
  }

  startCapture(limit: number): void {
    this.capture = [];
    this.captureBytes = 0;
    this.captureLimit = limit;
  }

  /** Adds bytes that were read before the capture started (a type byte) to it. */
  pushCaptured(bytes: Buffer): void {
    this.capture?.push(bytes);
    this.captureBytes += bytes.length;
  }

  stopCapture(): Buffer {
    const parts = this.capture ?? [];
    this.capture = undefined;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  get capturing(): boolean {
    return this.capture !== undefined;
  }

  /** Consumes up to `max` bytes from the first chunk, without copying. */
  private consumeSome(max: number): Buffer {
    const first = this.chunks[0];
    const n = Math.min(max, first.length - this.head);
    const part = first.subarray(this.head, this.head + n);
    this.head += n;
    if (this.head === first.length) {
      this.chunks.shift();
      this.head = 0;
    }
    this.available -= n;
    this.offset += n;
    if (!this.crcFrozen) this.crc.update(part);
    if (this.capture) {
      this.captureBytes += n;
      if (this.captureBytes > this.captureLimit)
        throw new BackupFormatError(
          `a value of more than ${this.captureLimit} bytes at offset ${this.offset}: over the limit for one key`,
        );
      this.capture.push(part);
    }
    return part;
  }

  /** The first chunk's unread bytes, for a parser's fast path (see rdb-fast-path.ts); never consumes. */
  contiguous(): { buf: Buffer; start: number; end: number } | undefined {
    const first = this.chunks[0];
    return first ? { buf: first, start: this.head, end: first.length } : undefined;
  }

  /** Consumes n bytes known to lie in the first chunk (after a fast path measured them). */
  consumeContiguous(n: number): void {
    this.consumeSome(n);
  }

  *need(n: number, what: string): Generator<void, void, void> {
    while (this.available < n) {
      if (this.ended) throw new BackupFormatError(`the data ends in the middle of ${what} at offset ${this.offset}`);
      yield;
    }
  }

  *u8(what: string): Generator<void, number, void> {
    yield* this.need(1, what);
    return this.consumeSome(1)[0];
  }

  /** Exactly n bytes as one Buffer (copied only when they span chunks); for small reads. */
  *take(n: number, what: string): Generator<void, Buffer, void> {
    yield* this.need(n, what);
    const first = this.consumeSome(n);
    if (first.length === n) return first;
    const parts: Buffer[] = [first];
    let have = first.length;
    while (have < n) {
      const p = this.consumeSome(n - have);
      parts.push(p);
      have += p.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Consumes n bytes as they arrive, never holding more than the chunks in flight. */
  *skip(n: number, what: string): Generator<void, void, void> {
    let left = n;
    while (left > 0) {
      if (this.available === 0) {
        if (this.ended) throw new BackupFormatError(`the data ends in the middle of ${what} at offset ${this.offset}`);
        yield;
        continue;
      }
      left -= this.consumeSome(left).length;
    }
  }
}

/**
 * Drives a generator parser over a ByteFeed: feed() runs it until it waits for more bytes, end() until it
 * finishes (or throws because the data stopped early). The parser's result comes back from end().
 */
export class PushParser<T> {
  readonly feed = new ByteFeed();
  private readonly gen: Generator<void, T, void>;
  private result: { value: T } | undefined;

  constructor(parse: (feed: ByteFeed) => Generator<void, T, void>) {
    this.gen = parse(this.feed);
  }

  write(chunk: Buffer): void {
    if (this.result) {
      if (chunk.length > 0)
        throw new BackupFormatError(`${chunk.length} bytes follow the end of the data at offset ${this.feed.offset}`);
      return;
    }
    this.feed.push(chunk);
    this.run();
  }

  private run(): void {
    const step = this.gen.next();
    if (step.done) {
      this.result = { value: step.value };
      if (this.feed.available > 0)
        throw new BackupFormatError(
          `${this.feed.available} bytes follow the end of the data at offset ${this.feed.offset}`,
        );
    }
  }

  end(): T {
    if (!this.result) {
      this.feed.ended = true;
      this.run();
    }
    if (!this.result) throw new BackupFormatError('the data ended early');
    return this.result.value;
  }
}
