/**
 * The console's data routes (see ../contract.ts): what the pages read and the few actions an admin takes. The app
 * (src/console/app/) mounts every route of this table with its role, CSRF check and audit line.
 */
import type { Alerting } from '../../monitor/alerting/alerting-service.ts';
import type { History } from '../../monitor/history.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import type { PromqlEngine } from '../../promql/types.ts';
import type { ConsoleRoute, InstanceDetail, OverviewResponse } from '../contract.ts';
import { instanceDetail } from './instance-detail.ts';
import { overview } from './overview.ts';

/** What the data routes read and act on: the running `redoubt up`. */
export interface ConsoleDeps {
  monitor: Monitor;
  history: History;
  alerting: Alerting;
  engine: PromqlEngine;
  scrapeIntervalMs: number;
  now(): number;
}

export function consoleDataRoutes(): ConsoleRoute<ConsoleDeps>[] {
  return [
    {
      method: 'GET',
      path: '/console/api/overview',
      role: 'viewer',
      handle: (_req, deps): OverviewResponse => overview(deps),
    },
    {
      method: 'GET',
      path: '/console/api/instances/:instance',
      role: 'viewer',
      handle: (req, deps): InstanceDetail => instanceDetail(deps, req.params.instance),
    },
  ];
}
