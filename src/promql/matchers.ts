/**
 * Label matchers as Prometheus applies them: a missing label matches as the empty string, regexes are fully
 * anchored Go RE2 (translated by regex.ts). The store and the in-memory series use the same code.
 */

import { compileAnchoredRegex } from './regex.js';
import type { Labels, Matcher } from './types.js';

export type LabelPredicate = (labels: Labels) => boolean;

/** One predicate for a list of matchers; regexes are compiled once. Throws RegexSyntaxError. */
export function compileMatchers(matchers: readonly Matcher[]): LabelPredicate {
  const tests = matchers.map(compileMatcher);
  return (labels) => tests.every((test) => test(labels[test.label] ?? ''));
}

type ValueTest = ((value: string) => boolean) & { label: string };

function compileMatcher(m: Matcher): ValueTest {
  let test: (value: string) => boolean;
  if (m.type === '=') test = (value) => value === m.value;
  else if (m.type === '!=') test = (value) => value !== m.value;
  else {
    const re = compileAnchoredRegex(m.value);
    test = m.type === '=~' ? (value) => re.test(value) : (value) => !re.test(value);
  }
  return Object.assign(test, { label: m.name });
}

/** Whether a matcher accepts the empty string (a selector needs one that does not). */
export function matchesEmpty(m: Matcher): boolean {
  return compileMatcher(m)('');
}
