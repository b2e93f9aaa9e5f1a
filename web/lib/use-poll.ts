/**
 * Fetches now and again every `intervalMs` while the page is shown (paused while the tab is hidden); keeps the last
 * good data on a failed poll and says what failed.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: string;
  loading: boolean;
  reload(): void;
}

export function usePoll<T>(load: () => Promise<T>, intervalMs: number | null, deps: unknown[] = []): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const alive = { current: true };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (document.hidden) {
        timer = setTimeout(run, 1000);
        return;
      }
      try {
        const d = await load();
        if (!alive.current) return;
        setData(d);
        setError('');
      } catch (e) {
        if (alive.current) setError((e as Error).message);
      } finally {
        if (alive.current) setLoading(false);
      }
      if (alive.current && intervalMs !== null) timer = setTimeout(run, Math.max(intervalMs, 1000));
    };
    run();
    return () => {
      alive.current = false;
      clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  return { data, error, loading, reload };
}
