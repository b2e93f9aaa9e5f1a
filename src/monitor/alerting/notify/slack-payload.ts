/**
 * A Slack-compatible incoming-webhook message (Slack, Mattermost, Rocket.Chat accept `text` and `attachments`) for a
 * group notification: a title like Alertmanager's default `[FIRING:2] RedisDown (redis-1:6379)`, then each alert's
 * summary (or description), bounded so a storm of alerts never builds a message Slack refuses.
 */
import type { GroupNotification } from './dispatcher.ts';

export interface SlackMessage {
  text: string;
  attachments: Array<{ color: string; title: string; text: string; fallback: string }>;
}

const MAX_LINES = 20;
const MAX_LINE = 300;
const MAX_TEXT = 3000;

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function slackTitle(n: GroupNotification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const count = n.status === 'firing' ? `:${firing}` : '';
  const labels = Object.values(n.groupLabels).join(' ');
  return `[${n.status.toUpperCase()}${count}] ${labels}`.trim();
}

export function slackMessage(n: GroupNotification): SlackMessage {
  const title = clip(slackTitle(n), MAX_LINE);
  const lines = n.alerts.slice(0, MAX_LINES).map((a) => {
    const what = a.annotations.summary || a.annotations.description || a.labels.alertname || 'alert';
    return clip(`${a.status === 'resolved' ? 'resolved: ' : ''}${what}`, MAX_LINE);
  });
  if (n.alerts.length > MAX_LINES) lines.push(`… and ${n.alerts.length - MAX_LINES} more`);
  const text = clip(lines.join('\n'), MAX_TEXT);
  return {
    text: title,
    attachments: [{ color: n.status === 'firing' ? 'danger' : 'good', title, text, fallback: `${title}\n${text}` }],
  };
}
