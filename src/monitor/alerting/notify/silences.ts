/**
 * Silences as Alertmanager keeps them: matchers, a time window, who and why. An alert matching every matcher of an
 * active silence is not notified. Expiring early ends the window now. Expired silences are kept a while (for the
 * API and the console), then dropped. Pure state over an explicit `now`; serialisable as JSON.
 */
import { randomUUID } from 'node:crypto';
import type { Labels } from '../../../promql/types.ts';
import { type AmMatcher, checkAmMatcher, matchesAll } from './am-matchers.ts';

export interface Silence {
  id: string;
  matchers: AmMatcher[];
  /** ms */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export class SilenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SilenceError';
  }
}

/** How long an expired silence stays listed (Alertmanager's --data.retention default, 120h). */
export const SILENCE_RETENTION_MS = 120 * 3600e3;
const MAX_SILENCES = 10_000;
const MAX_TEXT = 1024;

export function silenceState(s: Silence, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  return now < s.endsAt ? 'active' : 'expired';
}

export class Silences {
  private readonly byId = new Map<string, Silence>();

  constructor(initial: readonly Silence[] = []) {
    for (const s of initial) this.byId.set(s.id, s);
  }

  /** Adds a silence (or replaces one with the same id, as Alertmanager's POST does); returns its id. */
  add(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }, now: number): string {
    if (input.matchers.length === 0) throw new SilenceError('a silence needs at least one matcher');
    const matchers = input.matchers.map(checkAmMatcher);
    // As Alertmanager: at least one matcher must not match the empty string, or the silence mutes everything.
    if (matchesAll(matchers, {}))
      throw new SilenceError(
        'a silence must not match every alert: give at least one matcher that needs a label value',
      );
    if (!(Number.isFinite(input.startsAt) && Number.isFinite(input.endsAt)) || input.endsAt <= input.startsAt)
      throw new SilenceError('a silence must end after it starts');
    if (input.endsAt <= now) throw new SilenceError('a silence must end in the future');
    if (!input.createdBy || input.createdBy.length > MAX_TEXT)
      throw new SilenceError('createdBy is required (at most 1024 characters)');
    if (!input.comment || input.comment.length > MAX_TEXT)
      throw new SilenceError('comment is required (at most 1024 characters)');
    if (input.id !== undefined && !this.byId.has(input.id)) throw new SilenceError(`silence ${input.id} not found`);
    this.gc(now);
    if (!input.id && this.byId.size >= MAX_SILENCES) throw new SilenceError(`too many silences (${MAX_SILENCES})`);
    const id = input.id ?? randomUUID();
    this.byId.set(id, { ...input, id, matchers, updatedAt: now });
    return id;
  }

  /** Ends a silence now (Alertmanager's DELETE /api/v2/silence/{id}). */
  expire(id: string, now: number): void {
    const s = this.byId.get(id);
    if (!s) throw new SilenceError(`silence ${id} not found`);
    if (silenceState(s, now) === 'expired') throw new SilenceError(`silence ${id} already expired`);
    s.startsAt = Math.min(s.startsAt, now);
    s.endsAt = now;
    s.updatedAt = now;
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id);
  }

  list(): Silence[] {
    return [...this.byId.values()];
  }

  /** Ids of the active silences that mute `labels` at `now`. */
  silencing(labels: Labels, now: number): string[] {
    const out: string[] = [];
    for (const s of this.byId.values())
      if (silenceState(s, now) === 'active' && matchesAll(s.matchers, labels)) out.push(s.id);
    return out;
  }

  /** Drops silences expired longer than the retention. */
  gc(now: number): boolean {
    let changed = false;
    for (const [id, s] of this.byId)
      if (s.endsAt + SILENCE_RETENTION_MS < now) {
        this.byId.delete(id);
        changed = true;
      }
    return changed;
  }
}
