/**
 * The console in a real browser against a real `redoubt up` watching a real redis-server: sign in, the overview,
 * an instance page's charts drawn with data, RedisDown pending then firing on the alerts page while a webhook
 * receiver gets it, a silence, the audit log, sign out; a viewer cannot silence. RedisDown comes from the catalogue
 * (buildAlerts) with a 15 s `for` instead of its default, through --rules, so pending is seen before firing.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildAlerts } from '../../src/catalog/alerts.ts';
import { renderAlertRules } from '../../src/catalog/render-rules.ts';
import { launchChromium, requireBuiltConsole, screenshots, signIn, until } from '../support/console-browser.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const ADMIN_PASSWORD = 'correct horse battery staple 42';
const VIEWER_PASSWORD = 'viewer password for the browser test';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-e2e-'));
const dataDir = join(dir, 'data');
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
let hook: WebhookReceiver;
let up: RunningUp;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const LAYOUT_SHIFTS = `window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__layoutShift += e.value;
}).observe({ type: 'layout-shift', buffered: true });`;

before(async () => {
  requireBuiltConsole();
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  hook = await startWebhookReceiver();
  cleanups.push(() => hook.stop());
  const rules = join(dir, 'redis-down.rules.yml');
  writeFileSync(rules, renderAlertRules(buildAlerts({ downFor: '15s' }).filter((a) => a.name === 'RedisDown')));
  up = await startUp(
    [
      ...['--redis', redis.url, '--data-dir', dataDir, '--scrape-interval', '1s', '--security-interval', '5s'],
      ...['--webhook-url', hook.url, '--rules', rules],
    ],
    { REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    60_000,
  );
  cleanups.push(() => up.stop('SIGKILL'));
  const pw = join(dir, 'viewer-password');
  writeFileSync(pw, `${VIEWER_PASSWORD}\n`, { mode: 0o600 });
  chmodSync(pw, 0o600);
  const added = await runCli([
    'up',
    'user',
    'add',
    'vera',
    '--role',
    'viewer',
    '--password-file',
    pw,
    '--data-dir',
    dataDir,
  ]);
  assert.equal(added.code, 0, added.stderr);
  browser = await launchChromium();
  cleanups.push(() => browser.close());
  admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Layout shifts of every page, summed as Chrome reports them (the pages reserve room for what is loading).
  await admin.addInitScript(LAYOUT_SHIFTS);
  page = await admin.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('the console in a browser', { timeout: 300_000 }, () => {
  test('a page without a session goes to the login page; a wrong password says so without naming the user', async () => {
    await page.goto(`${up.url}/`);
    await page.waitForURL(/\/login/);
    await signIn(page, up.url, 'admin', 'not the password');
    await page.getByText('Wrong user name or password.').waitFor({ timeout: 30_000 });
    await signIn(page, up.url, 'nobody-here', 'not the password');
    await page.getByText('Wrong user name or password.').waitFor({ timeout: 30_000 });
    await screenshots(page, 'login');
  });

  test('the admin signs in and sees the redis-server up on the overview', async () => {
    await signIn(page, up.url, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(`${up.url}/`);
    const row = page.locator(`tr[data-instance="${redis.url}"]`);
    await row.waitFor({ timeout: 60_000 });
    await until('the instance up with its version', async () => {
      const text = (await row.textContent()) ?? '';
      return (await row.locator('.badge.up').count()) === 1 && /7\.\d+\.\d+/.test(text) && /master/.test(text);
    });
    assert.equal((await page.getByTestId('who').textContent()) ?? '', 'admin (admin)');
    // It updates by itself every scrape interval (1 s here): the "updated" time moves without a reload.
    const stamp = page.getByTestId('overview-updated');
    const first = (await stamp.textContent()) ?? '';
    await until('the overview to refresh itself', async () => ((await stamp.textContent()) ?? '') !== first, 30_000);
    await screenshots(page, 'overview');
  });

  test('the overview is sorted from the keyboard: Tab reaches a column header, Enter sorts by it', async () => {
    await page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'Ops/s'; i++) {
      await page.keyboard.press('Tab');
      focused = ((await page.evaluate('document.activeElement && document.activeElement.textContent')) as string) ?? '';
    }
    assert.equal(focused, 'Ops/s', 'the Ops/s sort button is reachable by Tab');
    // The focused control is visibly marked.
    const outline = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string;
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Ops/s' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('th[aria-sort="descending"]', { hasText: 'Ops/s' }).waitFor();
  });

  test("the instance page draws the catalogue's panels with data from the Prometheus API", async () => {
    await page.locator(`tr[data-instance="${redis.url}"] a`).click();
    await page.waitForURL(/\/instances\//);
    await page.getByRole('heading', { name: redis.url }).waitFor();
    // Time series panels report what they drew; several need a few scrapes for a rate.
    const drawn = await until(
      'charts with data',
      async () => {
        const counts = await page.$$eval('[data-points]', (els) =>
          els.map((e) => ({ id: e.closest('figure')?.dataset.panelId, points: Number(e.getAttribute('data-points')) })),
        );
        const withData = counts.filter((c) => c.points > 0);
        return withData.length >= 8 ? withData : undefined;
      },
      120_000,
    );
    assert.ok(
      drawn.some((c) => c.id === '301'),
      'commands per second is drawn',
    );
    const canvases = await page.locator('.panel .uplot canvas').count();
    assert.ok(canvases >= 8, `${canvases} uPlot canvases`);
    // uPlot's own data for one chart: the series hold numbers.
    await page.locator('[data-panel-id="201"] .panel-body[data-points]').waitFor();
    const up1 = (await page.locator('[data-panel-id="101"] .big').textContent()) ?? '';
    assert.equal(up1, 'UP');
    // A stat with the catalogue's sparkline draws its history behind the value.
    await page.locator('[data-panel-id="104"] svg.sparkline polyline').waitFor({ timeout: 60_000 });
    // The tooltip shows exact values under the cursor.
    const chart = page.locator('[data-panel-id="201"] .u-over');
    await chart.waitFor({ timeout: 60_000 });
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    await page.locator('[data-panel-id="201"] .tooltip').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await page.locator('[data-panel-id="201"] .tooltip').textContent()) ?? '', /\d+(\.\d+)? (B|KiB|MiB)/);
    // Nothing jumped while 50 panels loaded: Chrome's cumulative layout shift stays under its "good" 0.1.
    const shift = (await page.evaluate('window.__layoutShift')) as number;
    assert.ok(shift < 0.1, `layout shift ${shift}`);
    // Dragging across a chart zooms every chart to the span; "Back to live" returns.
    await chart.scrollIntoViewIfNeeded();
    const drag = await chart.boundingBox();
    assert.ok(drag);
    await page.mouse.move(drag.x + drag.width * 0.5, drag.y + drag.height / 2);
    await page.mouse.down();
    await page.mouse.move(drag.x + drag.width * 0.98, drag.y + drag.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Back to live' }).click({ timeout: 15_000 });
    await page.locator('.range .badge', { hasText: 'live' }).waitFor();
    await screenshots(page, 'instance');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshots(page, 'instance-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('RedisDown goes pending then firing on the alerts page while the webhook receiver gets it; the admin silences it', async () => {
    await redis.stop();
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(/\/alerts$/);
    await page.locator('tr[data-alert="RedisDown"][data-state="pending"]').waitFor({ timeout: 90_000 });
    await screenshots(page, 'alerts-pending');
    await page.locator('tr[data-alert="RedisDown"][data-state="firing"]').waitFor({ timeout: 90_000 });
    const got = await until(
      'RedisDown at the webhook receiver',
      async () => hook.alerts().find((a) => a.labels.alertname === 'RedisDown' && a.status === 'firing'),
      90_000,
    );
    assert.equal(got.labels.instance, redis.url);

    const row = page.locator('tr[data-alert="RedisDown"]');
    await row.getByRole('button', { name: 'Silence…' }).click();
    await page.getByLabel('Duration').selectOption('2h');
    await page.getByLabel('Comment').fill('maintenance <b>window</b>');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.locator('[data-testid="silences"] tr[data-state="active"]').waitFor({ timeout: 30_000 });
    // The comment is shown as text, markup and all.
    assert.equal(
      (await page.locator('[data-testid="silences"] td', { hasText: 'maintenance' }).textContent()) ?? '',
      'maintenance <b>window</b>',
    );
    await row.locator('text=silenced').waitFor({ timeout: 30_000 });
    await screenshots(page, 'alerts-silenced');
    // The notifier's test button sends one notification to the receiver and says how it went.
    const before = hook.notifications.length;
    await page.getByRole('button', { name: 'Send test notification' }).click();
    await page.getByText(/^Delivered: /).waitFor({ timeout: 30_000 });
    await until('the test notification at the receiver', async () => hook.notifications.length > before, 30_000);
  });

  test('the security and audit-log pages show the audit and who did what', async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.waitForURL(/\/security$/);
    await page.locator(`section[data-instance="${redis.url}"]`).waitFor({ timeout: 60_000 });
    // The score says what it grades (the default user: nothing held back by permissions).
    const coverage = page.locator(`section[data-instance="${redis.url}"] [data-testid="coverage"]`);
    assert.match((await coverage.textContent()) ?? '', /^Graded on \d+ of \d+ checks/);
    assert.doesNotMatch((await coverage.textContent()) ?? '', /could not run as this user/);
    await screenshots(page, 'security');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit-log$/);
    const log = page.getByTestId('audit-log');
    await until('the login and the silence in the audit log', async () => {
      const text = (await log.textContent()) ?? '';
      return /admin/.test(text) && /silence/i.test(text) && /login/i.test(text);
    });
    assert.doesNotMatch((await log.textContent()) ?? '', new RegExp(ADMIN_PASSWORD));
    await screenshots(page, 'audit-log');
  });

  test('signing out ends the session: the pages go back to the login page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${up.url}/alerts`);
    await page.waitForURL(/\/login/);
  });

  test('the login returns to the page that was opened; a `next` that leaves the site returns to the overview', async () => {
    const instance = `/instances/${encodeURIComponent(redis.url)}?range=3600`;
    await page.goto(`${up.url}${instance}`);
    await page.waitForURL(/\/login\?next=/);
    await signIn(page, up.url, 'admin', ADMIN_PASSWORD, null);
    await page.waitForURL((u) => u.href === `${up.url}${instance}`);
    await page.getByRole('heading', { name: redis.url }).waitFor();
    const attempts = [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      '/\t/evil.example',
      'javascript:1',
    ];
    for (const next of attempts) {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login/);
      await signIn(page, up.url, 'admin', ADMIN_PASSWORD, `/login?next=${encodeURIComponent(next)}`);
      await page.waitForURL((u) => u.href === `${up.url}/`);
      await page.getByTestId('who').waitFor();
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  });

  test('a viewer sees the alerts but cannot silence them, in the page or by a request of its own', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const vpage = await viewer.newPage();
      await signIn(vpage, up.url, 'vera', VIEWER_PASSWORD);
      await vpage.waitForURL(`${up.url}/`);
      await vpage.getByRole('link', { name: 'Alerts' }).click();
      const row = vpage.locator('tr[data-alert="RedisDown"]');
      await row.waitFor({ timeout: 60_000 });
      assert.equal(await row.getByRole('button', { name: 'Silence…' }).isDisabled(), true);
      assert.equal(await vpage.getByRole('button', { name: 'Send test notification' }).isDisabled(), true);
      assert.equal(await vpage.getByRole('button', { name: 'Expire now' }).first().isDisabled(), true);
      assert.equal(await vpage.getByRole('link', { name: 'Audit log' }).count(), 0);
      const status = await vpage.evaluate(async () => {
        const s = (await (await fetch('/console/api/session')).json()) as { csrfToken: string };
        const r = await fetch('/console/api/silences', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken },
          body: JSON.stringify({
            matchers: [{ name: 'alertname', value: 'RedisDown', isRegex: false }],
            duration: '1h',
            comment: 'x',
          }),
        });
        return r.status;
      });
      assert.equal(status, 403);
      await screenshots(vpage, 'alerts-viewer');
    } finally {
      await viewer.close();
    }
    assert.deepEqual(pageErrors, []);
  });
});
