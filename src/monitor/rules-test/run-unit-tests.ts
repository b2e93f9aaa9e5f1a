/**
 * `redoubt rules test FILE…`: promtool's unit-test runner on redoubt's engine. Same output shape and exit codes as
 * `promtool test rules` 2.42: per file "Unit Testing:  FILE" then "  SUCCESS", or "  FAILED:" and each failure on
 * stderr; exit 0 when every file passes, 1 otherwise.
 */

import { dirname, isAbsolute, join } from 'node:path';
import type { Writable } from 'node:stream';
import { readInputText } from '../../fs/read-input.ts';
import type { PromqlEngine } from '../../promql/types.ts';
import { type ExprCheck, MAX_RULE_FILE_BYTES, parseRuleFile, type RuleGroupSpec } from '../alerting/rule-file.ts';
import { glob } from './glob.ts';
import { runTestGroup } from './run-test-group.ts';
import { parseUnitTestFile } from './unit-test-file.ts';

export interface UnitTestIo {
  stdout: Writable;
  stderr: Writable;
}

export interface UnitTestOptions {
  engine: PromqlEngine;
  /** Parses expressions when rule files load (a parse error is a load error, as in promtool). */
  checkExpr?: ExprCheck;
}

function loadRuleGroups(files: readonly string[], order: readonly string[], check?: ExprCheck): RuleGroupSpec[] {
  const groups = files.flatMap((f) => parseRuleFile(readInputText(f, MAX_RULE_FILE_BYTES), f, check));
  const rank = new Map(order.map((name, i) => [name, i]));
  // Groups not named in group_eval_order come first (order 0), as with promtool's partial order.
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => (rank.get(a.g.name) ?? 0) - (rank.get(b.g.name) ?? 0) || a.i - b.i)
    .map(({ g }) => g);
}

/** The failures of one unit-test file (empty: it passed). Warnings go to `io.stderr`. */
export function unitTestFailures(file: string, opts: UnitTestOptions, io: UnitTestIo): string[] {
  let text: string;
  try {
    text = readInputText(file, MAX_RULE_FILE_BYTES);
  } catch (e) {
    return [
      `open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
    ];
  }
  try {
    const spec = parseUnitTestFile(text, file);
    const seen = new Set<string>();
    for (const g of spec.groupEvalOrder) {
      if (seen.has(g)) return [`group name repeated in evaluation order: ${g}`];
      seen.add(g);
    }
    const ruleFiles: string[] = [];
    for (const rf of spec.ruleFiles) {
      const path = rf !== '' && !isAbsolute(rf) ? join(dirname(file), rf) : rf;
      const matched = glob(path);
      if (matched.length === 0) io.stderr.write(`  WARNING: no file match pattern ${path}\n`);
      ruleFiles.push(...matched);
    }
    const errs: string[] = [];
    for (const tg of spec.tests) {
      let ruleGroups: RuleGroupSpec[];
      try {
        ruleGroups = loadRuleGroups(ruleFiles, spec.groupEvalOrder, opts.checkExpr);
      } catch (e) {
        errs.push((e as Error).message);
        continue;
      }
      errs.push(
        ...runTestGroup(tg, { engine: opts.engine, ruleGroups, evaluationIntervalMs: spec.evaluationIntervalMs }),
      );
    }
    return errs;
  } catch (e) {
    return [(e as Error).message];
  }
}

/** Runs every file; returns promtool's exit code (0 all passed, 1 otherwise). */
export function runUnitTests(files: readonly string[], opts: UnitTestOptions, io: UnitTestIo): number {
  let failed = false;
  for (const f of files) {
    io.stdout.write(`Unit Testing:  ${f}\n`);
    const errs = unitTestFailures(f, opts, io);
    if (errs.length > 0) {
      io.stderr.write('  FAILED:\n');
      for (const e of errs) {
        io.stderr.write(`${e}\n`);
        io.stdout.write('\n');
      }
      failed = true;
    } else io.stdout.write('  SUCCESS\n');
    io.stdout.write('\n');
  }
  return failed ? 1 : 0;
}
