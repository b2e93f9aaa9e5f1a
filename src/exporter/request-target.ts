/**
 * The path and query of an HTTP request target (`req.url`), as `new URL(target, 'http://exporter')` gives them,
 * without building a URL per request. Targets made only of plain characters — an absolute path of letters, digits,
 * `-_.~/` without `//` or dot segments, then an optional query of printable ASCII without `#` — are split by
 * hand; for those, WHATWG URL parsing changes nothing the exporter looks at (percent-encoding `"'<>` in the query
 * does not change what URLSearchParams decodes). Anything else goes through URL itself.
 */
export interface RequestTarget {
  pathname: string;
  /** The query with its `?` (URLSearchParams drops one, and only one), or ''; decode it with queryParams(). */
  search: string;
}

const BASE = 'http://exporter';

/** Whether c (a char code) may appear in a plain path: A-Z a-z 0-9 - . _ ~ / */
function plainPathChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x7e || // ~
    c === 0x2f // /
  );
}

/**
 * Splits a request target into path and query; see the module comment. Undefined for a target that is not a URL
 * at all (`//`, `//:x`: an empty or bad authority), which a client may send and the server answers with 400.
 */
export function parseRequestTarget(raw: string): RequestTarget | undefined {
  const q = raw.indexOf('?');
  const end = q < 0 ? raw.length : q;
  let plain = end > 0 && raw.charCodeAt(0) === 0x2f;
  let prev = 0;
  for (let i = 0; plain && i < end; i++) {
    const c = raw.charCodeAt(i);
    // `//` (an authority at the start, kept elsewhere but rare) and `/.` (dot segments) are left to URL.
    plain = plainPathChar(c) && !(prev === 0x2f && (c === 0x2f || c === 0x2e));
    prev = c;
  }
  for (let i = end + 1; plain && i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    plain = c > 0x20 && c < 0x7f && c !== 0x23; // printable ASCII, no `#`
  }
  if (plain) return { pathname: q < 0 ? raw : raw.slice(0, q), search: q < 0 ? '' : raw.slice(q) };
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return undefined;
  }
  return { pathname: url.pathname, search: url.search };
}

/** The query parameters of a target parsed by parseRequestTarget, as `new URL(raw).searchParams` has them. */
export function queryParams(target: RequestTarget): URLSearchParams {
  return new URLSearchParams(target.search);
}
