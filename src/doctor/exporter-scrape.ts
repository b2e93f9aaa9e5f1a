import { redactSecrets } from '../redis/errors.ts';
import { neutralise } from '../text/terminal.ts';
import { samplesOf } from './exposition-values.ts';
import { type Finding, finding } from './finding.ts';
import { type HttpAnswer, unreachableText } from './http-probe.ts';

const FAMILIES = new Set(['redis_up', 'redis_exporter_last_scrape_error']);

/** The fix for an exporter's scrape error, from the error's own words (redis_exporter's and redoubt's). */
export function fixForScrapeError(err: string): string {
  if (/WRONGPASS|invalid password|invalid username-password/i.test(err))
    return "the exporter's password is refused: check REDIS_PASSWORD / --redis.password-file (the stack reads REDIS_EXPORTER_PASSWORD from .env) against the server's ACL user";
  if (/NOAUTH|Authentication required/i.test(err))
    return 'the server needs a password and the exporter has none: set REDIS_USER and REDIS_PASSWORD (or --redis.password-file)';
  if (/NOPERM/i.test(err))
    return "the exporter's user lacks a command: the error names it; grant it with ACL SETUSER <user> +<command>";
  if (/DENIED|protected mode/i.test(err))
    return 'Redis is in protected mode: give it a password and the exporter that password';
  // redis_exporter retries a failed redis:// dial as Dial("redis", addr), whose error hides the first one.
  if (/unknown network redis/i.test(err))
    return 'redis_exporter could not connect to REDIS_ADDR (its "unknown network" error hides why: usually nothing listens there, or the host or port is wrong); run redoubt doctor --redis <REDIS_ADDR> from where the exporter runs to see which step fails';
  if (/refused/i.test(err))
    return 'nothing listens at REDIS_ADDR: inside a container, localhost is the container itself; use the service name or host.docker.internal';
  if (/no such host|not resolve|ENOTFOUND|EAI_AGAIN/i.test(err))
    return "REDIS_ADDR's host name does not resolve where the exporter runs";
  if (/timeout|timed out|deadline/i.test(err))
    return 'Redis did not answer in time: a firewall drops the packets, or Redis is blocked (SLOWLOG, a big DEL)';
  if (/certificate|tls|x509|handshake/i.test(err))
    return "a TLS problem: check the exporter's --tls-ca-cert-file and the server certificate's names";
  return 'see the error text; `redoubt doctor --redis <the same address>` diagnoses the connection step by step';
}

/**
 * redis_up and redis_exporter_last_scrape_error from what the exporter answered at `path` (/metrics, or
 * /scrape?target=… for a multi-target exporter): a refusal names the path that was asked.
 */
export function diagnoseExporterScrape(subject: string, answer: HttpAnswer, path = '/metrics'): Finding[] {
  if (!answer.ok)
    return [
      finding(
        subject,
        'exporter',
        'fail',
        `the exporter is not reachable: ${unreachableText(answer)}`,
        'start it (redoubt exporter, or the redis-exporter service of the stack) and check the address and port (9121 by default)',
      ),
    ];
  if (answer.status === 401 || answer.status === 403)
    return [
      finding(
        subject,
        'exporter',
        'fail',
        `the exporter answered HTTP ${answer.status}: it needs credentials`,
        'give them in the address: http://user:password@host:9121 (they are sent, never printed)',
      ),
    ];
  if (answer.status !== 200)
    return [
      finding(
        subject,
        'exporter',
        'fail',
        `GET ${neutralise(path.slice(0, 300))} answered HTTP ${answer.status}`,
        path.startsWith('/scrape') && answer.status === 404
          ? "this exporter does not serve /scrape (redoubt exporter and redis_exporter do, unless started with --disable-scrape-endpoint): check that the address is the exporter's (9121 by default)"
          : "check that the address is the exporter's (9121 by default)",
      ),
    ];
  const samples = samplesOf(answer.body, FAMILIES);
  const up = samples.find((s) => s.name === 'redis_up');
  const errors = samples.filter((s) => s.name === 'redis_exporter_last_scrape_error');
  const errText = redactSecrets(errors.map((s) => s.labels.err ?? '').find((e) => e !== '') ?? '');
  const failed = errors.some((s) => s.value > 0);
  if (!up)
    return [
      finding(
        subject,
        'exporter',
        'info',
        "the exporter has no redis_up on /metrics: it has no --redis.addr and scrapes only through /scrape?target=… (Prometheus's multi-target setup)",
      ),
    ];
  if (up.value !== 1)
    return [
      finding(
        subject,
        'exporter',
        'fail',
        `the exporter cannot scrape Redis: redis_up 0${errText ? `, last scrape error: ${neutralise(errText.slice(0, 300))}` : ''}`,
        fixForScrapeError(errText),
      ),
    ];
  if (failed)
    return [
      finding(
        subject,
        'exporter',
        'warn',
        `redis_up 1, but the last scrape had an error: ${neutralise(errText.slice(0, 300)) || '(no text)'}`,
        fixForScrapeError(errText),
      ),
    ];
  return [finding(subject, 'exporter', 'ok', 'the exporter scrapes Redis: redis_up 1, no scrape error')];
}

/**
 * What `doctor --exporter` says when the address is redoubt up's: it serves /metrics (its own metrics, no redis_up)
 * and /-/healthy, but no /scrape, so every exporter step would fail for the wrong reason.
 */
export function notAnExporter(subject: string): Finding {
  return finding(
    subject,
    'exporter',
    'fail',
    "this looks like redoubt up, not an exporter: it answers /-/healthy as redoubt up does; redoubt up's /metrics has its own metrics (no redis_up) and it serves no /scrape",
    'diagnose it with redoubt doctor --up <this address>; give --exporter the address of redoubt exporter or redis_exporter (9121 by default)',
  );
}
