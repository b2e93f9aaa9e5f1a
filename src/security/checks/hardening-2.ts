/**
 * Hardening checks RS033, RS034, RS047 and RS048 (RS019–RS021 and RS027 are in hardening.ts): protocol and
 * encoding limits left at their safe defaults, supervision by an init system, and not running as root.
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, unknown } from '../check.ts';
import {
  type ConfigValue,
  configUnknown,
  configValue,
  formatBytes,
  locationOf,
  parseSize,
  printable,
  show,
  whyUnobserved,
} from './shared.ts';

const PROTO_MAX_BULK_LEN = 512 * 1024 ** 2;
const CLIENT_QUERY_BUFFER_LIMIT = 1024 ** 3;

export const checkProtocolLimits: Check = {
  ...CATALOGUE.RS033,
  evaluate(facts) {
    const bulk = configValue(facts, 'proto-max-bulk-len');
    const query = configValue(facts, 'client-query-buffer-limit');
    if (!bulk || !query) return unknown(configUnknown(facts, 'proto-max-bulk-len, client-query-buffer-limit'));
    const bulkBytes = parseSize(bulk.value);
    const queryBytes = parseSize(query.value);
    if (bulkBytes === undefined || queryBytes === undefined)
      return unknown(
        `proto-max-bulk-len "${printable(bulk.value)}" / client-query-buffer-limit "${printable(query.value)}" are not sizes`,
      );
    const raised: ConfigValue[] = [];
    const text: string[] = [];
    if (bulkBytes > PROTO_MAX_BULK_LEN) {
      raised.push(bulk);
      text.push(`proto-max-bulk-len ${formatBytes(bulkBytes)} (default 512 MiB)`);
    }
    if (queryBytes > CLIENT_QUERY_BUFFER_LIMIT) {
      raised.push(query);
      text.push(`client-query-buffer-limit ${formatBytes(queryBytes)} (default 1 GiB)`);
    }
    if (raised.length > 0)
      return fail(
        `${text.join(' and ')}: raised limits are the precondition of the CVE-2021-32627/41099/21309 overflows and let one client allocate that much`,
        locationOf(...raised),
      );
    return pass(
      `proto-max-bulk-len ${formatBytes(bulkBytes)}, client-query-buffer-limit ${formatBytes(queryBytes)}`,
      locationOf(bulk, query),
    );
  },
};

/** Encoding thresholds and the value above which they are a CVE precondition (CVE-2021-32627/32628/32687). */
const ENCODING_LIMITS: ReadonlyArray<[name: string, max: number]> = [
  ['set-max-intset-entries', 1_000_000],
  ['set-max-listpack-entries', 100_000],
  ['set-max-listpack-value', 100_000],
  ['hash-max-listpack-entries', 100_000],
  ['hash-max-listpack-value', 100_000],
  ['zset-max-listpack-entries', 100_000],
  ['zset-max-listpack-value', 100_000],
];

export const checkEncodingThresholds: Check = {
  ...CATALOGUE.RS034,
  evaluate(facts) {
    const values = ENCODING_LIMITS.map(([name, max]) => ({ v: configValue(facts, name), max }));
    if (values.some(({ v }) => v === undefined))
      return unknown(configUnknown(facts, 'set-max-intset-entries, *-max-listpack-* / *-max-ziplist-*'));
    const raised = values.filter(({ v, max }) => Number(v?.value) > max).map(({ v }) => v as ConfigValue);
    if (raised.length > 0)
      return fail(
        `${raised.map((v) => show(v)).join(', ')}: far above the defaults, the precondition of the CVE-2021-32628/32687 integer overflows, and every operation on such keys is slow`,
        locationOf(...raised),
      );
    const changed = values.filter(({ v }) => v?.origin !== 'default').map(({ v }) => show(v as ConfigValue));
    return pass(
      changed.length > 0
        ? `encoding thresholds within bounds (${changed.join(', ')})`
        : 'encoding thresholds at their defaults',
    );
  },
};

export const checkSupervised: Check = {
  ...CATALOGUE.RS047,
  evaluate(facts) {
    const live = facts.info?.process_supervised ?? facts.server?.supervised;
    if (live !== undefined) {
      if (live === 'no')
        return fail(
          'process_supervised:no: no init system supervises the server, so no systemd sandbox (ProtectSystem, ProtectHome, NoNewPrivileges) limits what a compromise can reach (normal in a container, whose runtime supervises it)',
        );
      return pass(`process_supervised:${printable(live)}`);
    }
    const v = configValue(facts, 'supervised');
    if (!v) return unknown(configUnknown(facts, 'supervised'));
    if (v.origin === 'default')
      return unknown(
        `${show(v)} in the file, but a service unit may pass --supervised on its command line; ${whyUnobserved(facts, 'info', 'INFO process_supervised')}`,
      );
    if (v.value.toLowerCase() === 'no')
      return fail(`${show(v)}: no init-system supervision, so no systemd sandbox limits a compromise`, v.location);
    return pass(show(v), v.location);
  },
};

/** Paths that only root can normally write, whose use suggests the server runs as root. */
const underRootHome = (p: string | undefined): boolean => p !== undefined && /^\/root(\/|$)/.test(p);

export const checkRunsAsRoot: Check = {
  ...CATALOGUE.RS048,
  evaluate(facts) {
    const uid = facts.local?.uid;
    const pid = facts.server?.processId ?? facts.info?.process_id;
    const proc = pid !== undefined ? `redis-server (pid ${pid})` : 'redis-server';
    if (uid !== undefined) {
      if (uid === 0) return fail(`${proc} runs as uid 0 (root): a file-write or module RCE owns the host`);
      return pass(`${proc} runs as uid ${uid}`);
    }
    const hints: string[] = [];
    let location: ConfigValue['location'];
    for (const name of ['dir', 'logfile', 'pidfile']) {
      const v = configValue(facts, name);
      if (v && v.origin !== 'default' && underRootHome(v.value)) {
        hints.push(`${name} ${printable(v.value)}`);
        location ??= v.location;
      }
    }
    const configFile = facts.server?.configFile ?? facts.info?.config_file;
    if (underRootHome(configFile)) hints.push(`config_file ${printable(configFile as string)}`);
    if (hints.length > 0)
      return {
        status: 'fail',
        evidence: `${hints.join(', ')} under /root suggest the server runs as root (a heuristic: INFO has no uid; run the audit on the server's host to confirm)`,
        location,
        severity: 'medium',
      };
    return unknown(
      whyUnobserved(facts, 'local', "the server's uid (INFO has no uid field; audit on the server's host)"),
    );
  },
};

export const HARDENING_2_CHECKS: Check[] = [
  checkProtocolLimits,
  checkEncodingThresholds,
  checkSupervised,
  checkRunsAsRoot,
];
