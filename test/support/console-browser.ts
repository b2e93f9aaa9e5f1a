/**
 * The console's browser tests: Debian's chromium driven by playwright-core (never a downloaded browser), a real
 * redis-server and a real `redoubt up` (bin/redoubt.js, built by scripts/build.mjs) with its console, and the
 * screenshots they save under .screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { requireBinary } from './binaries.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../.screenshots/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built console (dist/web): a test that spawns bin/redoubt.js needs `node scripts/build.mjs` first. */
export function requireBuiltConsole(): void {
  if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')) || !existsSync(join(ROOT, 'dist', 'cli.js')))
    throw new Error('dist/ is not built: run `node scripts/build.mjs` before the console browser tests');
}

export async function launchChromium(): Promise<Browser> {
  requireBinary('chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
    timeout: 60_000,
  });
}

/** Polls a condition in the test (not in the page) until it holds, for slow shared machines. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * Readable at the window's width: the document does not scroll sideways (scrolling it right leaves it where it was,
 * and it is no wider than the window), and no table scrolls sideways in its box either (on a phone the console's
 * tables stack their rows instead).
 */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const found = (await page.evaluate(`(() => {
    const d = document.documentElement;
    window.scrollTo(100000, window.scrollY);
    const scrolled = window.scrollX;
    window.scrollTo(0, window.scrollY);
    const boxes = [...document.querySelectorAll('.table-wrap')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => (e.querySelector('table')?.dataset.testid || e.closest('section')?.getAttribute('aria-labelledby') || '?') + ' ' + e.scrollWidth + '>' + e.clientWidth);
    return { scrolled, docWidth: d.scrollWidth, window: window.innerWidth, boxes };
  })()`)) as { scrolled: number; docWidth: number; window: number; boxes: string[] };
  if (found.scrolled !== 0) throw new Error(`${what}: the document scrolls ${found.scrolled} px sideways`);
  if (found.docWidth > found.window)
    throw new Error(`${what}: the document is ${found.docWidth} px wide in a ${found.window} px window`);
  if (found.boxes.length > 0)
    throw new Error(`${what}: tables scroll sideways in their box: ${found.boxes.join(', ')}`);
}

/**
 * Saves the page at 1280 and 390 px wide as .screenshots/<name>-<width>.png, after checking that nothing scrolls
 * sideways (assertNoSidewaysScroll), and returns to 1280.
 */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const saved: string[] = [];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300); // a resize settles (charts follow their box through a ResizeObserver)
    await assertNoSidewaysScroll(page, `${name} at ${width} px`);
    const path = join(SCREENSHOTS, `${name}-${width}.png`);
    await page.screenshot({ path, fullPage: true });
    saved.push(path);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  return saved;
}

/** Signs in through the login page's form (opened at `loginPath`, or the page already shown when it is null). */
export async function signIn(
  page: Page,
  base: string,
  user: string,
  password: string,
  loginPath: string | null = '/login',
): Promise<void> {
  if (loginPath !== null) await page.goto(`${base}${loginPath}`);
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
