import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Remembers a daemon a test started, so that it is killed when the test process exits without running its
 * `after` hooks (a crash, a timeout): no orphaned servers.
 */
export function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}
