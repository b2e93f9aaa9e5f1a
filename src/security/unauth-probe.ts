/**
 * The outsider's view (RS001, RS002, RS009, RS011, RS027): a fresh raw socket that sends `PING` and
 * `CONFIG GET dir` without any credential — no password, no client certificate — and classifies the answers.
 * Plaintext first (TLS first when the target is TLS); a plaintext attempt the server closes without a word is
 * retried over TLS, because that is what a TLS-only port does with plaintext.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { UnauthProbe } from './facts.ts';

export type ProbeTarget =
  | { host: string; port: number; tls?: boolean | { serverName?: string } }
  | { path: string; tls?: undefined };

/** `PING` then `CONFIG GET dir`, as RESP arrays, sent together. */
const PAYLOAD = Buffer.from('*1\r\n$4\r\nPING\r\n*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n');

/** At most this long for a TLS handshake (at most half the time left) before trying plaintext instead. */
const HANDSHAKE_MS = 2000;

type Exchange =
  /** The server sent bytes: the first two lines of its answer (the second may be missing). */
  | { kind: 'answered'; lines: string[] }
  /** Connected (and for TLS, handshake done), then closed or reset before any byte. */
  | { kind: 'closed'; code?: string; secured?: boolean }
  | { kind: 'refused'; code: string }
  | { kind: 'timeout'; secured?: boolean }
  /** The TLS handshake itself failed. */
  | { kind: 'tls-failed'; message: string; code?: string };

function errCode(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

function exchange(target: ProbeTarget, useTls: boolean, deadlineMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let secured = false;
    let settled = false;
    let socket: Socket;
    const finish = (x: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(handshakeTimer);
      socket.destroy();
      resolve(x);
    };
    const answer = (): Exchange | undefined => {
      if (data.length === 0) return undefined;
      const text = data.subarray(0, 4096).toString('latin1');
      const lines = text.split('\r\n');
      // Complete lines only; an unterminated tail still counts when the socket has ended.
      return { kind: 'answered', lines: lines.slice(0, 2).filter((l) => l !== '') };
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const crlfs = text.split('\r\n').length - 1;
      // PING's answer and the first line of CONFIG GET's: enough to classify. A DENIED greeting comes alone.
      if (crlfs >= 2 || text.startsWith('-DENIED')) finish(answer() as Exchange);
    };
    const onEnd = (code?: string) =>
      finish(answer() ?? { kind: 'closed', code, secured: useTls ? secured : undefined });
    const timer = setTimeout(
      () => finish(answer() ?? { kind: 'timeout', secured: useTls ? secured : undefined }),
      Math.max(1, deadlineMs - Date.now()),
    );
    // A plaintext server reads a ClientHello as the start of an inline command and waits for its end: give the
    // handshake part of the time, then try plaintext.
    const handshakeTimer = useTls
      ? setTimeout(
          () => {
            if (!secured && data.length === 0)
              finish({ kind: 'tls-failed', message: 'no answer to the TLS handshake' });
          },
          Math.max(1, Math.min(HANDSHAKE_MS, (deadlineMs - Date.now()) / 2)),
        )
      : undefined;
    if ('path' in target) {
      socket = netConnect({ path: target.path });
      socket.once('connect', () => socket.write(PAYLOAD));
    } else if (useTls) {
      const serverName = typeof target.tls === 'object' ? target.tls.serverName : undefined;
      const sni = serverName ?? (isIP(target.host) ? undefined : target.host);
      // No client certificate and no verification: an outsider probe trusts nothing and proves nothing about
      // the certificate; it only asks whether the server answers without credentials.
      socket = tlsConnect({ host: target.host, port: target.port, servername: sni, rejectUnauthorized: false });
      socket.once('secureConnect', () => {
        secured = true;
        socket.write(PAYLOAD);
      });
    } else {
      socket = netConnect({ host: target.host, port: target.port });
      socket.once('connect', () => socket.write(PAYLOAD));
    }
    socket.on('data', onData);
    socket.once('end', () => onEnd());
    socket.once('close', () => onEnd());
    socket.once('error', (err) => {
      const code = errCode(err);
      if (data.length > 0) return finish(answer() as Exchange);
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ENOTFOUND')
        return finish({ kind: 'refused', code });
      if (useTls && !secured && code !== 'ECONNRESET' && code !== 'EPIPE')
        return finish({ kind: 'tls-failed', message: err.message, code });
      onEnd(code);
    });
  });
}

/** A short, secret-free description of a server's error line: its first word and at most 120 characters. */
function describe(line: string): string {
  const text = line.slice(1).replace(/[^\x20-\x7e]/g, '?');
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Classifies the first two answer lines (PING's, then CONFIG GET's). */
export function classifyAnswer(lines: readonly string[]): UnauthProbe {
  const [ping = '', config] = lines;
  const renamed = config === undefined ? undefined : /^-ERR unknown command/i.test(config);
  if (ping.startsWith('-DENIED')) return { result: 'denied', detail: describe(ping) };
  if (ping === '+PONG') return { result: 'open', configRenamed: renamed, detail: 'PING answered +PONG without AUTH' };
  if (ping.startsWith('-NOAUTH'))
    return {
      result: 'noauth',
      configRenamed: renamed,
      detail: renamed ? 'NOAUTH for PING, but CONFIG is an unknown command (renamed or disabled)' : 'NOAUTH',
    };
  if (ping.startsWith('-')) return { result: 'error', detail: describe(ping) };
  return { result: 'error', detail: 'the answer is not a Redis reply' };
}

const where = (t: ProbeTarget) => ('path' in t ? t.path : `${t.host}:${t.port}`);

/**
 * Probes `target` without credentials, within `deadlineMs` (absolute, `Date.now()` ms). Never throws: a failure is
 * a result (`closed`, `tls-required`, `error`) with a detail.
 */
export async function probeUnauthenticated(target: ProbeTarget, deadlineMs: number): Promise<UnauthProbe> {
  const tlsFirst = !('path' in target) && !!target.tls;
  const first = await exchange(target, tlsFirst, deadlineMs);
  if (first.kind === 'answered') return { ...classifyAnswer(first.lines), ...(tlsFirst ? { tls: true } : {}) };
  if (first.kind === 'refused')
    return { result: 'closed', detail: `connection refused at ${where(target)} (${first.code})` };
  if (first.kind === 'timeout')
    return { result: 'error', detail: `no answer from ${where(target)} before the deadline` };
  if ('path' in target) return { result: 'closed', detail: 'the server closed the connection without answering' };

  // The other transport: plaintext that was closed unanswered → TLS; TLS that failed → plaintext.
  const second = await exchange(target, !tlsFirst, deadlineMs);
  const tlsExchange = tlsFirst ? first : second;
  if (second.kind === 'answered') return { ...classifyAnswer(second.lines), ...(tlsFirst ? {} : { tls: true }) };
  if (tlsExchange.kind === 'closed' && tlsExchange.secured)
    return {
      result: 'tls-required',
      tls: true,
      clientCertRequired: true,
      detail: 'the TLS handshake completed but the server closed the connection without a client certificate',
    };
  if (tlsExchange.kind === 'tls-failed') {
    const certRequired = /certificate required|handshake failure|alert 116|peer did not return a certificate/i.test(
      tlsExchange.message,
    );
    return {
      result: 'tls-required',
      tls: true,
      clientCertRequired: certRequired || undefined,
      detail: certRequired
        ? 'the server requires a client certificate (TLS handshake refused without one)'
        : `plaintext was closed and the TLS handshake failed (${tlsExchange.code ?? 'error'})`,
    };
  }
  if (second.kind === 'timeout')
    return { result: 'error', detail: `no answer from ${where(target)} before the deadline` };
  return { result: 'closed', detail: 'the server closed the connection without answering (plaintext and TLS)' };
}
