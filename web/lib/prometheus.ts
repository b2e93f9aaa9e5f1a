/** Reads the Prometheus API that `redoubt up` answers (with the console's session cookie). */
import { getJson } from './api.ts';
import type { Sample, Series } from './samples.ts';

interface PromAnswer<T> {
  status: 'success' | 'error';
  data: { resultType: string; result: T[] };
  error?: string;
}

export async function queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<Series[]> {
  const q = new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: String(stepS) });
  const a = await getJson<PromAnswer<Series>>(`/api/v1/query_range?${q}`);
  return a.data.resultType === 'matrix' ? a.data.result : [];
}

export async function queryInstant(expr: string, timeS: number): Promise<Sample[]> {
  const q = new URLSearchParams({ query: expr, time: String(timeS) });
  const a = await getJson<PromAnswer<Sample>>(`/api/v1/query?${q}`);
  if (a.data.resultType === 'vector') return a.data.result;
  if (a.data.resultType === 'scalar') {
    const v = a.data.result as unknown as [number, string];
    return [{ metric: {}, value: v }];
  }
  return [];
}
