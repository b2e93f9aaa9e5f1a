import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.ts';
import { BIN } from './redoubt.ts';

/** Quotes one argument for sh. */
const shQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

export interface PtyRun {
  code: number | null;
  /** Everything the command wrote to its terminal (stdout and stderr together, with \r\n line ends). */
  output: string;
}

/**
 * Runs the built CLI on a pseudo-terminal, as a person at a terminal would: stdin, stdout and stderr are a TTY
 * (util-linux `script`). Each answer is typed once the output matches its prompt. TERM defaults to xterm-256color,
 * as in a terminal emulator; the environment is otherwise only PATH, HOME and `env`.
 */
export async function runCliInPty(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; answers?: Array<{ prompt: RegExp; type: string }>; timeoutMs?: number } = {},
): Promise<PtyRun> {
  const script = requireBinary('script');
  const command = ['exec', process.execPath, BIN, ...args].map((a, i) => (i === 0 ? a : shQuote(a))).join(' ');
  const answers = [...(options.answers ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(script, ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = 0;
    const onData = (d: Buffer) => {
      output += d;
      const next = answers[0];
      // Only output after the last answer counts for the next prompt.
      if (next?.prompt.test(output.slice(answered))) {
        answers.shift();
        answered = output.length;
        child.stdin.write(next.type);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`redoubt ${args.join(' ')} on a pty did not exit within ${options.timeoutMs ?? 20000}ms: ${output}`),
      );
    }, options.timeoutMs ?? 20000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdin.end();
      resolve({ code, output });
    });
  });
}
