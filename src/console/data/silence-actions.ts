/**
 * The admin's alert actions: create a silence (matchers checked, a duration of at most 30 days, created by the
 * logged-in user), expire one early, and send a test notification through one receiver. Bodies are untrusted:
 * every field is checked for type and length before anything is kept.
 */
import { parsePromDuration } from '../../monitor/alerting/duration.ts';
import { type AmMatcher, MatcherError } from '../../monitor/alerting/notify/am-matchers.ts';
import type { Notifier } from '../../monitor/alerting/notify/notifier.ts';
import { SilenceError, silenceState } from '../../monitor/alerting/notify/silences.ts';
import { ConsoleHttpError, type ConsoleRequest, type TestNotificationResponse } from '../contract.ts';
import type { ConsoleDeps } from './routes.ts';

export const MAX_SILENCE_MS = 30 * 24 * 3600e3;
const MAX_MATCHERS = 32;
const MAX_NAME = 128;
const MAX_VALUE = 1024;
const MAX_COMMENT = 1024;

function notifierOf(deps: ConsoleDeps): Notifier {
  const n = deps.alerting.notifier;
  if (!n)
    throw new ConsoleHttpError(
      409,
      'no notifier is configured, so there is nothing to silence or test: add a receiver (--webhook-url or up.notifiers)',
    );
  return n;
}

function bad(message: string): never {
  throw new ConsoleHttpError(400, message);
}

function matcherOf(v: unknown, i: number): AmMatcher {
  if (typeof v !== 'object' || v === null) bad(`matcher ${i + 1} must be an object`);
  const m = v as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name === '' || m.name.length > MAX_NAME)
    bad(`matcher ${i + 1} needs a label name (at most ${MAX_NAME} characters)`);
  if (typeof m.value !== 'string' || m.value.length > MAX_VALUE)
    bad(`matcher ${i + 1} needs a value (a string of at most ${MAX_VALUE} characters)`);
  if (typeof m.isRegex !== 'boolean') bad(`matcher ${i + 1} needs isRegex (true or false)`);
  if (m.isEqual !== undefined && typeof m.isEqual !== 'boolean') bad(`matcher ${i + 1}: isEqual must be true or false`);
  const equal = m.isEqual !== false;
  const type = m.isRegex ? (equal ? '=~' : '!~') : equal ? '=' : '!=';
  return { name: m.name, type, value: m.value };
}

/** Milliseconds of the request's duration: a Prometheus/Go duration (`30m`, `2h`, `1d`) above 0, at most 30 days. */
export function silenceDurationMs(text: unknown): number {
  if (typeof text !== 'string' || text.length > 32) bad('duration must be a duration such as 30m, 2h or 1d');
  const ms = parsePromDuration(text);
  if (ms === undefined || ms <= 0) bad('duration must be a duration such as 30m, 2h or 1d');
  if (ms > MAX_SILENCE_MS) throw new ConsoleHttpError(422, 'a silence lasts at most 30 days (30d)');
  return ms;
}

export function createSilence(req: ConsoleRequest, deps: ConsoleDeps): { id: string } {
  const notifier = notifierOf(deps);
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.matchers) || b.matchers.length === 0 || b.matchers.length > MAX_MATCHERS)
    bad(`matchers must be a list of 1 to ${MAX_MATCHERS} matchers`);
  const matchers = b.matchers.map(matcherOf);
  const durationMs = silenceDurationMs(b.duration);
  if (typeof b.comment !== 'string' || b.comment.trim() === '' || b.comment.length > MAX_COMMENT)
    bad(`comment is required (at most ${MAX_COMMENT} characters)`);
  const now = deps.now();
  try {
    const id = notifier.addSilence({
      matchers,
      startsAt: now,
      endsAt: now + durationMs,
      createdBy: req.principal.user,
      comment: b.comment,
    });
    return { id };
  } catch (e) {
    if (e instanceof SilenceError || e instanceof MatcherError) throw new ConsoleHttpError(422, e.message);
    throw e;
  }
}

export function expireSilence(req: ConsoleRequest, deps: ConsoleDeps): { id: string } {
  const notifier = notifierOf(deps);
  const id = req.params.id ?? '';
  const s = id.length <= 64 ? notifier.silences.get(id) : undefined;
  if (!s) throw new ConsoleHttpError(404, 'no such silence');
  if (silenceState(s, deps.now()) === 'expired') throw new ConsoleHttpError(409, 'the silence has already expired');
  try {
    notifier.expireSilence(id);
  } catch (e) {
    if (e instanceof SilenceError) throw new ConsoleHttpError(409, e.message);
    throw e;
  }
  return { id };
}

/** Receivers a test notification is being sent to, per notifier: one at a time each. */
const testing = new WeakMap<Notifier, Set<string>>();

export async function testNotification(req: ConsoleRequest, deps: ConsoleDeps): Promise<TestNotificationResponse> {
  const notifier = notifierOf(deps);
  const name = req.params.name ?? '';
  if (!notifier.receiverList().some((r) => r.name === name)) throw new ConsoleHttpError(404, 'no such notifier');
  const busy = testing.get(notifier) ?? new Set<string>();
  testing.set(notifier, busy);
  if (busy.has(name)) throw new ConsoleHttpError(409, 'a test notification to this receiver is still being sent');
  busy.add(name);
  try {
    const outcome = await notifier.sendTest(name);
    if (!outcome) throw new ConsoleHttpError(404, 'no such notifier');
    return outcome;
  } finally {
    busy.delete(name);
  }
}
