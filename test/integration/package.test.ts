import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'redoubt-pack-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('npm pack → npm install → npx redoubt works', { timeout: 180_000 }, async () => {
  // --ignore-scripts: `prepare` would rebuild dist/ (rm, then write) while other test files run bin/redoubt.js
  // from it; the test command built dist/ before any test started.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
  const info = JSON.parse(stdout)[0] as { filename: string; files: Array<{ path: string }> };
  const paths = info.files.map((f) => f.path);
  assert.ok(paths.includes('bin/redoubt.js'));
  assert.ok(paths.includes('dist/cli.js'));
  assert.ok(paths.includes('dist/data/common-passwords.txt'), 'the common-password list ships with the package');
  for (const page of ['dist/web/index.html', 'dist/web/login.html'])
    assert.ok(paths.includes(page), `the console's ${page} ships with the package`);
  assert.ok(
    paths.some((p) => /^dist\/web\/assets\/app-[A-Z0-9]+\.js$/.test(p)),
    "the console's script ships",
  );
  assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('src/')), 'tests and sources are not shipped');
  const app = join(dir, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)], {
    cwd: app,
    maxBuffer: 1 << 24,
  });
  const help = await run('npx', ['--no-install', 'redoubt', 'exporter', '--help'], { cwd: app });
  assert.match(help.stdout, /--redis\.addr/);
});
