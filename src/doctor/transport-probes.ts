import { connect as netConnect } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type TlsOptions, tlsConnectOptions } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/target.ts';

/** The most read from a server before it is judged: the first line of a reply is all a probe needs. */
const MAX_PROBE_BYTES = 512;
const PING = '*1\r\n$4\r\nPING\r\n';

export type PlainAnswer = 'resp' | 'silent-close' | 'tls' | 'http' | 'other' | 'timeout' | 'error';

export interface PlainFacts {
  answer: PlainAnswer;
  /** The first line received (bounded; server text: neutralise before printing). */
  firstLine: string;
  code?: string;
}

/** Sends a plaintext PING and reads what comes back: a RESP reply, a TLS alert, HTTP, or nothing. */
export function probePlain(where: { host: string; port: number } | { path: string }, ms: number): Promise<PlainFacts> {
  return new Promise((resolve) => {
    const socket =
      'path' in where ? netConnect({ path: where.path }) : netConnect({ host: where.host, port: where.port });
    let got = Buffer.alloc(0);
    const done = (answer: PlainAnswer, code?: string) => {
      clearTimeout(timer);
      socket.destroy();
      const firstLine = got.subarray(0, MAX_PROBE_BYTES).toString('latin1').split('\r\n')[0];
      resolve(code ? { answer, firstLine, code } : { answer, firstLine });
    };
    const classify = () => {
      if (got.length === 0) return done('silent-close');
      const b = got[0];
      if (b === 0x15 || b === 0x16) return done('tls');
      if (/^(\+|-|:|\$|\*)/.test(String.fromCharCode(b))) return done('resp');
      if (got.subarray(0, 5).toString('latin1') === 'HTTP/') return done('http');
      return done('other');
    };
    const timer = setTimeout(() => (got.length > 0 ? classify() : done('timeout')), ms);
    socket.once('connect', () => socket.write(PING));
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]).subarray(0, MAX_PROBE_BYTES);
      if (got.includes('\r\n') || got.length >= MAX_PROBE_BYTES || got[0] === 0x15 || got[0] === 0x16) classify();
    });
    socket.once('end', classify);
    socket.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? classify() : done('error', err.code ?? 'error'),
    );
  });
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** subjectaltname as node gives it: `DNS:localhost, IP Address:127.0.0.1`. */
  altNames: string;
  validTo: string;
}

export interface TlsFacts {
  /** done: the handshake completed; failed: it did not; timeout: no answer in time. */
  handshake: 'done' | 'failed' | 'timeout';
  /** The handshake's error code (ERR_SSL_WRONG_VERSION_NUMBER …) when it failed. */
  errorCode?: string;
  errorMessage?: string;
  /** The chain's verification error against the CA given (or the system's), when any. */
  verifyError?: string;
  /** The name the certificate was checked against, and why it does not match (when it does not). */
  checkedName: string;
  nameError?: string;
  certificate?: CertificateFacts;
  /** After the handshake a PING: answered, or the server's alert / reset (a client certificate it wants or refuses). */
  afterHandshake?: { answered: boolean; code?: string };
  clientCertGiven: boolean;
  skipVerify: boolean;
  /** The TLS protocol version negotiated. */
  protocol?: string;
}

function describeCert(cert: PeerCertificate): CertificateFacts | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const name = (x: unknown) => {
    const r = x as Record<string, string | string[]> | undefined;
    const cn = r?.CN;
    return String(Array.isArray(cn) ? cn[0] : (cn ?? ''));
  };
  return {
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    altNames: String(cert.subjectaltname ?? ''),
    validTo: String(cert.valid_to ?? ''),
  };
}

/**
 * A TLS handshake that does not stop at the first problem: the chain is verified and the name checked after it,
 * so one run can say "unknown CA" and "name mismatch" and then whether the server wants a client certificate.
 */
export function probeTls(target: RedisTarget, tls: TlsOptions | undefined, ms: number): Promise<TlsFacts> {
  const base = tlsConnectOptions({ ...target, scheme: 'rediss' }, tls) ?? {};
  const checkedName = tls?.serverName || target.host;
  const facts: TlsFacts = {
    handshake: 'failed',
    checkedName,
    clientCertGiven: Boolean(tls?.certFile),
    skipVerify: Boolean(tls?.skipVerify),
  };
  return new Promise((resolve) => {
    const socket: TLSSocket = tlsConnect({
      host: target.host,
      port: target.port,
      ...base,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(facts);
    };
    const timer = setTimeout(() => {
      if (facts.handshake !== 'done') facts.handshake = 'timeout';
      else facts.afterHandshake = { answered: false, code: 'timeout' };
      done();
    }, ms);
    socket.once('secureConnect', () => {
      facts.handshake = 'done';
      facts.protocol = socket.getProtocol() ?? undefined;
      if (!socket.authorized) facts.verifyError = String(socket.authorizationError ?? 'unverified');
      const cert = socket.getPeerCertificate();
      facts.certificate = describeCert(cert);
      const nameProblem = cert && Object.keys(cert).length > 0 ? checkServerIdentity(checkedName, cert) : undefined;
      if (nameProblem) facts.nameError = nameProblem.message;
      socket.write(PING);
    });
    socket.on('data', () => {
      facts.afterHandshake = { answered: true };
      done();
    });
    socket.once('end', () => {
      if (facts.handshake === 'done') facts.afterHandshake = { answered: false, code: 'closed' };
      done();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'error';
      if (facts.handshake === 'done') facts.afterHandshake = { answered: false, code };
      else {
        facts.errorCode = code;
        facts.errorMessage = err.message.slice(0, 300);
      }
      done();
    });
  });
}
