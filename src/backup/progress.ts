import type { Writable } from 'node:stream';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One progress line: bytes, rate and, when the total is known, the ETA. Pure, for tests. */
export function progressLine(bytes: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0;
  const parts = [`${megabytes(bytes)}${total ? ` of ${megabytes(total)}` : ''}`, `${megabytes(rate)}/s`];
  if (total && rate > 0) parts.push(`ETA ${clock((total - bytes) / rate)}`);
  return parts.join('  ');
}

/**
 * Transfer progress: on a terminal one line redrawn in place (\r) at most ten times a second; otherwise a plain
 * line every `plainEveryMs`, fit for a log file.
 */
export class Progress {
  private readonly started = Date.now();
  private last = Date.now();
  private shown = false;
  total: number | undefined;

  constructor(
    private readonly out: Writable,
    private readonly tty: boolean,
    private readonly label: string,
    private readonly plainEveryMs = 10000,
  ) {}

  update(bytes: number): void {
    const now = Date.now();
    if (now - this.last < (this.tty ? 100 : this.plainEveryMs)) return;
    this.last = now;
    const line = `${this.label}: ${progressLine(bytes, this.total, now - this.started)}`;
    if (this.tty) {
      this.out.write(`\r\x1b[K${line}`);
      this.shown = true;
    } else this.out.write(`${line}\n`);
  }

  /** Clears the redrawn line (the caller prints the outcome). */
  finish(): void {
    if (this.tty && this.shown) this.out.write('\r\x1b[K');
  }
}
