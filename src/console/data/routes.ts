/**
 * The console's data routes (see ../contract.ts): what the pages read and the few actions an admin takes. The app
 * (src/console/app/) mounts every route of this table with its role, CSRF check and audit line.
 *
 * The seam between the app and the data: the app is built against this signature while the routes are written.
 */
import type { Alerting } from '../../monitor/alerting/alerting-service.ts';
import type { History } from '../../monitor/history.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import type { PromqlEngine } from '../../promql/types.ts';
import type { ConsoleRoute } from '../contract.ts';

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
  return [];
}
