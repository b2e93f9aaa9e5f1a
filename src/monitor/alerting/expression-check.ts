/** A rule's expression checked on redoubt's engine when its file loads, as Prometheus checks it. */
import { parsePromql } from '../../promql/parse.ts';

/** The parse error's message, or undefined when `expr` parses. */
export function checkPromqlExpression(expr: string): string | undefined {
  try {
    parsePromql(expr);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
