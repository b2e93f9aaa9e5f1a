import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { neutralise } from '../text/terminal.ts';
import { StepTimeout, withDeadline } from './deadline.ts';
import { type Finding, finding } from './finding.ts';

export interface DnsFacts {
  host: string;
  addresses: string[];
  /** The resolver's error code (ENOTFOUND, EAI_AGAIN …), or 'timeout'. */
  error?: string;
}

/** Resolves a host name as connections do (getaddrinfo: /etc/hosts, then DNS), within `ms`. */
export async function lookupHost(host: string, ms: number): Promise<DnsFacts> {
  if (isIP(host)) return { host, addresses: [host] };
  try {
    const found = await withDeadline(lookup(host, { all: true, verbatim: true }), ms);
    return { host, addresses: found.slice(0, 16).map((a) => a.address) };
  } catch (err) {
    const code = err instanceof StepTimeout ? 'timeout' : String((err as { code?: string }).code ?? 'error');
    return { host, addresses: [], error: code };
  }
}

/** Whether the name resolves, and to what; a name that does not is the end of the chain. */
export function diagnoseDns(subject: string, facts: DnsFacts): Finding {
  const host = neutralise(facts.host);
  if (isIP(facts.host)) return finding(subject, 'dns', 'ok', `${host} is an IP address (no name to resolve)`);
  if (facts.addresses.length > 0)
    return finding(subject, 'dns', 'ok', `${host} resolves to ${facts.addresses.map(neutralise).join(', ')}`);
  if (facts.error === 'timeout' || facts.error === 'EAI_AGAIN')
    return finding(
      subject,
      'dns',
      'fail',
      `${host} could not be resolved: the resolver did not answer (${facts.error})`,
      "check this machine's DNS servers (/etc/resolv.conf) and its network; or use the IP address",
    );
  const compose = /^(redis|redis-exporter|prometheus|alertmanager|grafana|host\.docker\.internal)$/.test(facts.host)
    ? ` "${host}" is a name inside the compose network: from this machine use the published address (e.g. 127.0.0.1 and the published port) or run the doctor inside the stack.`
    : '';
  return finding(
    subject,
    'dns',
    'fail',
    `${host} does not resolve (${neutralise(facts.error ?? 'no address')})`,
    `check the spelling of the host name, or add it to DNS or /etc/hosts.${compose}`,
  );
}
