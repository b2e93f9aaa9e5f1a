/** The few query parameters the data routes take, checked: a bad one is a 400 that says what is expected. */
import { ConsoleHttpError } from '../contract.ts';

/** A whole number in [min, max], `fallback` when absent or empty. */
export function wholeParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,16}$/.test(raw)) throw new ConsoleHttpError(400, `${name} must be a whole number from ${min} to ${max}`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new ConsoleHttpError(400, `${name} must be a whole number from ${min} to ${max}`);
  return v;
}
