/**
 * Errors of the PromQL engine, typed as Prometheus's HTTP API types them: `bad_data` for what is wrong with the
 * query text (syntax, types, unsupported features), `execution` for what fails while evaluating it
 * (many-to-many matching, duplicate label sets).
 */

export type PromqlErrorType = 'bad_data' | 'execution';

/** Where in the query text a parse error is, as 0-based character offsets. */
export interface PromqlPosition {
  readonly start: number;
  readonly end: number;
}

export class PromqlError extends Error {
  override readonly name = 'PromqlError';
  constructor(
    readonly errorType: PromqlErrorType,
    message: string,
    readonly position?: PromqlPosition,
  ) {
    super(message);
  }
}

/** A syntax or type error at a place in the query. */
export function parseError(message: string, start: number, end: number): PromqlError {
  return new PromqlError('bad_data', `parse error at char ${start + 1}: ${message}`, { start, end });
}

/** A feature of PromQL (or of a newer Prometheus) that this engine does not implement. */
export function unsupported(feature: string, start: number, end: number): PromqlError {
  return new PromqlError('bad_data', `unsupported by redoubt's PromQL engine: ${feature}`, { start, end });
}

export function executionError(message: string): PromqlError {
  return new PromqlError('execution', message);
}
