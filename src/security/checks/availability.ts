/**
 * Availability checks (RS025, RS028–RS032, RS044): the limits that keep one client, one script or the data set from
 * taking the server down — KEYS for applications, memory, eviction, connections, idle clients, output buffers and
 * script time.
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import { parseMemorySize } from '../../redis/memory-size.ts';
import { formatBytes } from '../../text/bytes.ts';
import { CATALOGUE } from '../catalogue.ts';
import type { Check, CheckResult } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import { matchCves } from '../cves.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { printable } from '../finding-text.ts';
import { permissionResult } from '../views/permissions.ts';
import { isSentinel, isValkey } from '../views/server-version.ts';
import { configUnknown, configValue, show, whyUnobserved } from '../views/settings.ts';

const SENTINEL_HOLDS_NO_DATA = 'Sentinel holds no data set';

// RS025 -----------------------------------------------------------------------------------------------------------

export const keysCommand: Check = defineCheck(
  'RS025',
  (facts) => permissionResult(facts, ['keys'], 'KEYS', ': it blocks the server on a large keyspace (use SCAN)').result,
);

export const checkMaxmemory: Check = {
  ...CATALOGUE.RS028,
  evaluate(facts) {
    if (isSentinel(facts)) return skip(`${SENTINEL_HOLDS_NO_DATA}: maxmemory does not apply`);
    const v = configValue(facts, 'maxmemory');
    if (!v) return unknown(configUnknown(facts, 'maxmemory'));
    const bytes = parseMemorySize(v.value, { lax: true });
    if (bytes === undefined) return unknown(`maxmemory "${printable(v.value)}" is not a size`);
    if (bytes === 0)
      return fail(`${show(v)}: no memory limit, Redis grows until the kernel's OOM killer stops it`, v.location);
    const total = Number(facts.info?.total_system_memory);
    if (total > 0 && bytes > total)
      return fail(
        `maxmemory ${formatBytes(bytes)} is above the host's memory (total_system_memory ${formatBytes(total)}): the limit is never reached`,
        v.location,
      );
    return pass(`maxmemory ${formatBytes(bytes)}`, v.location);
  },
};

/** Keys and keys with a TTL over every db in INFO keyspace (`db0:keys=1,expires=0,avg_ttl=0`). */
function keyspace(info: Record<string, string> | undefined): { keys: number; expires: number } | undefined {
  if (!info) return undefined;
  let keys = 0;
  let expires = 0;
  let seen = false;
  for (const [field, value] of Object.entries(info)) {
    if (!/^db\d+$/.test(field)) continue;
    seen = true;
    keys += Number(/(?:^|,)keys=(\d+)/.exec(value)?.[1] ?? 0);
    expires += Number(/(?:^|,)expires=(\d+)/.exec(value)?.[1] ?? 0);
  }
  // INFO lists no db line when the data set is empty.
  return seen || 'redis_version' in info ? { keys, expires } : undefined;
}

export const checkMaxmemoryPolicy: Check = {
  ...CATALOGUE.RS029,
  evaluate(facts) {
    if (isSentinel(facts)) return skip(`${SENTINEL_HOLDS_NO_DATA}: maxmemory-policy does not apply`);
    const policy = configValue(facts, 'maxmemory-policy');
    if (!policy) return unknown(configUnknown(facts, 'maxmemory-policy'));
    const max = configValue(facts, 'maxmemory');
    if (max && parseMemorySize(max.value, { lax: true }) === 0)
      return skip(`${show(max)}: nothing is ever evicted, so the eviction policy does not apply (see RS028)`);
    const p = policy.value.toLowerCase();
    const ks = keyspace(facts.info);
    if (p.startsWith('volatile-') && ks && ks.keys > 0 && ks.expires === 0)
      return fail(
        `${show(policy)} evicts only keys with a TTL, and none of the ${ks.keys} keys has one: once full, writes fail with OOM as under noeviction`,
        policy.location,
      );
    if (p === 'noeviction')
      return pass(
        `${show(policy)}: writes fail with OOM errors when memory is full (right for a primary store; a cache wants allkeys-lru or allkeys-lfu)`,
        policy.location,
      );
    return pass(show(policy), policy.location);
  },
};

export const checkMaxclients: Check = {
  ...CATALOGUE.RS030,
  evaluate(facts) {
    const max = configValue(facts, 'maxclients');
    const rejectedField = facts.info?.rejected_connections;
    if (rejectedField !== undefined) {
      const rejected = Number(rejectedField);
      const limit = max ? show(max) : `maxclients ${facts.info?.maxclients ?? '?'}`;
      const connected = facts.info?.connected_clients ?? '?';
      if (rejected > 0)
        return fail(
          `${rejected} connections were rejected since the server started (${limit}, connected_clients ${connected}): the client limit (or the file-descriptor limit it was lowered to) is being reached`,
          max?.location,
        );
      return pass(`no rejected connections (${limit}, connected_clients ${connected})`, max?.location);
    }
    if (!max) return unknown(configUnknown(facts, 'maxclients'));
    if (max.origin === 'default')
      return unknown(
        `${show(max)}: ${whyUnobserved(facts, 'info', 'whether the file-descriptor limit allows it and whether connections are rejected (INFO stats)')}`,
      );
    return pass(`${show(max)}, set explicitly`, max.location);
  },
};

export const checkIdleTimeout: Check = {
  ...CATALOGUE.RS031,
  evaluate(facts) {
    const timeout = configValue(facts, 'timeout');
    if (!timeout) return unknown(configUnknown(facts, 'timeout'));
    const seconds = Number(timeout.value);
    if (!Number.isFinite(seconds)) return unknown(`timeout "${printable(timeout.value)}" is not a number`);
    if (seconds === 0) {
      const keepalive = configValue(facts, 'tcp-keepalive');
      const noKeepalive = keepalive && Number(keepalive.value) === 0;
      return fail(
        `${show(timeout)}: idle connections are kept forever and count against maxclients${noKeepalive ? `; ${show(keepalive)} too, so dead peers are never detected` : ''}`,
        timeout.location,
      );
    }
    return pass(show(timeout, 's'), timeout.location);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// RS032 client-output-buffer-limit

type BufferClass = 'normal' | 'replica' | 'pubsub';

interface BufferLimit {
  hard: number;
  soft: number;
  seconds: number;
  /** From the default, or where a file set it. */
  origin: 'set' | 'default';
  location?: SourceLocation;
}

const CLASS_NAMES: Readonly<Record<string, BufferClass>> = {
  normal: 'normal',
  slave: 'replica',
  replica: 'replica',
  pubsub: 'pubsub',
};

/** Apply `<class> <hard> <soft> <seconds>` groups to the limits; false when the text is malformed. */
function applyLimits(
  limits: Record<BufferClass, BufferLimit>,
  tokens: readonly string[],
  origin: 'set' | 'default',
  location?: SourceLocation,
): boolean {
  if (tokens.length === 0 || tokens.length % 4 !== 0) return false;
  for (let i = 0; i < tokens.length; i += 4) {
    const cls = CLASS_NAMES[tokens[i].toLowerCase()];
    const hard = parseMemorySize(tokens[i + 1], { lax: true });
    const soft = parseMemorySize(tokens[i + 2], { lax: true });
    const seconds = Number(tokens[i + 3]);
    if (!cls || hard === undefined || soft === undefined || !Number.isFinite(seconds)) return false;
    limits[cls] = location ? { hard, soft, seconds, origin, location } : { hard, soft, seconds, origin };
  }
  return true;
}

/** The effective limits per class: defaults, then every file directive in order (each sets one class). */
function outputBufferLimits(facts: Facts): Record<BufferClass, BufferLimit> | undefined {
  const c = facts.config;
  if (!c) return undefined;
  const limits = {} as Record<BufferClass, BufferLimit>;
  applyLimits(limits, 'normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60'.split(' '), 'default');
  const directives = c.directives.filter((d) => d.name === 'client-output-buffer-limit');
  if (directives.length > 0) {
    for (const d of directives) if (!applyLimits(limits, d.args, 'set', d.location)) return undefined;
    return limits;
  }
  const value = configValue(facts, 'client-output-buffer-limit');
  if (!value) return undefined;
  if (value.origin !== 'default') {
    const ok = applyLimits(
      limits,
      value.value.split(/\s+/).filter((t) => t !== ''),
      'set',
      value.location,
    );
    if (!ok) return undefined;
  }
  return limits;
}

const unbounded = (l: BufferLimit) => l.hard === 0 && l.soft === 0;

function describeLimit(cls: BufferClass, l: BufferLimit): string {
  const text = unbounded(l)
    ? `${cls} unbounded (0 0 0)`
    : `${cls} hard ${l.hard === 0 ? 'none' : formatBytes(l.hard)}, soft ${l.soft === 0 ? 'none' : `${formatBytes(l.soft)} for ${l.seconds}s`}`;
  return l.origin === 'default' ? `${text} (default)` : text;
}

export const checkOutputBufferLimits: Check = {
  ...CATALOGUE.RS032,
  evaluate(facts): CheckResult {
    const limits = outputBufferLimits(facts);
    if (!limits) return unknown(configUnknown(facts, 'client-output-buffer-limit'));
    const problems: Array<{ text: string; location?: SourceLocation }> = [];
    if (unbounded(limits.pubsub))
      problems.push({
        text: `${describeLimit('pubsub', limits.pubsub)}: a slow or stalled subscriber grows its buffer without limit`,
        location: limits.pubsub.location,
      });
    if (unbounded(limits.replica))
      problems.push({
        text: `${describeLimit('replica', limits.replica)}: a lagging replica grows its buffer without limit`,
        location: limits.replica.location,
      });
    if (problems.length > 0)
      return fail(
        `client-output-buffer-limit ${problems.map((p) => p.text).join('; ')}`,
        problems.find((p) => p.location)?.location,
      );
    const summary = (['pubsub', 'replica', 'normal'] as const).map((c) => describeLimit(c, limits[c])).join('; ');
    // Before the CVE-2025-21605 fix, an unauthenticated client's replies (NOAUTH errors) are bounded only by the
    // normal class, which is unbounded by default.
    const version = facts.server?.version;
    if (unbounded(limits.normal) && version && !isValkey(facts)) {
      const cve = matchCves(version, facts.server?.distroBuild ?? false).find((m) => m.id === 'CVE-2025-21605');
      if (cve?.status === 'vulnerable') {
        const fix = cve.fixedIn ? `fixed in ${cve.fixedIn}` : `no upstream fix on the ${cve.branch} branch`;
        return {
          status: 'fail',
          evidence: `client-output-buffer-limit ${describeLimit('normal', limits.normal)} and redis ${version} lacks the CVE-2025-21605 fix (${fix}): unauthenticated clients can grow output buffers until memory runs out`,
          location: limits.normal.location,
          severity: 'high',
        };
      }
    }
    return pass(`client-output-buffer-limit ${summary}`, limits.pubsub.location ?? limits.replica.location);
  },
};

export const checkScriptTimeout: Check = {
  ...CATALOGUE.RS044,
  evaluate(facts) {
    if (isSentinel(facts)) return skip('Sentinel runs no scripts: busy-reply-threshold does not apply');
    const v = configValue(facts, 'busy-reply-threshold');
    if (!v) return unknown(configUnknown(facts, 'busy-reply-threshold / lua-time-limit'));
    const ms = Number(v.value);
    if (!Number.isFinite(ms)) return unknown(`${v.name} "${printable(v.value)}" is not a number`);
    if (ms <= 0)
      return fail(
        `${show(v)}: no script time limit, a busy script blocks every client with no BUSY reply and no SCRIPT KILL`,
        v.location,
      );
    if (ms > 60_000)
      return fail(
        `${show(v, 'ms')}: a script can block every client for over a minute before BUSY replies and SCRIPT KILL apply`,
        v.location,
      );
    return pass(show(v, 'ms'), v.location);
  },
};

export const AVAILABILITY_CHECKS: Check[] = [
  keysCommand,
  checkMaxmemory,
  checkMaxmemoryPolicy,
  checkMaxclients,
  checkIdleTimeout,
  checkOutputBufferLimits,
  checkScriptTimeout,
];
