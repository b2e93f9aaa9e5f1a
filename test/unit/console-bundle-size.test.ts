import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildWeb, OVERVIEW_SCRIPT_BUDGET_BYTES } from '../../scripts/build-web.mjs';

const out = mkdtempSync(join(tmpdir(), 'redoubt-web-'));
after(() => rmSync(out, { recursive: true, force: true }));

test('the overview loads under 200 KB of gzip-compressed script; uPlot waits for the instance page', async () => {
  const built = await buildWeb(out);
  assert.ok(
    built.overviewScriptGzipBytes < OVERVIEW_SCRIPT_BUDGET_BYTES,
    `overview script ${built.overviewScriptGzipBytes} B gzip, budget ${OVERVIEW_SCRIPT_BUDGET_BYTES} B`,
  );
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  const loaded = [...index.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  assert.ok(loaded.length >= 1);
  for (const f of loaded) {
    assert.doesNotMatch(readFileSync(join(out, 'assets', f), 'utf8'), /uPlot|u-select/, `${f} holds uPlot`);
  }
  // uPlot is in the build, in a chunk the first load does not name.
  const js = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js'));
  assert.ok(
    js.some((f) => /u-select/.test(readFileSync(join(out, 'assets', f), 'utf8'))),
    'uPlot chunk missing',
  );
});

test('the pages hold no inline script or style and fetch nothing from elsewhere (a strict CSP and offline use)', () => {
  for (const page of ['index.html', 'login.html']) {
    const html = readFileSync(join(out, page), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${page}: inline script`);
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, `${page}: inline style or handler`);
    assert.doesNotMatch(html, /https?:\/\//, `${page}: a URL off this site`);
  }
  for (const f of readdirSync(join(out, 'assets'))) {
    const text = readFileSync(join(out, 'assets', f), 'utf8');
    assert.doesNotMatch(text, /@font-face|fonts\.googleapis|cdn\./i, `${f} fetches fonts or a CDN`);
  }
});

test('the pages put server strings in the DOM as text only (no innerHTML, no dangerouslySetInnerHTML)', () => {
  const web = fileURLToPath(new URL('../../web/', import.meta.url));
  const files = readdirSync(web, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
  assert.ok(files.length > 10);
  for (const f of files) {
    const text = readFileSync(join(web, f), 'utf8');
    assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write/, f);
  }
});
