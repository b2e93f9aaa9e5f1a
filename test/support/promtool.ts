import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.ts';

export interface PromtoolResult {
  /** 0 clean, 3 lint findings only (the text parses; acceptable), 1 parse error. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `promtool check metrics` with `body` on stdin. */
export async function promtoolCheckMetrics(body: string, timeoutMs = 30000): Promise<PromtoolResult> {
  const bin = requireBinary('promtool');
  return new Promise<PromtoolResult>((resolve, reject) => {
    const child = spawn(bin, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`promtool check metrics did not finish within ${timeoutMs}ms`));
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
    // promtool may exit before reading everything (parse error); ignore EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(body);
  });
}

/** True when promtool could parse the exposition (0 or lint-only 3). */
export function promtoolParsed(r: PromtoolResult): boolean {
  return r.code === 0 || r.code === 3;
}
