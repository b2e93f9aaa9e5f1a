import { neutralise } from '../text/terminal.ts';
import { type Finding, finding, only, type StepResult } from './finding.ts';
import type { PlainFacts, TlsFacts } from './transport-probes.ts';

const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);
const CLIENT_CERT_REQUIRED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);
const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
]);

/** A TLS server does not answer plaintext; the handshake on the same port says whether it speaks TLS. */
export function diagnosePlainPort(subject: string, plain: PlainFacts, tls: TlsFacts | undefined): StepResult {
  if (plain.answer === 'resp')
    return only(finding(subject, 'protocol', 'ok', "the server answers in Redis's protocol (plaintext)"), false);
  if (tls && (tls.handshake === 'done' || UNKNOWN_CA.has(tls.verifyError ?? '')))
    return only(
      finding(
        subject,
        'protocol',
        'fail',
        'the port serves TLS: a plaintext client gets its connection closed without an answer',
        `connect with rediss:// (and --tls-ca-cert-file with the CA of the server's certificate${tls.certificate ? `, issued by "${neutralise(tls.certificate.issuer)}"` : ''})`,
      ),
      true,
    );
  if (plain.answer === 'http')
    return only(
      finding(
        subject,
        'protocol',
        'fail',
        `an HTTP server answers on this port, not Redis (${neutralise(plain.firstLine.slice(0, 80))})`,
        'check the port: Redis usually listens on 6379; 9121 is the exporter, 9090 Prometheus',
      ),
      true,
    );
  if (plain.answer === 'timeout')
    return only(
      finding(
        subject,
        'protocol',
        'fail',
        'the connection was accepted but nothing answered PING (nor a TLS handshake): the server is hung or stopped, blocked by a long command, or a proxy in front of it has no backend',
        'look at the server: its log, its CPU (a long KEYS, DEBUG SLEEP or Lua script blocks every client), whether the process is stopped; and what holds the port (ss -ltnp)',
      ),
      true,
    );
  const what =
    plain.answer === 'silent-close'
      ? 'the connection was closed without an answer'
      : `an answer that is not Redis (${neutralise(plain.firstLine.slice(0, 80))})`;
  return only(
    finding(
      subject,
      'protocol',
      'fail',
      `${what}: this is not a Redis server speaking plaintext`,
      plain.answer === 'silent-close'
        ? 'the server may be at maxclients, or the port belongs to another service: check its log and ss -ltnp'
        : 'check the port, and whether a proxy or another service holds it (ss -ltnp)',
    ),
    true,
  );
}

/** Chain (CA), name, expiry, then what the server thought of our client certificate. */
export function diagnoseTls(subject: string, tls: TlsFacts, plain: PlainFacts | undefined): StepResult {
  const out: Finding[] = [];
  if (tls.handshake !== 'done') {
    if (plain?.answer === 'resp')
      return only(
        finding(
          subject,
          'tls',
          'fail',
          'the port serves plaintext Redis, not TLS: the TLS handshake got a plaintext answer',
          'connect with redis:// instead of rediss://, or enable TLS on the server (tls-port, tls-cert-file, tls-key-file in redis.conf)',
        ),
        true,
      );
    const why =
      tls.handshake === 'timeout'
        ? 'no answer to the TLS handshake'
        : `the TLS handshake failed (${neutralise(tls.errorCode ?? '')})`;
    if (CLIENT_CERT_REQUIRED.has(tls.errorCode ?? ''))
      return only(clientCertFinding(subject, tls, tls.errorCode ?? ''), true);
    return only(
      finding(
        subject,
        'tls',
        'fail',
        why,
        'check that the port serves TLS (tls-port in redis.conf) and that it accepts TLS 1.2 or 1.3 (tls-protocols)',
      ),
      true,
    );
  }
  const c = tls.certificate;
  const certText = c ? `certificate for "${neutralise(c.subject)}" issued by "${neutralise(c.issuer)}"` : 'certificate';
  let stop = false;
  if (tls.verifyError) {
    const status = tls.skipVerify ? 'warn' : 'fail';
    stop ||= !tls.skipVerify;
    const code = neutralise(tls.verifyError);
    if (UNKNOWN_CA.has(tls.verifyError))
      out.push(
        finding(
          subject,
          'tls-ca',
          status,
          `the server's ${certText} is not signed by a CA this client trusts (${code})`,
          `pass --tls-ca-cert-file with the CA that issued it ("${neutralise(c?.issuer ?? '')}": the file redis.conf's tls-ca-cert-file names)${tls.skipVerify ? '; --skip-tls-verification hides this: do not use it outside tests' : ''}`,
        ),
      );
    else if (tls.verifyError === 'CERT_HAS_EXPIRED')
      out.push(
        finding(
          subject,
          'tls-ca',
          status,
          `the server's ${certText} expired on ${neutralise(c?.validTo ?? '?')}`,
          'renew the server certificate (tls-cert-file) and reload it: CONFIG SET tls-cert-file … or a restart',
        ),
      );
    else
      out.push(
        finding(
          subject,
          'tls-ca',
          status,
          `the server's ${certText} does not verify (${code})`,
          'check the server certificate and --tls-ca-cert-file',
        ),
      );
  } else {
    out.push(
      finding(subject, 'tls-ca', 'ok', `TLS ${neutralise(tls.protocol ?? '')}: the server's ${certText} verifies`),
    );
  }
  if (tls.nameError) {
    // With --skip-tls-verification the connection goes on, but a client that verifies would stop here.
    stop ||= !tls.skipVerify;
    out.push(
      finding(
        subject,
        'tls-name',
        tls.skipVerify ? 'warn' : 'fail',
        `the certificate is not for "${neutralise(tls.checkedName)}": it names ${neutralise(c?.altNames || c?.subject || 'nothing')}`,
        `connect by one of the names the certificate holds, or pass --tls-server-name with one of them (or reissue the certificate with "${neutralise(tls.checkedName)}" in its subjectAltName)`,
      ),
    );
  } else
    out.push(finding(subject, 'tls-name', 'ok', `the certificate holds the name "${neutralise(tls.checkedName)}"`));
  const after = tls.afterHandshake;
  if (after && !after.answered) {
    out.push(clientCertFinding(subject, tls, after.code ?? ''));
    stop = true;
  }
  return { findings: out, stop };
}

function clientCertFinding(subject: string, tls: TlsFacts, code: string): Finding {
  if (tls.clientCertGiven && (CLIENT_CERT_REFUSED.has(code) || code === 'ECONNRESET' || code === 'closed'))
    return finding(
      subject,
      'tls-client-cert',
      'fail',
      `the server refused the client certificate (${neutralise(code)})`,
      "use a client certificate signed by the CA in the server's tls-ca-cert-file, valid now, with clientAuth in its extended key usage",
    );
  if (!tls.clientCertGiven && (CLIENT_CERT_REQUIRED.has(code) || code === 'ECONNRESET' || code === 'closed'))
    return finding(
      subject,
      'tls-client-cert',
      'fail',
      `the server requires a client certificate (tls-auth-clients yes) and closed the connection (${neutralise(code)})`,
      "pass --tls-client-cert-file and --tls-client-key-file with a certificate signed by the server's CA, or set tls-auth-clients optional on the server",
    );
  return finding(
    subject,
    'tls-client-cert',
    'fail',
    `the server did not answer after the handshake (${neutralise(code || 'no reply')})`,
    "check the server's log (a TLS error there names the reason)",
  );
}
