/** Thrown when a step's deadline passes before its I/O settles. */
export class StepTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000}s`);
    this.name = 'StepTimeout';
  }
}

/** `work` or a StepTimeout after `ms`, whichever comes first (the work is not cancelled: callers close what it opened). */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
