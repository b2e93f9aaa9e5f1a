import { isIP } from 'node:net';
import { LineCounter, parseDocument, YAMLParseError } from 'yaml';
import { InputFileError, readInputText } from '../fs/read-input.ts';
import { coversEverything, MIN_PREFIX } from '../net/allowlist-breadth.ts';
import { isValidHostName } from '../net/host-name.ts';
import { ipv4BlocksOverlap } from '../net/ipv4.ts';
import { ConfigError } from '../redis/password-file.ts';
import { parseTarget, redactRaw } from '../redis/target.ts';
import { parseUpBackups, type UpBackup } from './up-backups.ts';

/**
 * What a user may choose about the generated monitoring stack (`redoubt stack --config redoubt.yml`). Everything
 * else is fixed by the generator; the defaults produce the files the repository commits.
 */
export interface StackConfig {
  redis: {
    /** Servers Prometheus scrapes through the exporter's /scrape: redis:// or rediss:// URLs, no passwords. */
    targets: string[];
    /**
     * For rediss:// targets: the CA that signed their certificates (required then) and a client certificate and key
     * (for servers that ask for one), paths on this machine relative to --out; mounted read-only into the exporter.
     */
    tlsCaFile: string;
    tlsClientCertFile: string;
    tlsClientKeyFile: string;
  };
  prometheus: {
    /** How long Prometheus keeps samples: a Prometheus duration (15d, 12h, 2w). */
    retention: string;
  };
  alertmanager: {
    /** Where Alertmanager posts alerts (its webhook receiver). */
    webhookUrl: string;
  };
  grafana: {
    adminUser: string;
  };
  proxy: {
    /** The address users open: the https:// origin nginx answers on (its port is the one published). */
    publicUrl: string;
    /** Client addresses or CIDRs nginx lets in; everything else gets 403. */
    allow: string[];
    /** The basic-auth user in front of every UI. */
    user: string;
  };
  exporter: {
    /** Build context of the exporter image, relative to the output directory: a checkout of redoubt. */
    buildContext: string;
  };
  /** `redoubt up`: the monitor in one process (the compose stack ignores this section). */
  up: UpSection;
}

/** Where `redoubt up` sends notifications besides alertmanager.webhookUrl. */
export interface UpNotifier {
  type: 'webhook' | 'alertmanager' | 'slack';
  url: string;
}

export interface UpSection {
  /** host:port of the API; loopback unless credentials are set. */
  listenAddress: string;
  /** Where history and alert state live; '' for the default ($XDG_DATA_HOME/redoubt). */
  dataDir: string;
  /** A Prometheus duration, 10s or less is usual. */
  scrapeInterval: string;
  /** How long raw samples are kept (rollups longer): a Prometheus duration. */
  retention: string;
  /** How often each target's security posture is audited. */
  securityInterval: string;
  notifiers: UpNotifier[];
  /** Backups `up` runs on a schedule (see up-backups.ts). */
  backups: UpBackup[];
}

export const DEFAULT_UP_SECTION: UpSection = {
  listenAddress: '127.0.0.1:9122',
  dataDir: '',
  scrapeInterval: '10s',
  retention: '48h',
  securityInterval: '60s',
  notifiers: [],
  backups: [],
};

/**
 * Docker's default bridge networks (docker0, 172.17.0.0/16, and the networks Compose creates, 172.18-31.x) come from
 * here. Connections Docker relays to nginx rather than NATs (to localhost on the Docker host; over IPv6, through its
 * userland proxy) arrive from such a network's gateway, whoever the client was: allowing this range lets them all in.
 */
export const DOCKER_BRIDGE_RANGE = '172.16.0.0/12';

/**
 * Loopback (inside the container, nginx's own healthcheck) and the private ranges where client machines usually are:
 * RFC 1918 without Docker's bridge range, and IPv6 unique-local.
 */
export const DEFAULT_ALLOW = ['127.0.0.1', '::1', '10.0.0.0/8', '192.168.0.0/16', 'fc00::/7'];

/** Docker's name for the host from inside a container (with `extra_hosts: host-gateway`). */
export const DOCKER_HOST = 'host.docker.internal';

export const DEFAULT_STACK_CONFIG: StackConfig = {
  redis: { targets: [`redis://${DOCKER_HOST}:6379`], tlsCaFile: '', tlsClientCertFile: '', tlsClientKeyFile: '' },
  prometheus: { retention: '15d' },
  // `.invalid` never resolves (RFC 2606): until it is set, Alertmanager logs every failed delivery.
  alertmanager: { webhookUrl: 'http://alert-receiver.invalid/alerts' },
  grafana: { adminUser: 'admin' },
  proxy: { publicUrl: 'https://localhost', allow: DEFAULT_ALLOW, user: 'monitor' },
  exporter: { buildContext: '.' },
  up: DEFAULT_UP_SECTION,
};

export class StackConfigError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'StackConfigError';
  }
}

const KEYS: Record<keyof StackConfig, string[]> = {
  redis: ['targets', 'tlsCaFile', 'tlsClientCertFile', 'tlsClientKeyFile'],
  prometheus: ['retention'],
  alertmanager: ['webhookUrl'],
  grafana: ['adminUser'],
  proxy: ['publicUrl', 'allow', 'user'],
  exporter: ['buildContext'],
  up: ['listenAddress', 'dataDir', 'scrapeInterval', 'retention', 'securityInterval', 'notifiers', 'backups'],
};

/** Control characters (a newline in a URL, an escape sequence): never part of a value, often of an attack. */
const CONTROL = { test: (v: string) => [...v].some((c) => c.charCodeAt(0) < 0x20 || (c >= '\u007f' && c <= '\u009f')) };
const CONTROL_WHY = 'holds a control character (a line break, a tab, an escape): remove it';

/** Prometheus' duration syntax: units from largest to smallest, each at most once (`1w2d`, `36h`, `90m`). */
const PROM_DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/** An IPv4/IPv6 address or CIDR as nginx's `allow` takes it. */
export function checkCidr(entry: string): string | undefined {
  const [addr, prefix, extra] = entry.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return 'is not an IP address or CIDR';
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `has a prefix length outside 0-${max}`;
  return undefined;
}

/** Whether two IPv4 addresses or CIDRs share an address (false for IPv6: Docker's bridges are IPv4 by default). */
export const cidrsOverlap = ipv4BlocksOverlap;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Parses and validates redoubt.yml. Every error names the file and the key (`proxy.allow[2]`) and says what would
 * be accepted; unknown keys are errors, so a typo never silently falls back to a default.
 */
export function parseStackConfig(text: string, source = 'redoubt.yml'): StackConfig {
  const lines = new LineCounter();
  const parsed = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  let doc: unknown;
  try {
    if (parsed.errors.length > 0) throw parsed.errors[0];
    doc = parsed.toJS();
  } catch (err) {
    const e = err as Error;
    const where = e instanceof YAMLParseError ? ` (line ${lines.linePos(e.pos[0]).line})` : '';
    throw new StackConfigError(
      `${source}: not valid YAML: ${e instanceof YAMLParseError ? e.message.split('\n')[0] : e.message}${where}`,
    );
  }
  if (doc === null || doc === undefined) return structuredClone(DEFAULT_STACK_CONFIG);
  if (!isRecord(doc))
    throw new StackConfigError(`${source}: expected a mapping of sections (${Object.keys(KEYS).join(', ')})`);
  const fail = (key: string, why: string): never => {
    const line = lineOfKey(parsed, lines, key);
    throw new StackConfigError(`${source}: ${key} ${why}${line ? ` (line ${line})` : ''}`);
  };
  const config = structuredClone(DEFAULT_STACK_CONFIG);
  for (const [section, body] of Object.entries(doc)) {
    if (!(section in KEYS))
      fail(`"${section}"`, `is not a known section; known sections: ${Object.keys(KEYS).join(', ')}`);
    const known = KEYS[section as keyof StackConfig];
    if (body === null) continue;
    if (!isRecord(body)) fail(section, `must be a mapping with keys ${known.join(', ')}`);
    for (const key of Object.keys(body as object))
      if (!known.includes(key))
        fail(`"${section}.${key}"`, `is not a known key; known keys under ${section}: ${known.join(', ')}`);
  }
  const get = (section: keyof StackConfig, key: string): unknown =>
    isRecord(doc) && isRecord(doc[section]) ? (doc[section] as Record<string, unknown>)[key] : undefined;
  const str = (section: keyof StackConfig, key: string): string | undefined => {
    const v = get(section, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') fail(`${section}.${key}`, 'must be a non-empty string');
    if (CONTROL.test(v as string)) fail(`${section}.${key}`, CONTROL_WHY);
    return (v as string).trim();
  };
  const list = (section: keyof StackConfig, key: string): string[] | undefined => {
    const v = get(section, key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.length === 0) fail(`${section}.${key}`, 'must be a non-empty list');
    return (v as unknown[]).map((item, i) => {
      if (typeof item !== 'string' || item.trim() === '') fail(`${section}.${key}[${i}]`, 'must be a non-empty string');
      if (CONTROL.test(item as string)) fail(`${section}.${key}[${i}]`, CONTROL_WHY);
      return (item as string).trim();
    });
  };

  const targets = list('redis', 'targets');
  if (targets) {
    const seen = new Set<string>();
    for (const [i, t] of targets.entries()) {
      const key = `redis.targets[${i}]`;
      let parsed: ReturnType<typeof parseTarget>;
      try {
        parsed = parseTarget(t);
      } catch (err) {
        throw new StackConfigError(`${source}: ${key} "${redactRaw(t)}" is not a Redis URL: ${(err as Error).message}`);
      }
      if (parsed.password !== undefined)
        fail(
          key,
          `holds a password; passwords stay out of committed files: the exporter authenticates as REDIS_USER=exporter with REDIS_EXPORTER_PASSWORD from .env`,
        );
      if (!/^rediss?:\/\//.test(t))
        fail(
          key,
          `"${t}" must be a redis:// or rediss:// URL (unix sockets and bare host:port do not work from a container)`,
        );
      if (!isValidHostName(parsed.host))
        fail(
          key,
          `"${redactRaw(t)}" has the host "${parsed.host}", which is not a DNS name or an IP address (one host per target: list several as several entries)`,
        );
      if (seen.has(parsed.display)) fail(key, `"${t}" is listed twice`);
      seen.add(parsed.display);
    }
    config.redis.targets = targets;
  }

  const paths = {
    tlsCaFile: 'CA certificate',
    tlsClientCertFile: 'client certificate',
    tlsClientKeyFile: 'client key',
  };
  for (const key of Object.keys(paths) as (keyof typeof paths)[]) {
    const v = get('redis', key);
    // '' (the default) means none, so the table of defaults round-trips.
    if (v !== '' && v !== undefined && v !== null) config.redis[key] = str('redis', key) as string;
  }
  if (Boolean(config.redis.tlsClientCertFile) !== Boolean(config.redis.tlsClientKeyFile))
    fail('redis.tlsClientCertFile', 'and redis.tlsClientKeyFile go together: give both, or neither');
  const tlsTargets = config.redis.targets.filter((t) => /^rediss:/i.test(t));
  if (tlsTargets.length > 0 && !config.redis.tlsCaFile)
    fail(
      'redis.tlsCaFile',
      `is needed for ${tlsTargets[0]}: the CA certificate that signed the server's certificate (e.g. tls/ca.crt from redoubt harden --tls), a path relative to --out; add redis.tlsClientCertFile and redis.tlsClientKeyFile if the server asks for a client certificate`,
    );

  const retention = str('prometheus', 'retention');
  if (retention !== undefined) {
    if (!PROM_DURATION.test(retention) || /^0+[a-z]*$/.test(retention))
      fail('prometheus.retention', `"${retention}" is not a Prometheus duration; use e.g. 15d, 12h, 2w or 1y`);
    config.prometheus.retention = retention;
  }

  const webhook = str('alertmanager', 'webhookUrl');
  if (webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webhook);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      fail('alertmanager.webhookUrl', 'must be an http:// or https:// URL');
    config.alertmanager.webhookUrl = webhook;
  }

  const adminUser = str('grafana', 'adminUser');
  if (adminUser !== undefined) {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(adminUser))
      fail('grafana.adminUser', `"${adminUser}" may only hold letters, digits and . _ @ - (at most 64)`);
    config.grafana.adminUser = adminUser;
  }

  const publicUrl = str('proxy', 'publicUrl');
  if (publicUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(publicUrl);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:')
      fail('proxy.publicUrl', `"${publicUrl}" must be an https:// URL such as https://monitoring.example.internal`);
    const u = url as URL;
    if (!isValidHostName(u.hostname.replace(/^\[|\]$/g, '')))
      fail('proxy.publicUrl', `"${publicUrl}" must name its host with letters, digits, hyphens and dots only`);
    if (u.pathname !== '/' || u.search || u.hash || u.username || u.password)
      fail('proxy.publicUrl', `"${publicUrl}" must be an origin only (scheme, host, optional port), without a path`);
    config.proxy.publicUrl = u.origin;
  }

  const allow = list('proxy', 'allow');
  if (allow) {
    allow.forEach((a, i) => {
      const why = checkCidr(a);
      if (why) fail(`proxy.allow[${i}]`, `"${a}" ${why} (use e.g. 10.0.0.0/8, 192.168.1.20 or fd00::/8)`);
      // Any /0 (10.0.0.0/0 too): nginx ignores the address bits a prefix leaves out.
      if (/\/0+$/.test(a)) fail(`proxy.allow[${i}]`, `"${a}" lets every address in; list your networks`);
      const [addr, prefix] = a.split('/');
      const min = MIN_PREFIX[isIP(addr) as 4 | 6];
      if (prefix !== undefined && Number(prefix) < min)
        fail(
          `proxy.allow[${i}]`,
          `"${a}" is broader than /${min}, a slice of the internet rather than a network of yours; list your networks`,
        );
    });
    if (coversEverything(allow))
      fail('proxy.allow', `[${allow.join(', ')}] together let every address in; list your networks`);
    config.proxy.allow = allow;
  }

  const user = str('proxy', 'user');
  if (user !== undefined) {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(user))
      fail('proxy.user', `"${user}" may only hold letters, digits and . _ @ - (at most 64)`);
    config.proxy.user = user;
  }

  const buildContext = str('exporter', 'buildContext');
  if (buildContext !== undefined) config.exporter.buildContext = buildContext;
  config.up = parseUpSection(get, str, fail);
  config.up.backups = parseUpBackups(get('up', 'backups'), config.redis.targets, fail);
  return config;
}

/**
 * The line of `key` as errors name it (`proxy.allow[2]`, `"up.scrapeIntervall"`): its value's node, or the
 * nearest enclosing one that exists.
 */
function lineOfKey(doc: ReturnType<typeof parseDocument>, lines: LineCounter, key: string): number | undefined {
  const path: Array<string | number> = [];
  for (const m of key.replace(/"/g, '').matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    path.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
    // An unknown key: the key itself (getIn finds values only).
    const parent = doc.getIn(path.slice(0, n - 1), true) as
      | { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> }
      | undefined;
    const pair = parent?.items?.find((p) => p.key?.value === path[n - 1]);
    if (pair?.key?.range) return lines.linePos(pair.key.range[0]).line;
  }
  return undefined;
}

const NOTIFIER_TYPES: readonly UpNotifier['type'][] = ['webhook', 'alertmanager', 'slack'];

/** The `up:` section: durations as Prometheus writes them, a listen address, notifiers with http(s) URLs. */
function parseUpSection(
  get: (section: keyof StackConfig, key: string) => unknown,
  str: (section: keyof StackConfig, key: string) => string | undefined,
  fail: (key: string, why: string) => never,
): UpSection {
  const up = structuredClone(DEFAULT_UP_SECTION);
  const listen = str('up', 'listenAddress');
  if (listen !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
    if (!m || Number(m[3]) > 65535)
      fail('up.listenAddress', `"${listen}" is not host:port; use e.g. 127.0.0.1:9122 or [::1]:9122`);
    up.listenAddress = listen;
  }
  // '' (the default) means the default directory, so the table of defaults round-trips.
  const dataDir = get('up', 'dataDir') === '' ? undefined : str('up', 'dataDir');
  if (dataDir !== undefined) up.dataDir = dataDir;
  for (const key of ['scrapeInterval', 'retention', 'securityInterval'] as const) {
    const v = str('up', key);
    if (v === undefined) continue;
    if (!PROM_DURATION.test(v) || /^0+[a-z]*$/.test(v))
      fail(`up.${key}`, `"${v}" is not a Prometheus duration; use e.g. 10s, 1m, 48h or 30d`);
    up[key] = v;
  }
  const notifiers = get('up', 'notifiers');
  if (notifiers !== undefined && notifiers !== null) {
    if (!Array.isArray(notifiers)) fail('up.notifiers', 'must be a list of { type, url }');
    up.notifiers = (notifiers as unknown[]).map((n, i) => {
      const key = `up.notifiers[${i}]`;
      if (!isRecord(n)) fail(key, 'must be a mapping { type, url }');
      const { type, url, ...rest } = n as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) fail(`${key}.${extra[0]}`, 'is not a known key; known keys: type, url');
      if (!NOTIFIER_TYPES.includes(type as UpNotifier['type']))
        fail(`${key}.type`, `must be one of ${NOTIFIER_TYPES.join(', ')}`);
      let parsed: URL | undefined;
      try {
        parsed = typeof url === 'string' && !CONTROL.test(url) ? new URL(url) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
        fail(`${key}.url`, 'must be an http:// or https:// URL');
      return { type: type as UpNotifier['type'], url: url as string };
    });
  }
  return up;
}

/** The publicUrl's parts nginx, Grafana, Prometheus and the certificate need. */
export function publicEndpoint(config: StackConfig): { origin: string; host: string; port: number } {
  const url = new URL(config.proxy.publicUrl);
  return { origin: url.origin, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 443 };
}

/**
 * scheme://host:port of each target, as the exporter's --scrape.allowed-targets takes them. The scheme stays: an
 * entry without one would also allow plaintext to a target the user named with rediss://.
 */
export function targetAddresses(config: StackConfig): string[] {
  return config.redis.targets.map((t) => {
    const p = parseTarget(t);
    return `${p.scheme}://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
  });
}

/** redoubt.yml is a few KB; anything past this is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads and parses the redoubt.yml at `path` (given as --config): bounded, every problem a StackConfigError. */
export function readStackConfigFile(path: string): StackConfig {
  let text: string;
  try {
    text = readInputText(path, MAX_CONFIG_BYTES);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new StackConfigError(`cannot read --config ${path}: ${err.reason}`);
  }
  return parseStackConfig(text, path);
}
