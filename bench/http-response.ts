/**
 * An incremental HTTP/1.1 response reader for the bench's client: status, the few headers the bench needs, and the
 * body by Content-Length or chunked transfer coding. Fed the bytes of one keep-alive connection in whatever pieces
 * the socket delivers them; reports each complete response. Pure (no I/O), so it is unit-tested on odd splits.
 */

export interface HttpResponse {
  status: number;
  /** Lower-cased header names; a repeated header keeps its last value. */
  headers: Map<string, string>;
  /** Body bytes on the wire (after de-chunking, before any Content-Encoding is undone). */
  bytes: number;
  /** The body pieces, only when the reader was asked to keep them. */
  chunks: Buffer[];
  /** The server asked to close the connection after this response. */
  close: boolean;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

export class HttpResponseError extends Error {}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer';

export class HttpResponseReader {
  private state: State = 'head';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private current: HttpResponse | undefined;
  keepBody = false;

  constructor(private readonly onResponse: (r: HttpResponse) => void) {}

  /** Whether a response has started arriving and is not complete yet. */
  get busy(): boolean {
    return this.state !== 'head' || this.pending.length > 0;
  }

  push(data: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    this.pending = Buffer.alloc(0);
    let p = 0;
    while (p < buf.length) {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf(HEAD_END, p);
          if (end < 0) {
            if (buf.length - p > MAX_HEAD) throw new HttpResponseError('response head longer than 64 KiB');
            this.pending = buf.subarray(p);
            return;
          }
          this.begin(buf.toString('latin1', p, end));
          p = end + HEAD_END.length;
          break;
        }
        case 'length': {
          p = this.body(buf, p);
          if (this.remaining === 0) this.finish();
          break;
        }
        case 'chunk-size': {
          const eol = this.lineEnd(buf, p);
          if (eol < 0) return;
          const line = buf.toString('latin1', p, eol);
          const size = Number.parseInt(line.split(';')[0].trim(), 16);
          if (!Number.isFinite(size) || size < 0) throw new HttpResponseError(`bad chunk size line "${line}"`);
          p = eol + 2;
          this.remaining = size;
          this.state = size === 0 ? 'trailer' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          p = this.body(buf, p);
          if (this.remaining === 0) {
            this.state = 'chunk-crlf';
            this.remaining = 2;
          }
          break;
        }
        case 'chunk-crlf': {
          const n = Math.min(this.remaining, buf.length - p);
          p += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'chunk-size';
          break;
        }
        case 'trailer': {
          const eol = this.lineEnd(buf, p);
          if (eol < 0) return;
          const empty = eol === p;
          p = eol + 2;
          if (empty) this.finish();
          break;
        }
      }
    }
  }

  /** Where the line at p ends (its CRLF); -1, keeping the rest for the next push, when it is not all here yet. */
  private lineEnd(buf: Buffer, p: number): number {
    const eol = buf.indexOf(CRLF, p);
    if (eol < 0) this.pending = buf.subarray(p);
    return eol;
  }

  private begin(head: string): void {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) throw new HttpResponseError(`not an HTTP/1.x status line: "${lines[0].slice(0, 80)}"`);
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(':');
      if (c > 0) headers.set(lines[i].slice(0, c).trim().toLowerCase(), lines[i].slice(c + 1).trim());
    }
    const close = /\bclose\b/i.test(headers.get('connection') ?? '') || lines[0].startsWith('HTTP/1.0');
    this.current = { status: Number(m[1]), headers, bytes: 0, chunks: [], close };
    if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) this.state = 'chunk-size';
    else {
      const length = headers.get('content-length');
      if (length === undefined) throw new HttpResponseError('response has neither Content-Length nor chunked coding');
      this.remaining = Number(length);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0)
        throw new HttpResponseError(`bad Content-Length "${length}"`);
      this.state = 'length';
      if (this.remaining === 0) this.finish();
    }
  }

  /** Takes up to `remaining` body bytes from p; returns where it stopped. */
  private body(buf: Buffer, p: number): number {
    const n = Math.min(this.remaining, buf.length - p);
    const r = this.current as HttpResponse;
    r.bytes += n;
    // A copy: the socket's buffer is not ours to keep.
    if (this.keepBody && n > 0) r.chunks.push(Buffer.from(buf.subarray(p, p + n)));
    this.remaining -= n;
    return p + n;
  }

  private finish(): void {
    const r = this.current as HttpResponse;
    this.current = undefined;
    this.state = 'head';
    this.remaining = 0;
    this.onResponse(r);
  }
}
