import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSteps, runSteps, type Step } from '../../src/rotate/steps.ts';

function recorder() {
  const log: string[] = [];
  const step = (name: string, fail = false, extra: Partial<Step> = {}): Step => ({
    what: name,
    run: async () => {
      if (fail) throw new Error(`${name} broke \u001b[31m`);
      log.push(`run ${name}`);
    },
    undo: async () => void log.push(`undo ${name}`),
    ...extra,
  });
  return { log, step };
}

test('all steps run in order when none fails', async () => {
  const { log, step } = recorder();
  const r = await runSteps([step('a'), step('b')]);
  assert.deepEqual(log, ['run a', 'run b']);
  assert.equal(r.rolledBack, undefined);
});

test('a failure undoes the steps done, newest first, then saves again, the failed save included', async () => {
  const { log, step } = recorder();
  const saveAgain = (name: string) => async () => void log.push(`save again ${name}`);
  const r = await runSteps([
    step('add'),
    step('save m', false, { undo: undefined, persistAgain: saveAgain('m') }),
    step('save r', true, { undo: undefined, persistAgain: saveAgain('r') }),
    step('never'),
  ]);
  assert.deepEqual(log, ['run add', 'run save m', 'undo add', 'save again m', 'save again r']);
  const text = renderSteps(r);
  assert.match(text, /FAILED save r: save r broke/);
  assert.match(text, /Rolled back: every server is as it was/);
  assert.ok(!text.includes('\u001b'));
});

test('a failed undo is reported as such', async () => {
  const { step } = recorder();
  const r = await runSteps([
    step('add', false, {
      undo: async () => {
        throw new Error('gone');
      },
    }),
    step('boom', true),
  ]);
  assert.match(renderSteps(r), /Rolling back FAILED[\s\S]*FAILED undo: add: gone/);
});

test('afterStep runs after each step that succeeded', async () => {
  const { step } = recorder();
  const seen: string[] = [];
  await runSteps([step('a'), step('b')], async (w) => void seen.push(w));
  assert.deepEqual(seen, ['a', 'b']);
});

test("a server's error of 64 KB (the longest line RESP allows) is shown cut short", async () => {
  const long = `ERR ${'x'.repeat(64 * 1024)}`;
  const report = await runSteps([
    {
      what: 'fail',
      run: async () => {
        throw new Error(long);
      },
    },
  ]);
  assert.ok(renderSteps(report).length < 1000, `${renderSteps(report).length} characters`);
});
