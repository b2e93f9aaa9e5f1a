import type { RedisConnection } from '../redis/connection.ts';
import { formatBytes } from '../text/bytes.ts';
import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';

export interface SampleLimits {
  /** Most keys looked at (SCAN … COUNT, never KEYS). */
  maxKeys: number;
  /** Time for the whole sample. */
  ms: number;
}

export const DEFAULT_SAMPLE: SampleLimits = { maxKeys: 1000, ms: 3000 };
const SCAN_COUNT = 100;
const TOP = 5;
const NAME_CHARS = 80;

export interface KeySample {
  /** Keys whose size was read. */
  sampled: number;
  /** The biggest, largest first. */
  biggest: Array<{ key: string; bytes: number }>;
  /** Why the sample stopped early or could not be taken (NOPERM, time). */
  stopped?: string;
  complete: boolean;
}

/** The largest of `sizes`, at most TOP, biggest first (pure). */
export function largest(sizes: ReadonlyArray<{ key: string; bytes: number }>): Array<{ key: string; bytes: number }> {
  return [...sizes].sort((a, b) => b.bytes - a.bytes).slice(0, TOP);
}

/** SCAN with COUNT and MEMORY USAGE … SAMPLES 5, one batch per round trip, until the key or time budget is spent. */
export async function sampleBigKeys(c: RedisConnection, limits: SampleLimits = DEFAULT_SAMPLE): Promise<KeySample> {
  const deadline = Date.now() + limits.ms;
  let cursor = '0';
  let top: Array<{ key: string; bytes: number }> = [];
  let sampled = 0;
  // SCAN may return a key again (a rehash during the scan; a hostile server, forever): each is sized and counted once.
  const seen = new Set<string>();
  do {
    if (Date.now() > deadline)
      return { sampled, biggest: top, stopped: `the ${limits.ms / 1000}s budget ran out`, complete: false };
    const [scan] = await c.pipeline([['SCAN', cursor, 'COUNT', SCAN_COUNT]]);
    if (!scan.ok) return { sampled, biggest: top, stopped: scan.error.message.slice(0, 200), complete: false };
    const [next, keys] = scan.value as [string, unknown[]];
    cursor = String(next);
    const fresh = (Array.isArray(keys) ? keys : []).map(String).filter((k) => !seen.has(k));
    const batch = [...new Set(fresh)].slice(0, limits.maxKeys - sampled);
    for (const k of batch) seen.add(k);
    if (batch.length > 0) {
      const sizes = await c.pipeline(batch.map((k) => ['MEMORY', 'USAGE', k, 'SAMPLES', 5]));
      const denied = sizes.find((r) => !r.ok);
      if (denied && !denied.ok)
        return { sampled, biggest: top, stopped: denied.error.message.slice(0, 200), complete: false };
      const read = batch.map((key, i) => ({ key, bytes: Number(sizes[i].ok ? sizes[i].value : 0) || 0 }));
      top = largest([...top, ...read]);
      sampled += batch.length;
    }
    if (sampled >= limits.maxKeys)
      return {
        sampled,
        biggest: top,
        stopped: `the ${limits.maxKeys}-key budget was reached`,
        complete: cursor === '0',
      };
  } while (cursor !== '0');
  return { sampled, biggest: top, complete: true };
}

/** A key holding this share of used memory (and at least BIG_KEY_BYTES) is worth a look. */
const BIG_SHARE = 0.1;
const BIG_KEY_BYTES = 1024 * 1024;

export function diagnoseBigKeys(subject: string, s: KeySample, usedMemory: number, totalKeys: number): Finding {
  const list = s.biggest
    .map(
      (k) => `${neutralise(k.key.slice(0, NAME_CHARS))}${k.key.length > NAME_CHARS ? '…' : ''} ${formatBytes(k.bytes)}`,
    )
    .join(', ');
  const scope = s.complete
    ? `all ${s.sampled} keys`
    : `${s.sampled} of ${totalKeys} keys sampled${s.stopped ? ` (${neutralise(s.stopped)})` : ''}`;
  if (s.sampled === 0 && s.stopped)
    return finding(
      subject,
      'big-keys',
      'info',
      `the biggest keys could not be sampled: ${neutralise(s.stopped)}`,
      'the user needs +scan +memory|usage and read access to the keys (~*) for this check',
    );
  if (s.sampled === 0) return finding(subject, 'big-keys', 'ok', 'the database is empty');
  const big = s.biggest.filter((k) => k.bytes >= BIG_KEY_BYTES && k.bytes >= usedMemory * BIG_SHARE);
  if (big.length > 0)
    return finding(
      subject,
      'big-keys',
      'warn',
      `biggest keys by MEMORY USAGE (${scope}): ${list}; ${big.length === 1 ? 'one key holds' : `${big.length} keys each hold`} more than ${BIG_SHARE * 100}% of used memory`,
      'check whether they should be that big: split large hashes/sets/lists, expire them (EXPIRE), or trim streams (XTRIM MAXLEN); a big key also blocks Redis while it is deleted (use UNLINK)',
    );
  return finding(subject, 'big-keys', 'ok', `biggest keys by MEMORY USAGE (${scope}): ${list}`);
}
