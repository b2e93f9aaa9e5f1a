/**
 * The body of a "send test notification" (the console's button): one firing alert named RedoubtTestNotification,
 * in the receiver's own format (Alertmanager's postable alerts, the webhook's v4 body, a Slack message), so the
 * receiver shows exactly what a real alert would look like. It never enters the dispatcher: nothing groups,
 * silences or repeats it.
 */
import type { NotifiableAlert } from '../alert.ts';
import { postableAlerts } from './alertmanager-payload.ts';
import type { GroupNotification } from './dispatcher.ts';
import { fingerprint } from './fingerprint.ts';
import type { ReceiverType } from './notifier.ts';
import { slackMessage } from './slack-payload.ts';
import { webhookPayload } from './webhook-payload.ts';

export const TEST_ALERT_NAME = 'RedoubtTestNotification';

export function testNotificationBody(type: ReceiverType, receiver: string, externalURL: string, now: number): string {
  const alert: NotifiableAlert = {
    labels: { alertname: TEST_ALERT_NAME, severity: 'info' },
    annotations: {
      summary: 'Test notification from redoubt',
      description: 'Sent from the console to check that this receiver gets redoubt’s alerts.',
    },
    startsAt: now,
    // Alertmanager resolves it by itself after five minutes.
    endsAt: now + 5 * 60e3,
    generatorURL: externalURL,
  };
  if (type === 'alertmanager') return JSON.stringify(postableAlerts([alert]));
  const n: GroupNotification = {
    receiver,
    groupKey: `{}:{alertname="${TEST_ALERT_NAME}"}`,
    groupLabels: { alertname: TEST_ALERT_NAME },
    alerts: [{ ...alert, fingerprint: fingerprint(alert.labels), updatedAt: now, status: 'firing' }],
    status: 'firing',
  };
  return JSON.stringify(type === 'slack' ? slackMessage(n) : webhookPayload(n, externalURL));
}
