/**
 * AlertCase data (alert-cases.ts) → a `promtool test rules` file, and a small runner for promtool. One promtool
 * test group per case, so the cases never see each other's series.
 */
import { spawn } from 'node:child_process';
import { stringify } from 'yaml';
import type { Alert } from '../../src/catalog/alerts.ts';
import { requireBinary } from '../support/binaries.ts';
import type { AlertCase } from './alert-cases.ts';

export interface PromtoolTestOptions {
  /** Rule file path as written in `rule_files` (relative to the test file). */
  ruleFile: string;
  /** The catalogue the rules were rendered from: supplies the static runbook annotation. */
  alerts: readonly Alert[];
  /** The runbookBaseUrl the rules were rendered with, if any. */
  runbookBaseUrl?: string;
  /** Rule evaluation interval, default '1m'. */
  evaluationInterval?: string;
}

export function caseTitle(c: AlertCase): string {
  return `${c.alert}${c.trap ? ` [${c.trap}]` : ''}: ${c.name}`;
}

export function renderPromtoolTests(cases: readonly AlertCase[], options: PromtoolTestOptions): string {
  const byName = new Map(options.alerts.map((a) => [a.name, a]));
  const staticAnnotations = (name: string): Record<string, string> => {
    const a = byName.get(name);
    if (!a) throw new Error(`no alert ${name} in the catalogue`);
    const out: Record<string, string> = { runbook: a.runbook };
    if (options.runbookBaseUrl) out.runbook_url = `${options.runbookBaseUrl}#${a.name.toLowerCase()}`;
    return out;
  };
  const tests = cases.map((c) => ({
    name: caseTitle(c),
    interval: c.interval ?? '1m',
    input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
    alert_rule_test: c.checks.map((check) => {
      const alertname = check.alert ?? c.alert;
      return {
        eval_time: check.at,
        alertname,
        exp_alerts: check.expect.map((e) => ({
          exp_labels: e.labels,
          exp_annotations: { ...e.annotations, ...staticAnnotations(alertname) },
        })),
      };
    }),
  }));
  return stringify(
    { rule_files: [options.ruleFile], evaluation_interval: options.evaluationInterval ?? '1m', tests },
    { lineWidth: 0, indentSeq: true },
  );
}

export interface PromtoolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool with `args` (e.g. ['test', 'rules', file]) in `cwd`. */
export function runPromtool(args: string[], cwd: string, timeoutMs = 60000): Promise<PromtoolRun> {
  const bin = requireBinary('promtool');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`promtool ${args.join(' ')} did not finish within ${timeoutMs}ms`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
