/**
 * Hardening among RS001–RS027: RS019 (MODULE LOAD possible), RS020 (DEBUG enabled), RS021 (protected configs
 * dir/dbfilename modifiable), RS027 (rename-command used instead of ACLs). On 7.0+ the first three are the
 * immutable enable-* settings; before 7.0 they come down to who may run MODULE / DEBUG / CONFIG SET.
 */
import { type Check, type CheckResult, fail, pass, type Severity, skip, unknown } from '../check.ts';
import type { Facts, SourceLocation } from '../facts.ts';
import { describeGrants, grantLocation, scanNotes, scanPermissions } from './permissions.ts';
import { configUnknown, defineCheck, isBefore7, isSentinel, serverVersion, setting, showSetting } from './shared.ts';

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

export const HARDENING_CHECKS: Check[] = [
  moduleLoadPossible,
  debugCommandEnabled,
  protectedConfigsModifiable,
  renameCommandUsed,
];
