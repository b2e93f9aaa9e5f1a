/**
 * Data protection (RS042): whether a restart loses the data set (no RDB snapshots and no AOF), and whether the
 * persistence that is configured is actually succeeding.
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import type { Facts } from '../facts.ts';
import { isSentinel } from '../views/server-version.ts';
import { configUnknown, configValue, show } from '../views/settings.ts';

interface SaveRules {
  enabled: boolean;
  text: string;
  origin: 'set' | 'default';
  location?: SourceLocation;
}

/**
 * The RDB snapshot rules. In a file the first `save` line replaces the defaults, `save ""` clears the rules and
 * later lines add to them; live, CONFIG GET save gives them all ("" when disabled).
 */
function saveRules(facts: Facts): SaveRules | undefined {
  const c = facts.config;
  if (!c) return undefined;
  const lines = c.directives.filter((d) => d.name === 'save');
  if (lines.length > 0) {
    let rules: string[] = [];
    for (const d of lines) {
      if (d.args.length === 0 || (d.args.length === 1 && d.args[0] === '')) rules = [];
      else rules.push(d.args.join(' '));
    }
    const location = lines[lines.length - 1].location;
    return {
      enabled: rules.length > 0,
      text: rules.length > 0 ? `save ${rules.join(' ')}` : 'save ""',
      origin: 'set',
      location,
    };
  }
  const v = configValue(facts, 'save');
  if (!v) return undefined;
  const enabled = v.value.trim() !== '';
  const text = enabled ? show({ ...v, value: v.value.trim() }) : 'save ""';
  return { enabled, text, origin: v.origin === 'default' ? 'default' : 'set', location: v.location };
}

export const checkPersistence: Check = {
  ...CATALOGUE.RS042,
  evaluate(facts) {
    if (isSentinel(facts)) return skip('Sentinel holds no data set: persistence does not apply');
    const save = saveRules(facts);
    const aof = configValue(facts, 'appendonly');
    const info = facts.info ?? {};
    const failing: string[] = [];
    if (info.rdb_last_bgsave_status === 'err')
      failing.push('rdb_last_bgsave_status:err (the last RDB snapshot failed)');
    if (info.aof_last_write_status === 'err') failing.push('aof_last_write_status:err (AOF writes are failing)');
    if (info.aof_last_bgrewrite_status === 'err')
      failing.push('aof_last_bgrewrite_status:err (the last AOF rewrite failed)');
    if (failing.length > 0)
      return {
        status: 'fail',
        evidence: `${failing.join('; ')}: a restart would lose the writes since the last good save; check disk space and the log`,
        severity: 'medium',
      };
    if (!save && !aof) return unknown(configUnknown(facts, 'save, appendonly'));
    if (!aof) {
      if (save?.enabled) return pass(`RDB snapshots: ${save.text}`, save.location);
      return unknown(configUnknown(facts, 'appendonly'));
    }
    const aofOn = aof.value.toLowerCase() === 'yes';
    if (!save) {
      if (aofOn) return pass(`${show(aof)}: AOF persistence`, aof.location);
      return unknown(configUnknown(facts, 'save'));
    }
    if (!save.enabled && !aofOn)
      return fail(
        `${save.text} and ${show(aof)}: no persistence, a restart loses all data (right only for a pure cache)`,
        save.location ?? aof.location,
      );
    const kinds = [save.enabled ? `RDB snapshots: ${save.text}` : '', aofOn ? 'AOF: appendonly yes' : ''].filter(
      (k) => k !== '',
    );
    return pass(kinds.join(' and '), save.location ?? aof.location);
  },
};

export const DATA_PROTECTION_CHECKS: Check[] = [checkPersistence];
