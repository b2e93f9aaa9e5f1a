/** Where the server listens: TCP/TLS ports, unix socket, bind addresses and how widely they reach. */

import type { Facts } from '../facts.ts';
import { type Setting, setting } from './settings.ts';

export type AddressScope = 'loopback' | 'private' | 'public' | 'all';

const parseIPv4 = (a: string): number[] | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  return o.every((x) => x <= 255) ? o : undefined;
};

/** Where a bind address listens: everything, loopback, a private (RFC 1918 / ULA / link-local) or public net. */
export function classifyAddress(address: string): AddressScope {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (a === '*' || a === '0.0.0.0' || a === '::' || a === '::*' || a === '::0' || a === '') return 'all';
  if (a === 'localhost' || a === '::1') return 'loopback';
  const v4 = parseIPv4(a.startsWith('::ffff:') ? a.slice(7) : a);
  if (v4) {
    const [x, y] = v4;
    if (x === 127) return 'loopback';
    if (x === 0) return 'all';
    if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168)) return 'private';
    if ((x === 169 && y === 254) || (x === 100 && y >= 64 && y <= 127)) return 'private';
    return 'public';
  }
  if (a.includes(':')) {
    if (/^f[cd][0-9a-f]{0,2}:/.test(a) || /^fe[89ab][0-9a-f]?:/.test(a)) return 'private';
    return 'public';
  }
  // A host name: Redis resolves it, so it could be anything; not loopback.
  return 'public';
}

const SCOPE_RANK: Record<AddressScope, number> = { loopback: 0, private: 1, public: 2, all: 3 };

export interface BindFacts {
  setting: Setting;
  /** Addresses as written, without the '-' (optional address) prefix. */
  addresses: string[];
  /** The widest scope among them. */
  scope: AddressScope;
}

export function bindFacts(facts: Facts): BindFacts | undefined {
  const s = setting(facts, 'bind');
  if (!s) return undefined;
  const addresses = s.value
    .split(/\s+/)
    .filter((a) => a !== '')
    .map((a) => a.replace(/^-/, ''));
  // An empty bind listens on every interface (pre-7.0 servers report it as "").
  const scope = addresses.length === 0 ? 'all' : addresses.map(classifyAddress).reduce(widest, 'loopback');
  return { setting: s, addresses, scope };
}

const widest = (a: AddressScope, b: AddressScope): AddressScope => (SCOPE_RANK[b] > SCOPE_RANK[a] ? b : a);

export const showBind = (b: BindFacts): string =>
  `bind ${b.addresses.length === 0 ? '""' : b.setting.value}${b.setting.source === 'default' ? ' (default: no bind directive)' : ''}`;

export interface Listeners {
  port: number;
  tlsPort: number;
  portSetting?: Setting;
  tlsPortSetting?: Setting;
  unixsocket?: string;
}

/** TCP ports from the config (INFO tcp_port stands in for `port` when CONFIG is unavailable and TLS is off). */
export function listeners(facts: Facts): Listeners | undefined {
  const port = setting(facts, 'port');
  const tlsPort = setting(facts, 'tls-port');
  const unix = setting(facts, 'unixsocket');
  if (port && tlsPort) {
    return {
      port: Number(port.value) || 0,
      tlsPort: Number(tlsPort.value) || 0,
      portSetting: port,
      tlsPortSetting: tlsPort,
      unixsocket: unix?.value || undefined,
    };
  }
  return undefined;
}

/** No TCP listener at all: only a unix socket (port 0, tls-port 0). */
export const unixSocketOnly = (l: Listeners | undefined): boolean => l !== undefined && l.port === 0 && l.tlsPort === 0;

/** Whether the audit's own connection came from the same host (its unauthenticated probe is then not an outsider's). */
export function targetIsLocal(facts: Facts): boolean {
  const t = facts.target;
  if (!t) return false;
  if (/^unix:|^\//.test(t)) return true;
  try {
    const host = new URL(t).hostname.replace(/^\[|\]$/g, '');
    return classifyAddress(host) === 'loopback';
  } catch {
    return /(^|[/@])(127\.|localhost|\[?::1\]?)/.test(t);
  }
}
