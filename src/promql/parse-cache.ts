/**
 * Parsed expressions by their text, for what is evaluated again and again (alert rules every interval, a dashboard's
 * panels on every refresh). The AST is immutable, and a query keys its selections by node per evaluation, so one
 * AST serves every evaluation. Bounded: the least recently used text is forgotten first. Parse errors are not kept.
 */

import type { Expr } from './ast.js';
import { parsePromql } from './parse.js';

/** How many distinct expressions are kept; a rule set and a dashboard need a few hundred. */
export const PARSE_CACHE_ENTRIES = 1024;
/** Longer texts are parsed every time rather than kept (a 64 KiB query should not pin memory). */
export const PARSE_CACHE_MAX_TEXT = 4096;

export class ParseCache {
  readonly #entries = new Map<string, Expr>();

  constructor(readonly capacity: number = PARSE_CACHE_ENTRIES) {}

  parse(text: string): Expr {
    const hit = this.#entries.get(text);
    if (hit !== undefined) {
      this.#entries.delete(text);
      this.#entries.set(text, hit);
      return hit;
    }
    const expr = parsePromql(text);
    if (text.length <= PARSE_CACHE_MAX_TEXT) {
      if (this.#entries.size >= this.capacity) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(text, expr);
    }
    return expr;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The engine's cache. */
export const parsedExpressions = new ParseCache();
