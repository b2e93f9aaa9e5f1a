import { neutralise } from '../text/terminal.ts';

/**
 * A rotation as a list of steps, each with its undo. On the first failure the steps done so far are undone in
 * reverse order, then every server whose files were already written is saved again, so the server and its files
 * are as they were. Messages quote servers only through neutralise, and never carry a password (the commands
 * that send one are not quoted).
 */
export interface Step {
  what: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
  /** What the undo does, as a user reads it. */
  undoWhat?: string;
  /** After a rollback: write the server's files again (ACL SAVE / CONFIG REWRITE), once this step has run. */
  persistAgain?(): Promise<void>;
}

export interface StepReport {
  what: string;
  ok: boolean;
  error?: string;
}

export interface StepsReport {
  steps: StepReport[];
  /** Present when a step failed: what was undone. */
  rolledBack?: StepReport[];
}

/** The most of an error shown: a server's error line may be 64 KB. */
const ERROR_CHARS = 300;

function describe(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return neutralise(message.length > ERROR_CHARS ? `${message.slice(0, ERROR_CHARS)}…` : message);
}

/** `afterStep`: a test seam, called after each step that succeeded (tests break a server there). */
export async function runSteps(steps: Step[], afterStep?: (what: string) => Promise<void>): Promise<StepsReport> {
  const report: StepsReport = { steps: [] };
  const done: Step[] = [];
  for (const step of steps) {
    try {
      await step.run();
      report.steps.push({ what: step.what, ok: true });
      done.push(step);
      await afterStep?.(step.what);
    } catch (err) {
      if (!done.includes(step)) report.steps.push({ what: step.what, ok: false, error: describe(err) });
      // A save that failed half-way (ACL SAVE done, CONFIG REWRITE not) is saved again too.
      report.rolledBack = await rollBack(done, done.includes(step) ? undefined : step);
      return report;
    }
  }
  return report;
}

async function rollBack(done: Step[], failed: Step | undefined): Promise<StepReport[]> {
  const out: StepReport[] = [];
  for (const step of [...done].reverse()) {
    if (!step.undo) continue;
    try {
      await step.undo();
      out.push({ what: step.undoWhat ?? `undo: ${step.what}`, ok: true });
    } catch (err) {
      out.push({ what: step.undoWhat ?? `undo: ${step.what}`, ok: false, error: describe(err) });
    }
  }
  for (const step of failed ? [...done, failed] : done) {
    if (!step.persistAgain) continue;
    try {
      await step.persistAgain();
      out.push({ what: `save again: ${step.what.replace(/^save /, '')}`, ok: true });
    } catch (err) {
      out.push({ what: `save again: ${step.what.replace(/^save /, '')}`, ok: false, error: describe(err) });
    }
  }
  return out;
}

export function renderSteps(report: StepsReport): string {
  const line = (s: StepReport) => `  ${s.ok ? 'ok    ' : 'FAILED'} ${s.what}${s.error ? `: ${s.error}` : ''}`;
  const lines = report.steps.map(line);
  if (report.rolledBack) {
    const failed = report.rolledBack.filter((s) => !s.ok);
    const onlySaves = failed.every((s) => s.what.startsWith('save again'));
    lines.push(
      '',
      failed.length === 0
        ? 'Rolled back: every server is as it was (users, masterauth, and their files), and no credential file changed:'
        : onlySaves
          ? "Rolled back on every server, but saving again failed where shown: that server's file may hold the new password's hash until a save works there (fix it, then ACL SAVE / CONFIG REWRITE):"
          : 'Rolling back FAILED for the steps below: check the user with ACL GETUSER on each server before anything else:',
      ...report.rolledBack.map(line),
    );
  }
  return `${lines.join('\n')}\n`;
}
