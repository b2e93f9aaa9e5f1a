/**
 * Hardening: RS019 (MODULE LOAD possible), RS020 (DEBUG enabled), RS021 (protected configs dir/dbfilename
 * modifiable), RS027 (rename-command used instead of ACLs), RS033/RS034 (protocol and encoding limits left at their
 * safe defaults), RS047 (supervision by an init system) and RS048 (not running as root). On 7.0+ RS019–RS021 are
 * the immutable enable-* settings; before 7.0 they come down to who may run MODULE / DEBUG / CONFIG SET.
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import { parseMemorySize } from '../../redis/memory-size.ts';
import { formatBytes } from '../../text/bytes.ts';
import { CATALOGUE } from '../catalogue.ts';
import { type Check, type CheckResult, fail, pass, type Severity, skip, unknown } from '../check.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { printable } from '../finding-text.ts';
import { describeGrants, grantLocation, scanNotes, scanPermissions } from '../views/permissions.ts';
import { isBefore7, isSentinel, serverVersion } from '../views/server-version.ts';
import {
  type ConfigValue,
  configUnknown,
  configValue,
  locationOf,
  setting,
  show,
  showSetting,
  whyUnobserved,
} from '../views/settings.ts';

interface GateSpec {
  setting: string;
  command: string;
  /** What an enabled gate gives an attacker. */
  risk: string;
  /** Severity when the gate is 'local' (one step below the catalogue's). */
  localSeverity: Severity;
  /** Before 7.0 there is no gate: who may run this command decides. */
  legacyCommand: string;
  extra?: (facts: Facts) => string;
}

function evaluateGate(facts: Facts, spec: GateSpec): CheckResult {
  if (isBefore7(facts)) {
    const version = serverVersion(facts)?.text;
    const scan = scanPermissions(facts, [spec.legacyCommand]);
    if ('unknown' in scan) return unknown(scan.unknown);
    if (scan.grants.length > 0) {
      return fail(
        `Redis ${version} has no ${spec.setting}: ${describeGrants(scan.grants)}${scanNotes(facts, scan)}`,
        grantLocation(scan.grants),
      );
    }
    return pass(
      `Redis ${version} has no ${spec.setting}, but no non-admin user may run ${spec.legacyCommand}${scanNotes(facts, scan)}`,
    );
  }
  const s = setting(facts, spec.setting);
  if (!s) return unknown(configUnknown(facts, spec.setting));
  const extra = spec.extra?.(facts) ?? '';
  const v = s.value.toLowerCase();
  if (v === 'yes') {
    return fail(`${showSetting(spec.setting, s)}: any client that may run it can ${spec.risk}${extra}`, s.location);
  }
  if (v === 'local') {
    return {
      ...fail(
        `${showSetting(spec.setting, s)}: local connections (any local process, or an SSRF through loopback) can ${spec.risk}${extra}`,
        s.location,
      ),
      severity: spec.localSeverity,
    };
  }
  return pass(`${showSetting(spec.setting, s)}: ${spec.command} is refused even for +@all users${extra}`, s.location);
}

// RS019 -----------------------------------------------------------------------------------------------------------

function moduleNotes(facts: Facts): string {
  const notes: string[] = [];
  const loads = facts.config?.directives.filter((d) => d.name === 'loadmodule') ?? [];
  if (loads.length > 0) notes.push(`loadmodule at boot: ${loads.map((d) => d.args[0]).join(', ')}`);
  if (facts.modules && facts.modules.length > 0) {
    notes.push(`modules loaded: ${facts.modules.map((m) => m.name).join(', ')}`);
  }
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

export const moduleLoadPossible: Check = defineCheck('RS019', (facts) =>
  evaluateGate(facts, {
    setting: 'enable-module-command',
    command: 'MODULE LOAD',
    risk: 'load a native .so with MODULE LOAD (code execution)',
    localSeverity: 'high',
    legacyCommand: 'module|load',
    extra: moduleNotes,
  }),
);

// RS020 -----------------------------------------------------------------------------------------------------------

export const debugCommandEnabled: Check = defineCheck('RS020', (facts) =>
  evaluateGate(facts, {
    setting: 'enable-debug-command',
    command: 'DEBUG',
    risk: 'crash the server or read memory with DEBUG',
    localSeverity: 'low',
    legacyCommand: 'debug',
  }),
);

// RS021 -----------------------------------------------------------------------------------------------------------

export const protectedConfigsModifiable: Check = defineCheck('RS021', (facts) =>
  isSentinel(facts)
    ? skip('a Sentinel keeps no dataset: it has no dir/dbfilename to protect (see RS050 and RS051)')
    : evaluateGate(facts, {
        setting: 'enable-protected-configs',
        command: 'CONFIG SET dir/dbfilename',
        risk: 'point dir/dbfilename anywhere with CONFIG SET (SSH key, cron and webshell writes)',
        localSeverity: 'medium',
        legacyCommand: 'config|set',
      }),
);

// RS027 -----------------------------------------------------------------------------------------------------------

function evaluateRenameCommand(facts: Facts): CheckResult {
  const findings: string[] = [];
  const observed: string[] = [];
  let location: SourceLocation | undefined;
  const config = facts.config;
  const fromFile = config !== undefined && (config.directives.length > 0 || !facts.live);
  if (config && fromFile) {
    observed.push('the configuration file');
    const renamed = Object.entries(config.renamedCommands);
    if (renamed.length > 0) {
      const shown = renamed.map(([orig, to]) => `${orig.toUpperCase()} (${to === '' ? 'disabled' : 'renamed'})`);
      findings.push(`rename-command for ${shown.join(', ')}`);
      location = config.directives.find((d) => d.name === 'rename-command')?.location;
    }
  }
  if (facts.commandsPresent) {
    observed.push('COMMAND INFO');
    const missing = Object.entries(facts.commandsPresent)
      .filter(([, present]) => !present)
      .map(([name]) => name);
    if (missing.length > 0)
      findings.push(`COMMAND INFO returns nothing for ${missing.join(', ')} (renamed or removed)`);
  }
  if (facts.unauth?.configRenamed !== undefined) {
    observed.push('the unauthenticated probe');
    if (facts.unauth.configRenamed) {
      findings.push("an unauthenticated 'CONFIG GET dir' got 'unknown command': the rename shows before login");
    }
  }
  if (findings.length > 0) {
    return fail(`${findings.join('; ')}: rename-command is deprecated; remove commands with ACLs instead`, location);
  }
  if (observed.length === 0) {
    const why = facts.unobserved.commands ?? facts.unobserved.config ?? 'no configuration file, COMMAND INFO or probe';
    return unknown(`renamed commands could not be observed: ${why}`);
  }
  return pass(`no renamed or disabled commands (checked: ${observed.join(', ')})`);
}

export const renameCommandUsed: Check = defineCheck('RS027', evaluateRenameCommand);

// RS033, RS034, RS047, RS048 --------------------------------------------------------------------------------------

const PROTO_MAX_BULK_LEN = 512 * 1024 ** 2;
const CLIENT_QUERY_BUFFER_LIMIT = 1024 ** 3;

export const checkProtocolLimits: Check = {
  ...CATALOGUE.RS033,
  evaluate(facts) {
    const bulk = configValue(facts, 'proto-max-bulk-len');
    const query = configValue(facts, 'client-query-buffer-limit');
    if (!bulk || !query) return unknown(configUnknown(facts, 'proto-max-bulk-len, client-query-buffer-limit'));
    const bulkBytes = parseMemorySize(bulk.value, { lax: true });
    const queryBytes = parseMemorySize(query.value, { lax: true });
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

export const HARDENING_CHECKS: Check[] = [
  moduleLoadPossible,
  debugCommandEnabled,
  protectedConfigsModifiable,
  renameCommandUsed,
  checkProtocolLimits,
  checkEncodingThresholds,
  checkSupervised,
  checkRunsAsRoot,
];
