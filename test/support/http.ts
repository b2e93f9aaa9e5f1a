export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole-request timeout including the body; default 10 s. */
  timeoutMs?: number;
}

/** fetch with a timeout that also covers reading the body; rejects with a message naming the URL. */
export async function httpGet(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 10000;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      signal: ac.signal,
      redirect: 'manual',
    });
    const body = await res.text();
    return { status: res.status, headers: res.headers, body };
  } catch (e) {
    if (ac.signal.aborted) throw new Error(`${options.method ?? 'GET'} ${url} did not complete within ${timeoutMs}ms`);
    throw new Error(`${options.method ?? 'GET'} ${url} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** Alias for callers that send other methods. */
export const httpRequest = httpGet;
