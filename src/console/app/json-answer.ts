import type { Context } from 'hono';
import { BodyTooLargeError, readBoundedBody } from '../../monitor/api/bounded-body.ts';
import { ConsoleHttpError } from '../contract.ts';

/** Largest JSON body of a /console/api request. */
export const MAX_JSON_BYTES = 64 * 1024;

/** The `{ error }` answer of every /console/api refusal. */
export function jsonError(c: Context, status: number, message: string): Response {
  return c.json({ error: message }, status as 400);
}

/** The parsed JSON body (undefined when empty), bounded; throws ConsoleHttpError (or 413/415 as such). */
export async function readJsonBody(c: Context): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readBoundedBody(c.req.raw, MAX_JSON_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      throw new JsonBodyError(413, `the body is larger than ${MAX_JSON_BYTES} bytes`);
    throw err;
  }
  if (raw.length === 0) return undefined;
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new JsonBodyError(415, 'send the body as application/json');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ConsoleHttpError(400, 'the body is not valid JSON');
  }
}

/** A body refusal whose status the contract's ConsoleHttpError does not list (413, 415). */
export class JsonBodyError extends Error {
  constructor(
    readonly status: 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'JsonBodyError';
  }
}
