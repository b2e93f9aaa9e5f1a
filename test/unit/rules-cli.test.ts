import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { main } from '../../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-rules-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _e, cb) {
        add(String(chunk));
        cb();
      },
    });
  const code = await main(argv, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: {},
    stopSignal: new Promise(() => {}),
  });
  return { code, stdout, stderr };
}

writeFileSync(
  join(dir, 'r.yml'),
  'groups:\n  - name: g\n    rules:\n      - alert: High\n        expr: x > 5\n        annotations:\n          s: "\\u001b[31m{{ $labels.i }}"\n',
);
writeFileSync(
  join(dir, 'pass.yml'),
  'rule_files: [r.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: x{i="a"}\n        values: 1 9\n    alert_rule_test:\n      - eval_time: 1m\n        alertname: High\n        exp_alerts:\n          - exp_labels: {i: a}\n            exp_annotations: {s: "\\u001b[31ma"}\n',
);
writeFileSync(
  join(dir, 'fail.yml'),
  'rule_files: [r.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: x{i="a"}\n        values: 1 9\n    alert_rule_test:\n      - eval_time: 1m\n        alertname: High\n',
);

describe('redoubt rules', () => {
  test('test: 0 when every file passes, 1 when one fails, as promtool', async () => {
    const ok = await run('rules', 'test', join(dir, 'pass.yml'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `Unit Testing:  ${join(dir, 'pass.yml')}\n  SUCCESS\n\n`);
    const bad = await run('rules', 'test', join(dir, 'pass.yml'), join(dir, 'fail.yml'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ {2}FAILED:\n {4}alertname: High, time: 1m, \n/);
    assert.ok(!bad.stderr.includes('\u001b'), 'escape sequences from the files never reach the terminal');
    assert.match(bad.stderr, /s="\\x1b\[31ma"/);
  });

  test('test: a missing or malformed file fails with a message naming it', async () => {
    const missing = await run('rules', 'test', join(dir, 'nope.yml'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /open .*nope\.yml: no such file or directory/);
    writeFileSync(join(dir, 'typo.yml'), 'rule_files: [r.yml]\ntests:\n  - intervall: 1m\n');
    const typo = await run('rules', 'test', join(dir, 'typo.yml'));
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /typo\.yml:3: tests\[0\]\.intervall: unknown key/);
  });

  test('check: counts the rules of a good file, names the line of a bad one', async () => {
    const ok = await run('rules', 'check', join(dir, 'r.yml'));
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /SUCCESS: 1 rules found/);
    writeFileSync(join(dir, 'bad.yml'), 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(\n');
    const bad = await run('rules', 'check', join(dir, 'bad.yml'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.yml:5: groups\[0\]\.rules\[0\]\.expr: could not parse expression/);
  });

  test('usage errors exit 2 with one line', async () => {
    for (const argv of [
      ['rules', 'test'],
      ['rules', 'frobnicate', 'x'],
      ['rules', 'test', '--bogus'],
    ]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
