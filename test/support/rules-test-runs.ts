import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import { runPromtool } from '../catalog/promtool-tests.ts';

/** Output and per-file verdicts of one `test rules` run over several files. */
export interface RulesTestRun {
  code: number;
  stdout: string;
  stderr: string;
  /** File → passed, from "Unit Testing:  FILE" followed by "  SUCCESS" on stdout. */
  passed: Map<string, boolean>;
}

function verdicts(stdout: string, files: readonly string[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const lines = stdout.split('\n');
  lines.forEach((line, i) => {
    if (line.startsWith('Unit Testing:  ')) out.set(line.slice('Unit Testing:  '.length), lines[i + 1] === '  SUCCESS');
  });
  for (const f of files) if (!out.has(f)) throw new Error(`no verdict for ${f} in:\n${stdout}`);
  return out;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  return { stream, text: () => text };
}

/** `promtool test rules FILE…` (absolute paths). */
export async function promtoolTestRules(files: readonly string[]): Promise<RulesTestRun> {
  const r = await runPromtool(['test', 'rules', ...files], '/', 120000);
  return { ...r, passed: verdicts(r.stdout, files) };
}

/** `redoubt rules test FILE…`, in this process. */
export async function redoubtTestRules(files: readonly string[]): Promise<RulesTestRun> {
  const out = collector();
  const err = collector();
  const code = await main(['rules', 'test', ...files], {
    stdout: out.stream,
    stderr: err.stream,
    env: {},
    stopSignal: new Promise(() => {}),
  });
  return { code, stdout: out.text(), stderr: err.text(), passed: verdicts(out.text(), files) };
}
