import { redactSecrets } from '../redis/errors.ts';
import { neutralise } from '../text/terminal.ts';
import { type Check, type Finding, finding } from './finding.ts';
import { type HttpAnswer, unreachableText } from './http-probe.ts';

/** Most targets and rules named one by one; the rest are counted. */
const MAX_NAMED = 10;

interface ActiveTarget {
  labels?: Record<string, string>;
  scrapeUrl?: string;
  health?: string;
  lastError?: string;
}
interface RuleGroup {
  name?: string;
  rules?: Array<{ name?: string; type?: string; health?: string; lastError?: string }>;
}

function json(answer: HttpAnswer): { data?: unknown } | undefined {
  if (!answer.ok || answer.status !== 200) return undefined;
  try {
    return JSON.parse(answer.body) as { data?: unknown };
  } catch {
    return undefined;
  }
}

function unreachable(subject: string, what: Check, answer: HttpAnswer): Finding {
  if (!answer.ok)
    return finding(
      subject,
      what,
      'fail',
      `not reachable: ${unreachableText(answer)}`,
      'start it and check the address (Prometheus listens on 9090 by default)',
    );
  if (answer.status === 401 || answer.status === 403)
    return finding(
      subject,
      what,
      'fail',
      `HTTP ${answer.status}: it needs credentials`,
      'give them in the address: http://user:password@host:port (sent, never printed)',
    );
  return finding(
    subject,
    what,
    'fail',
    `answered HTTP ${answer.status}${answer.status === 200 ? ' with a body that is not its JSON API' : ''}`,
    "check that the address is Prometheus's (or redoubt up's) API",
  );
}

/** /api/v1/targets: every active target up, or which are down and why. Also answers for `redoubt up`. */
export function diagnoseTargets(subject: string, answer: HttpAnswer): Finding[] {
  const body = json(answer);
  const targets = (body?.data as { activeTargets?: ActiveTarget[] } | undefined)?.activeTargets;
  if (!Array.isArray(targets)) return [unreachable(subject, 'targets', answer)];
  if (targets.length === 0)
    return [
      finding(
        subject,
        'targets',
        'warn',
        'no scrape targets: nothing is being collected',
        'check scrape_configs in prometheus.yml (redoubt stack writes one job per Redis target in redoubt.yml)',
      ),
    ];
  const down = targets.filter((t) => t.health === 'down');
  const up = targets.filter((t) => t.health === 'up').length;
  // 'unknown': not scraped yet (a target Prometheus has just discovered).
  const waiting = targets.length - down.length - up;
  if (down.length === 0)
    return [
      finding(
        subject,
        'targets',
        waiting > 0 ? 'info' : 'ok',
        `${up} of ${targets.length} target${targets.length === 1 ? '' : 's'} up${waiting > 0 ? `, ${waiting} not scraped yet` : ''}`,
      ),
    ];
  return down.slice(0, MAX_NAMED).map((t) => {
    const name = `${neutralise(t.labels?.job ?? '?')}/${neutralise(redactSecrets(t.labels?.instance ?? t.scrapeUrl ?? '?'))}`;
    const err = redactSecrets(String(t.lastError ?? ''));
    const fix = /refused/.test(err)
      ? 'nothing listens at the scrape address: start the exporter, or fix the address in prometheus.yml'
      : /no such host|lookup/.test(err)
        ? "the scrape address's name does not resolve where Prometheus runs (inside compose, use the service name)"
        : /deadline|timeout/i.test(err)
          ? 'the exporter answered too slowly: raise scrape_timeout, or diagnose its Redis with redoubt doctor --redis …'
          : "see the error; the exporter's own redis_up says whether Redis is the problem";
    return finding(
      subject,
      'targets',
      'fail',
      `target ${name} is ${neutralise(t.health ?? 'unknown')}: ${neutralise(err.slice(0, 300)) || 'no error text'}${down.length > MAX_NAMED ? ` (and ${down.length - MAX_NAMED} more down)` : ''}`,
      fix,
    );
  });
}

/** /api/v1/rules: rules loaded (alerts can fire only if they are), none failing to evaluate. */
export function diagnoseRules(subject: string, answer: HttpAnswer): Finding[] {
  const body = json(answer);
  const groups = (body?.data as { groups?: RuleGroup[] } | undefined)?.groups;
  if (!Array.isArray(groups)) return [unreachable(subject, 'rules', answer)];
  const rules = groups.flatMap((g) => (Array.isArray(g.rules) ? g.rules : []));
  if (rules.length === 0)
    return [
      finding(
        subject,
        'rules',
        'warn',
        'no rules are loaded: no alert can fire',
        'check rule_files in prometheus.yml (the stack mounts monitoring/prometheus/rules), and run promtool check rules on them',
      ),
    ];
  const broken = rules.filter((r) => r.health === 'err');
  const alerting = rules.filter((r) => r.type === 'alerting').length;
  const out = [
    finding(
      subject,
      'rules',
      broken.length ? 'warn' : 'ok',
      `${groups.length} rule group${groups.length === 1 ? '' : 's'}, ${rules.length} rules (${alerting} alerting) loaded`,
    ),
  ];
  for (const r of broken.slice(0, MAX_NAMED))
    out.push(
      finding(
        subject,
        'rules',
        'fail',
        `rule ${neutralise(r.name ?? '?')} fails to evaluate: ${neutralise(String(r.lastError ?? '').slice(0, 300))}`,
        'fix the expression (promtool check rules), or the series it needs are missing',
      ),
    );
  if (broken.length) out[0].fix = 'see the failing rules below';
  return out;
}

/** /api/v1/alertmanagers: whether Prometheus has anywhere to send alerts. */
export function diagnoseAlertmanagers(subject: string, answer: HttpAnswer): Finding[] {
  const body = json(answer);
  const active = (body?.data as { activeAlertmanagers?: unknown[] } | undefined)?.activeAlertmanagers;
  if (!Array.isArray(active)) return [];
  if (active.length === 0)
    return [
      finding(
        subject,
        'alert-delivery',
        'warn',
        'Prometheus sends alerts to no Alertmanager',
        'set alerting.alertmanagers in prometheus.yml (the stack points it at alertmanager:9093)',
      ),
    ];
  return [
    finding(
      subject,
      'alert-delivery',
      'ok',
      `Prometheus sends alerts to ${active.length} Alertmanager${active.length === 1 ? '' : 's'}`,
    ),
  ];
}
