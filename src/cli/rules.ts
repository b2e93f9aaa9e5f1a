/**
 * `redoubt rules test FILE…` runs promtool's rule unit tests on redoubt's own engine (same file format, output and
 * exit codes as `promtool test rules`), and `redoubt rules check FILE…` validates rule files as
 * `promtool check rules` does.
 */

import { UsageError } from '../flags/flags.ts';
import { readInputText } from '../fs/read-input.ts';
import { checkPromqlExpression as checkExpression } from '../monitor/alerting/expression-check.ts';
import { MAX_RULE_FILE_BYTES, parseRuleFile } from '../monitor/alerting/rule-file.ts';
import { runUnitTests } from '../monitor/rules-test/run-unit-tests.ts';
import { promqlEngine } from '../promql/engine.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: redoubt rules test FILE…     run rule unit tests (promtool's test file format) on redoubt's engine
       redoubt rules check FILE…    check rule files (Prometheus's rule file format)

Exit codes: 0 every file passed, 1 a test or check failed, 2 bad usage.`;

function checkRules(files: readonly string[], io: CliIo): number {
  let failed = false;
  for (const f of files) {
    io.stdout.write(`Checking ${neutralise(f)}\n`);
    try {
      const groups = parseRuleFile(readInputText(f, MAX_RULE_FILE_BYTES), f, checkExpression);
      io.stdout.write(`  SUCCESS: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found\n\n`);
    } catch (e) {
      failed = true;
      io.stderr.write(`  FAILED:\n${neutralise((e as Error).message)}\n\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Output of the tests passes through neutralise: rule files and series labels are user text. */
function neutralised(w: NodeJS.WritableStream | CliIo['stdout']): { write: (s: string) => boolean } {
  return { write: (s: string) => w.write(s.replace(/[^\n]+/g, (line) => neutralise(line))) };
}

export async function runRules(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...files] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    io.stdout.write(`${USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'test' && sub !== 'check')
    throw new UsageError(`unknown subcommand "${sub}"; use rules test or rules check`);
  if (files.length === 0) throw new UsageError(`rules ${sub} needs at least one file`);
  const flag = files.find((f) => f.startsWith('-'));
  if (flag) throw new UsageError(`unknown flag ${flag}; rules ${sub} takes file names only`);
  if (sub === 'check') return checkRules(files, io);
  const out = { stdout: neutralised(io.stdout), stderr: neutralised(io.stderr) };
  return runUnitTests(files, { engine: promqlEngine, checkExpr: checkExpression }, out as never);
}
