import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CHECKS, STATUS_MEANING } from '../../src/doctor/finding.ts';

/** README's Troubleshooting section names doctor's steps and statuses as the command prints them. */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('### Troubleshooting'), README.indexOf('## Rotating credentials'));

test("every step the doctor prints is in README's Troubleshooting, under its printed name", () => {
  for (const check of CHECKS) assert.ok(section.includes(`\`${check}\``), `README does not name the step "${check}"`);
});

test("README's step table names no step the doctor does not print", () => {
  const table = section.slice(section.indexOf('| Step |'), section.indexOf('Then, for the addresses you give'));
  const rows = table.split('\n').filter((l) => l.startsWith('| `'));
  assert.ok(rows.length > 5);
  for (const row of rows) {
    const names = [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    for (const n of names) assert.ok((CHECKS as readonly string[]).includes(n), `README names a step "${n}"`);
  }
});

test('README lists every status with what it does to the exit code', () => {
  for (const status of Object.keys(STATUS_MEANING)) {
    const printed = status === 'warn' || status === 'fail' ? status.toUpperCase() : status;
    assert.match(section, new RegExp(`^\\| \`${printed}\` \\|.*\\| [01] \\|$`, 'm'), status);
  }
});
