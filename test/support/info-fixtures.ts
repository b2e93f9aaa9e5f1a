import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricFamily } from '../../src/metrics/family.ts';
import type { Snapshot } from '../../src/redis/snapshot.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Captured from redis-server 7.0.15 (see test/fixtures/info/README.md). */
export const INFO_FIXTURES = [
  'master',
  'replica',
  'replica-link-down',
  'replica-syncing',
  'master-saving',
  'stats',
  'cluster',
] as const;

/** A Snapshot rebuilt from test/fixtures/info/NAME.txt (INFO ALL) + test/fixtures/snapshots/NAME.json (the rest). */
export function fixtureSnapshot(name: string): Snapshot {
  const rest = JSON.parse(readFileSync(join(FIXTURES, 'snapshots', `${name}.json`), 'utf8')) as Omit<Snapshot, 'info'>;
  return { ...rest, info: readFileSync(join(FIXTURES, 'info', `${name}.txt`), 'utf8') };
}

/**
 * Deep-equals families against test/fixtures/golden/FILE; REDOUBT_UPDATE_GOLDEN=1 rewrites the file instead.
 * Compared after a JSON round trip, which is also what the file holds (so -0 and 0 are the same).
 */
export function assertGolden(file: string, families: MetricFamily[]): void {
  const path = join(FIXTURES, 'golden', file);
  const actual = JSON.parse(JSON.stringify(families)) as unknown;
  if (process.env.REDOUBT_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, goldenText(families));
    return;
  }
  if (!existsSync(path)) assert.fail(`${path} is missing; run the test with REDOUBT_UPDATE_GOLDEN=1 to create it`);
  assert.deepStrictEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}

/** One family header and one sample per line, so golden diffs read like exposition diffs. */
function goldenText(families: MetricFamily[]): string {
  const fams = families.map((f) => {
    const head = JSON.stringify({ name: f.name, type: f.type, help: f.help });
    const samples = f.samples.map((x) => `  ${JSON.stringify(x)}`).join(',\n');
    return ` ${head.slice(0, -1)},"samples":[\n${samples}\n ]}`;
  });
  return `[\n${fams.join(',\n')}\n]\n`;
}
