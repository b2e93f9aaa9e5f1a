/**
 * A real `redoubt up` core for the console's data routes, without HTTP: a Monitor over real redis-servers, the
 * on-disk History in a temporary data directory, and Alerting with the given rules (and a notifier when receivers
 * are given). Handlers are called directly with a principal of the test's choosing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleRequest, Principal, Role } from '../../src/console/contract.ts';
import { type ConsoleDeps, consoleDataRoutes } from '../../src/console/data/routes.ts';
import { startAlerting } from '../../src/monitor/alerting/alerting-service.ts';
import type { ReceiverConfig } from '../../src/monitor/alerting/notify/notifier.ts';
import { parseRuleFile } from '../../src/monitor/alerting/rule-file.ts';
import { openHistory } from '../../src/monitor/history.ts';
import { Monitor } from '../../src/monitor/monitor.ts';
import { promqlEngine } from '../../src/promql/engine.ts';
import { parseTarget } from '../../src/redis/target.ts';
import type { AuditCommands } from '../../src/scrape/audit-commands.ts';

/** A rule that fires for every target that is up (for: 0s), so alerts exist at once. */
export const ALWAYS_FIRING_RULES = `groups:
  - name: console-test
    rules:
      - alert: ConsoleTestUp
        expr: up{job="redis"} == 1
        labels:
          severity: info
        annotations:
          summary: "{{ $labels.instance }} is up"
`;

export interface ConsoleUp {
  deps: ConsoleDeps;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ConsoleUpOptions {
  /** Redis URLs (with credentials when needed); the instance label is the URL without them. */
  targets: Array<{ url: string; instance: string }>;
  rules?: string;
  receivers?: ReceiverConfig[];
  scrapeIntervalMs?: number;
  securityIntervalMs?: number;
  dataDir?: string;
  /** What the background audit may send (--security.audit-commands); default auto. */
  auditCommands?: AuditCommands;
}

export async function startConsoleUp(options: ConsoleUpOptions): Promise<ConsoleUp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'redoubt-console-data-'));
  const scrapeIntervalMs = options.scrapeIntervalMs ?? 1000;
  const history = await openHistory(dataDir, { retentionMs: 3600e3, warn: () => {} });
  const monitor = new Monitor(
    options.targets.map((t) => ({ target: parseTarget(t.url), instance: t.instance })),
    history,
    {
      job: 'redis',
      scrapeIntervalMs,
      scrapeTimeoutMs: Math.min(scrapeIntervalMs - 100, 5000),
      securityIntervalMs: options.securityIntervalMs ?? 3000,
      configCommand: 'CONFIG',
      auditCommands: options.auditCommands,
    },
  );
  const alerting = startAlerting({
    engine: promqlEngine,
    queryable: history,
    appendable: history,
    ruleGroups: parseRuleFile(options.rules ?? ALWAYS_FIRING_RULES, 'console-test.rules'),
    evaluationIntervalMs: scrapeIntervalMs,
    externalURL: 'http://127.0.0.1:9999',
    notifier: options.receivers?.length
      ? {
          receivers: options.receivers,
          externalURL: 'http://127.0.0.1:9999',
          routes: options.receivers
            .filter((r) => r.type !== 'alertmanager')
            .map((r) => ({
              receiver: r.name,
              groupBy: ['alertname', 'instance'],
              groupWaitMs: 200,
              groupIntervalMs: 1000,
              repeatIntervalMs: 3600e3,
              sendResolved: true,
            })),
        }
      : undefined,
    stateDir: dataDir,
  });
  monitor.start();
  const deps: ConsoleDeps = { monitor, history, alerting, engine: promqlEngine, scrapeIntervalMs, now: Date.now };
  return {
    deps,
    dataDir,
    stop: async () => {
      await monitor.stop();
      await alerting.stop();
      await history.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function principal(role: Role = 'admin', user = role === 'admin' ? 'admin' : 'viewer'): Principal {
  return { user, role, via: 'session' };
}

/** Calls the data route `method path` (as the contract names it) directly, as the app would after its checks. */
export async function callRoute(
  deps: ConsoleDeps,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  request: Partial<Omit<ConsoleRequest, 'query'>> & { query?: Record<string, string> } = {},
): Promise<unknown> {
  const route = consoleDataRoutes().find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no data route ${method} ${path}`);
  return route.handle(
    {
      principal: request.principal ?? principal(),
      params: request.params ?? {},
      query: new URLSearchParams(request.query ?? {}),
      body: request.body,
      clientAddress: request.clientAddress ?? '127.0.0.1',
    },
    deps,
  );
}
