import type { ApiErrorType } from './format.ts';
import { BadDataError } from './params.ts';

/** An error the API answers with Prometheus's errorType. */
export class ApiError extends Error {
  constructor(
    readonly errorType: ApiErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The errorType of anything a handler threw: the engine's PromqlError (src/promql/errors.ts) carries its own
 * (`bad_data` for the query text, `execution` for evaluation), known by shape so the API does not depend on
 * how the engine is loaded; anything else is `internal`.
 */
export function classify(err: unknown): { errorType: ApiErrorType; message: string } {
  if (err instanceof ApiError) return { errorType: err.errorType, message: err.message };
  if (err instanceof BadDataError) return { errorType: 'bad_data', message: err.message };
  const e = err as { name?: unknown; errorType?: unknown; message?: unknown };
  if (e && e.name === 'PromqlError' && (e.errorType === 'bad_data' || e.errorType === 'execution'))
    return { errorType: e.errorType, message: String(e.message) };
  return { errorType: 'internal', message: err instanceof Error ? err.message : String(err) };
}
