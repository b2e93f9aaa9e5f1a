/**
 * The security view's coverage: which share of the checks the score grades when `up` watches Redis through a
 * least-privilege user, what that user would need for the rest, and that the README's auditor user (with
 * --security.audit-commands all) gives full coverage. Real redis-server, real users made with the README's ACL lines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OverviewResponse, SecurityInstance, SecurityResponse } from '../../src/console/contract.ts';
import type { AuditCommands } from '../../src/scrape/audit-commands.ts';
import { callRoute, startConsoleUp } from '../support/console-data-up.ts';
import { waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

// The README's lines: "A least-privilege ACL user for the exporter" and the audit's auditor user.
const EXPORTER =
  '-@all +ping +hello +client|setname +info +config|get +slowlog|get +slowlog|len +latency|latest +latency|histogram +command|info +cluster|info';
const AUDITOR =
  '-@all +ping +hello +info +config|get +acl|list +acl|getuser +acl|users +acl|log +acl|whoami +acl|dryrun +command|info +command|count +command|list +command|docs +slowlog|get +latency|latest +memory|stats +client|list +module|list';

const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  const users: Array<[string, string]> = [
    ['exporter', EXPORTER],
    ['auditor', AUDITOR],
    ['noconfig', AUDITOR.replace(' +config|get', '')],
  ];
  for (const [name, rules] of users)
    await redis.command('ACL', 'SETUSER', name, 'on', `>${name}-password-123`, ...rules.split(' '));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The first audit of each user's view of the one server, as the security route answers it. */
let overview: OverviewResponse | undefined;

async function audited(names: string[], auditCommands: AuditCommands): Promise<Map<string, SecurityInstance>> {
  const targets = names.map((n) => ({
    url: n === 'default' ? redis.url : `redis://${n}:${n}-password-123@127.0.0.1:${redis.port}`,
    instance: n,
  }));
  const up = await startConsoleUp({ targets, securityIntervalMs: 3600e3, auditCommands });
  cleanups.push(() => up.stop());
  const all = await waitFor(
    'an audit of every target',
    async () => {
      const r = (await callRoute(up.deps, 'GET', '/console/api/security')) as SecurityResponse;
      return r.instances.every((i) => i.auditedAt !== null && i.coverage !== null) ? r.instances : undefined;
    },
    { timeoutMs: 60_000 },
  );
  overview = (await callRoute(up.deps, 'GET', '/console/api/overview')) as OverviewResponse;
  return new Map(all.map((i) => [i.instance, i]));
}

function assertConsistent(s: SecurityInstance): void {
  const c = s.coverage;
  assert.ok(c, s.instance);
  const statuses = (st: string) => s.findings.filter((f) => f.status === st).length;
  assert.equal(c.graded, statuses('pass') + statuses('fail'), s.instance);
  assert.equal(c.applicable, s.findings.length - statuses('skip'), s.instance);
  assert.equal(c.graded + c.blocked + c.otherUnknown, c.applicable, s.instance);
  assert.ok(c.summary.startsWith(`graded on ${c.graded} of ${c.applicable} checks`), c.summary);
}

describe('security coverage', () => {
  test("a least-privilege user's score says how much it grades and what the user would need", async () => {
    const got = await audited(['default', 'exporter'], 'auto');
    const admin = got.get('default') as SecurityInstance;
    const exporter = got.get('exporter') as SecurityInstance;
    for (const s of [admin, exporter]) assertConsistent(s);
    assert.equal(admin.coverage?.blocked, 0, admin.coverage?.summary);
    assert.deepEqual(admin.coverage?.needs, []);
    assert.doesNotMatch(admin.coverage?.summary ?? '', /could not run as this user/);
    // The overview marks the exporter's score partial, with the same line; the default user's is not.
    const partial = new Map(overview?.instances.map((i) => [i.instance, i.securityPartial]));
    assert.equal(partial.get('default'), undefined);
    assert.equal(partial.get('exporter'), exporter.coverage?.summary);
    // The exporter user is sent only INFO, CONFIG GET and COMMAND INFO (auto, a named user): the user checks are out.
    const c = exporter.coverage;
    assert.ok(c && c.blocked >= 8, JSON.stringify(c));
    assert.ok(c.needs.includes('ACL LIST'), c.needs.join());
    assert.ok(!c.needs.includes('CONFIG GET'), 'the exporter user may run CONFIG GET');
    assert.ok(c.graded < (admin.coverage?.graded ?? 0));
    assert.match(
      c.summary,
      new RegExp(
        `^graded on ${c.graded} of ${c.applicable} checks; ${c.blocked} could not run as this user: needs .*ACL LIST.* \\(sent to a named ACL user only with --security.audit-commands all\\)`,
      ),
    );
  });

  test("the README's auditor user with --security.audit-commands all is graded like the admin; without CONFIG GET it says so", async () => {
    const got = await audited(['default', 'auditor', 'noconfig'], 'all');
    for (const s of got.values()) assertConsistent(s);
    const auditor = got.get('auditor')?.coverage;
    assert.equal(auditor?.blocked, 0, auditor?.summary);
    assert.equal(auditor?.graded, got.get('default')?.coverage?.graded, 'as many graded as the default user');
    const noconfig = got.get('noconfig')?.coverage;
    assert.ok(noconfig && noconfig.blocked >= 10, JSON.stringify(noconfig));
    assert.deepEqual(noconfig.needs, ['CONFIG GET']);
    assert.match(noconfig.summary, /could not run as this user: needs CONFIG GET(;|$)/);
    assert.doesNotMatch(noconfig.summary, /audit-commands/);
  });
});
