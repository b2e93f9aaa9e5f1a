/**
 * Node keeps one list of timers per duration (ms) and drops a list when its last timer is cleared, so a timer
 * that is set and cleared on every scrape (the scrape deadlines, a pipeline's command timeout) builds that list
 * and its priority-queue entry anew each time. An idle interval of the same duration keeps the list: set before
 * such a timer, it leaves what the timer does and when it fires as they were. Unref'd: it never keeps the process
 * alive. Only for durations of a second or more (a short one would wake the process that often), and bounded: past
 * MAX_LISTS durations, nothing more is kept.
 */
const MAX_LISTS = 8;
const MIN_MS = 1000;
const kept = new Map<number, NodeJS.Timeout>();
const idle = () => {};

/** Keeps the timer list of ms (a setTimeout duration) from being dropped and rebuilt; returns ms. */
export function keepTimerList(ms: number): number {
  if (ms >= MIN_MS && ms <= 2 ** 31 - 1 && Number.isInteger(ms) && kept.size < MAX_LISTS && !kept.has(ms))
    kept.set(ms, setInterval(idle, ms).unref());
  return ms;
}
