import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { EventPage } from '../../main/contract/api.js';
import { fixturePayloads, postJson, REPO } from '../support/harness.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, useDashboard, type DashboardStack } from './support.js';

/**
 * The dashboard end to end in real Chromium: a real core (SQLite file, receiver on 127.0.0.1), the API
 * service and the dashboard server in this process, the renderer built from the current source. Posts
 * go to the real receiver; what the page shows comes over HTTP and the event stream.
 *
 * Screenshots of each screen go to test-artifacts/dashboard/ (look at them when changing a screen).
 * No assertion is about speed: waits are generous and the time a row took to appear is only printed;
 * bench/dashboard.ts measures it.
 */

// Functions given to page.evaluate run in the page. The test program is compiled without the DOM library
// (test code is Node code), so the few page globals those functions use are declared here, for this file only.
declare const document: any;
declare const window: any;
declare const navigator: any;
declare function getComputedStyle(element: unknown): any;

const ARTIFACTS = join(REPO, 'test-artifacts', 'dashboard');
const WAIT = { timeout: 10_000 };

if (!HAVE_CHROMIUM) console.log(`dashboard end-to-end tests ${NO_CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM)('the dashboard in real Chromium', () => {
  const dash = useDashboard({ screenshots: ARTIFACTS });
  let stack: DashboardStack;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const storedIds: number[] = [];

  const rows = () => page.locator('[data-testid="feed-list"] [role="option"]');
  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(ARTIFACTS, name), fullPage: false });

  async function api<T>(method: string, ...args: unknown[]): Promise<T> {
    const res = await fetch(`${stack.dashboard.origin}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hookwatch-token': stack.dashboard.token },
      body: JSON.stringify(args),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  async function post(body: unknown): Promise<number[]> {
    const r = await postJson(stack.receiverUrl, body);
    expect(r.status, r.text).toBe(200);
    return (r.json.events as Array<{ id: number }>).map((e) => e.id);
  }

  function message(uid: string, text: string, extra: Record<string, unknown> = {}) {
    return {
      event_type: 'message:new',
      chat: { full_name: 'Robin Reader', chat_id: 7700, phone: '+15555550177' },
      whatsapp_account: { full_name: 'Dana Owner', phone: '+15555550100' },
      message: { text, direction: 'received', timestamp: '2025-03-02 16:00:00 +0000', message_uid: uid, ...extra },
    };
  }

  async function openScreen(name: string) {
    await page.getByTestId(`nav-${name}`).click();
  }

  beforeAll(async () => {
    stack = dash.stack;
    // The page's own CSP stays on: the last test checks that nothing broke it.
    const opened = await dash.openPage('light', { width: 1280, height: 800 }, { bypassCSP: false, acceptDownloads: true });
    dash.defer(() => opened.close());
    context = opened.context;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.dashboard.origin });
    page = opened.page;
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  test('a request without the token is refused', async () => {
    const res = await page.goto(`${stack.dashboard.origin}/`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('token');
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/getSettings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
      return r.status;
    });
    expect(api).toBe(401);
  });

  test('first run: the webhook URL with a copy button and each provider’s steps', async () => {
    await page.goto(stack.dashboard.url);
    await page.getByRole('heading', { name: 'Set up Hookwatch' }).waitFor(WAIT);
    expect(await page.getByTestId('webhook-url').inputValue()).toBe(stack.receiverUrl);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(stack.receiverUrl);
    await page.getByRole('heading', { name: 'TimelinesAI' }).waitFor();
    await page.getByRole('heading', { name: 'WhatsAble' }).waitFor();
    await page.getByText('Waiting for the first event…').waitFor();
    await shot('first-run.png');
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor(WAIT);
  });

  test('fixtures posted to the receiver stream into the live feed, newest first, without a reload', async () => {
    await openScreen('feed');
    await page.getByText('No events yet').waitFor(WAIT);
    const started = Date.now();
    for (const f of fixturePayloads()) storedIds.push(...(await post(f.body)));
    await rows()
      .nth(storedIds.length - 1)
      .waitFor(WAIT);
    console.log(`dashboard e2e: ${storedIds.length} events visible ${Date.now() - started} ms after the first POST`);
    expect(await rows().count()).toBe(storedIds.length);
    const shownIds = await rows().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-event-id'))));
    expect(shownIds).toEqual([...storedIds].sort((a, b) => b - a));
    await shot('feed.png');
  });

  test('search finds exactly the one message that says it', async () => {
    await page.getByTestId('search').fill('today');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed-list"] [role="option"]').length === 1, null, WAIT);
    const row = rows().first();
    expect(await row.textContent()).toContain('Yes, it shipped today.');
    expect(await row.locator('mark').textContent()).toBe('today');
    await shot('feed-search.png');
    await page.getByTestId('search').fill('');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="feed-list"] [role="option"]').length === n,
      storedIds.length,
      WAIT,
    );
  });

  test('a filter by account shows that account’s events only', async () => {
    const expected = await api<EventPage>('listEvents', { account: '+15555550100' });
    expect(expected.events.length).toBeGreaterThan(0);
    expect(expected.events.length).toBeLessThan(storedIds.length);
    await page.getByTestId('filter-account').selectOption('+15555550100');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="feed-list"] [role="option"]').length === n,
      expected.events.length,
      WAIT,
    );
    const shownIds = await rows().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-event-id'))));
    expect(shownIds).toEqual(expected.events.map((e) => e.id));
    // A live event of another account does not slip into the filtered feed; one of this account does.
    await post({ ...message('acct-filter-1', 'for the filtered account'), whatsapp_account: { phone: '+15555550100' } });
    await post({ ...message('acct-filter-2', 'another account entirely'), whatsapp_account: { phone: '+15555550999' } });
    await page.getByText('for the filtered account').waitFor(WAIT);
    await shot('feed-filter-account.png');
    expect(await page.getByText('another account entirely').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.getByText('another account entirely').waitFor(WAIT);
  });

  test('the detail shows the normalized fields, the raw body, headers, and a curl that replays it', async () => {
    const messageNew = (await api<EventPage>('listEvents', { type: 'message:new', limit: 1000 })).events.find(
      (e) => e.text === 'Hi, is my order shipped?',
    )!;
    await page.locator(`[data-event-id="${messageNew.id}"]`).click();
    const detail = page.getByTestId('event-detail');
    await detail.getByTestId('raw-body').waitFor(WAIT);
    const raw = await detail.getByTestId('raw-body').textContent();
    const fixture = JSON.parse(fixturePayloads().find((f) => f.name === 'tl_message_new.json')!.body);
    expect(JSON.parse(raw!)).toEqual(fixture);
    expect(raw).toContain('\n  "event_type": "message:new"');
    expect(await detail.getByTestId('message-text').textContent()).toBe('Hi, is my order shipped?');
    expect(await detail.getByTestId('delivery-count').textContent()).toBe('1');
    expect(await detail.locator('table.headers').textContent()).toContain('content-type');
    await shot('event-detail.png');

    await detail.getByText('Show the command').click();
    const curl = (await detail.getByTestId('curl').textContent())!;
    expect(curl).toContain(stack.receiverUrl);
    // The replay really reaches the receiver: the delivery count goes to 2, live.
    const out = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `${curl} --max-time 10`], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(JSON.parse(out)).toMatchObject({ ok: true, duplicate: true });
    await page.locator(`[data-event-id="${messageNew.id}"]`).getByText('×2').waitFor(WAIT);
    // The secret never travelled through the server's log.
    expect(stack.logLines.join('\n')).not.toContain(new URL(stack.receiverUrl).pathname);
  });

  test('keyboard: arrows move through the feed, Escape closes the event', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('event-detail').waitFor({ state: 'detached', ...WAIT });
    await page.getByTestId('feed-list').focus();
    await page.keyboard.press('Home');
    const first = await rows().first().getAttribute('data-event-id');
    await page.locator(`[data-event-id="${first}"][aria-selected="true"]`).waitFor(WAIT);
    await page.keyboard.press('ArrowDown');
    const second = await rows().nth(1).getAttribute('data-event-id');
    await page.locator(`[data-event-id="${second}"][aria-selected="true"]`).waitFor(WAIT);
    expect(await page.getByTestId('feed-list').getAttribute('aria-activedescendant')).toBe(`event-row-${second}`);
    await page.keyboard.press('k');
    await page.locator(`[data-event-id="${first}"][aria-selected="true"]`).waitFor(WAIT);
    await page.getByTestId('event-detail').waitFor(WAIT);
    await page.keyboard.press('Escape');
    await page.getByTestId('event-detail').waitFor({ state: 'detached', ...WAIT });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search');
  });

  test('untrusted text is shown as text: message HTML and the v1 aggregation HTML never become elements', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';
    await post(message('hostile-1', hostile));
    await post({
      whatsapp_account: { full_name: 'Dana Owner', email: 'dana.owner@example.com', phone: '+15555550100' },
      chat: { full_name: 'Bundle Chat', chat_id: '4811300', phone: '+15555550160' },
      messages: [{ message_id: 'v1-a', text: 'first of the bundle', direction: 'received', timestamp: '2021-02-24T16:25:29+0000' }],
      first_message_timestamp: '2021-02-24T16:25:29+0000',
      last_message_timestamp: '2021-02-24T16:25:29+0000',
      aggregation: '<p><img src=x onerror="window.__pwned=2">first of the bundle</p>',
    });
    await page.getByText(hostile).first().waitFor(WAIT);
    await page.getByText('first of the bundle').first().click();
    const detail = page.getByTestId('event-detail');
    await detail.getByText('Aggregation (HTML from the provider, shown as text)').waitFor(WAIT);
    await detail.getByText('<p><img src=x onerror="window.__pwned=2">first of the bundle</p>').waitFor(WAIT);
    expect(await page.locator('#root img').count()).toBe(0);
    expect(await page.locator('#root b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot('event-detail-v1-aggregation.png');
    await page.keyboard.press('Escape');
  });

  test('scrolling away pauses the stream behind an "N new" pill; the pill brings them in', async () => {
    for (let i = 0; i < 40; i++) await post(message(`scroll-${i}`, `filler message ${i}`));
    await page.getByText('filler message 39').waitFor(WAIT);
    const list = page.getByTestId('feed-list');
    await list.evaluate((el) => {
      el.scrollTop = 600;
      el.dispatchEvent(new Event('scroll'));
    });
    const topBefore = await page.evaluate(() =>
      Math.max(...[...document.querySelectorAll('[data-event-id]')].map((e) => Number(e.getAttribute('data-event-id')))),
    );
    for (let i = 0; i < 3; i++) await post(message(`paused-${i}`, `arrived while reading ${i}`));
    await page.getByTestId('new-pill').filter({ hasText: '3 new' }).waitFor(WAIT);
    await shot('feed-new-pill.png');
    const topWhilePaused = await page.evaluate(() =>
      Math.max(...[...document.querySelectorAll('[data-event-id]')].map((e) => Number(e.getAttribute('data-event-id')))),
    );
    expect(topWhilePaused).toBe(topBefore);
    expect(await list.evaluate((el) => el.scrollTop)).toBe(600);
    await page.getByTestId('new-pill').click();
    await page.getByText('arrived while reading 2').waitFor(WAIT);
    expect(await list.evaluate((el) => el.scrollTop)).toBe(0);
    expect(await page.getByTestId('new-pill').count()).toBe(0);
  });

  test('a bad POST shows up in webhook health as rejected', async () => {
    const bad = await postJson(stack.receiverUrl, '{"event_type": "message:new",');
    expect(bad.status).toBe(400);
    await openScreen('health');
    await page.getByTestId('total-rejected').filter({ hasText: '(1)' }).waitFor(WAIT);
    const rejectedRow = page.locator('[data-testid="health-row"][data-provider="unknown"][data-type=""]');
    await rejectedRow.getByTestId('rejected').filter({ hasText: '100 %' }).waitFor(WAIT);
    expect(await rejectedRow.textContent()).toContain('400 Bad request');
    await page.getByTestId('tunnel-not-available').waitFor(WAIT);
    await page.getByTestId('delivery-log').getByText('body is not valid JSON', { exact: false }).first().waitFor(WAIT);
    await shot('health.png');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download .txt' }).click();
    const file = await (await download).path();
    const text = readFileSync(file, 'utf8');
    expect(text.trim().split('\n').length).toBeGreaterThan(40);
    expect(text).toContain('400');
    expect(text).not.toContain(new URL(stack.receiverUrl).pathname.split('/')[2]);
    await page.evaluate(() => document.querySelector('main')!.scrollTo(0, 10_000));
    await shot('health-log.png');
  });

  test('accounts: a disconnect turns the account card red', async () => {
    await openScreen('accounts');
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor(WAIT);
    // `hookwatch serve` always tracks accounts: the board is there, never the "not available" state.
    await page.getByTestId('account-cards').waitFor(WAIT);
    expect(await page.getByTestId('accounts-not-available').count()).toBe(0);
    await shot('accounts-before.png');
    // A disconnection that happens now: the fixture's own is dated before the fixture connection, and the
    // tracker orders by event time, so it would not be the current state.
    const disconnect = JSON.parse(fixturePayloads().find((f) => f.name === 'tl_account_disconnected.json')!.body);
    disconnect.whatsapp_account.disconnected_on = new Date(Date.now() + 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' +0000');
    await post(disconnect);
    const card = page.locator('[data-testid="account-card"][data-state="disconnected"]').first();
    await card.waitFor(WAIT);
    const colour = await card.evaluate((el) => getComputedStyle(el).borderLeftColor);
    const [r, g, b] = colour.match(/\d+/g)!.map(Number);
    expect(r).toBeGreaterThan(150);
    expect(g).toBeLessThan(100);
    expect(b).toBeLessThan(100);
    await shot('accounts.png');
  });

  test('alerts: the outage raised a critical alert; acknowledging it sticks', async () => {
    await openScreen('alerts');
    await page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor(WAIT);
    expect(await page.getByTestId('alerts-not-available').count()).toBe(0);
    // Incidents come first; the alert log is one switch away.
    await page.getByTestId('every-transition').check();
    const critical = page.locator('li.alert.severity-critical').first();
    await critical.waitFor(WAIT);
    await shot('alerts.png');
    const id = Number(await critical.getAttribute('data-alert-id'));
    expect(stack.core.store.listAlerts({ limit: 50 }).find((a) => a.id === id)!.acknowledgedAt).toBeNull();
    await critical.getByRole('button', { name: 'Acknowledge' }).click();
    await critical.getByText(/acknowledged/).waitFor(WAIT);
    expect(stack.core.store.listAlerts({ limit: 50 }).find((a) => a.id === id)!.acknowledgedAt).not.toBeNull();
  });

  test('browser notifications: a new alert pops up when the user allowed them', async () => {
    await context.grantPermissions(['notifications'], { origin: stack.dashboard.origin });
    const p = await context.newPage();
    // Headless Chromium shows no notification a test can see, so the page's Notification is recorded instead.
    await p.addInitScript(() => {
      const shown: Array<{ title: string; body: string }> = [];
      (window as any).__notifications = shown;
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options: { body: string }) {
          shown.push({ title, body: options.body });
        }
        close() {}
      }
      (window as any).Notification = RecordedNotification;
    });
    await p.goto(`${stack.dashboard.url}#/alerts`);
    await p.getByRole('heading', { name: 'Alerts', exact: true }).waitFor(WAIT);
    await p.getByText('Browser notifications are on', { exact: false }).waitFor(WAIT);
    const disconnect = JSON.parse(fixturePayloads().find((f) => f.name === 'tl_account_disconnected.json')!.body);
    disconnect.whatsapp_account.phone = '+15555550777';
    disconnect.whatsapp_account.id = '15555550777@s.whatsapp.net';
    disconnect.whatsapp_account.account_name = 'Night Shift';
    disconnect.whatsapp_account.disconnected_on = new Date(Date.now() + 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' +0000');
    await post(disconnect);
    await p.waitForFunction(() => (window as any).__notifications.length > 0, null, WAIT);
    const shown = await p.evaluate(() => (window as any).__notifications);
    expect(shown[0].title).toMatch(/Night Shift/);
    await p.close();
  });

  test('settings: retention is saved in the store, the current filter exports as CSV', async () => {
    await openScreen('feed');
    await page.getByTestId('filter-provider').selectOption('whatsable');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed-list"] [role="option"]').length === 2, null, WAIT);
    await openScreen('settings');
    await page.getByTestId('retention-events').fill('30');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByText('Saved: events are kept 30 days').waitFor(WAIT);
    expect(stack.core.store.meta.get('retentionEventDays')).toBe(30);
    await page.getByTestId('retention-events').fill('-3');
    await page.getByRole('button', { name: 'Save retention' }).click();
    // The browser's own number check or ours: either way nothing is stored.
    expect(stack.core.store.meta.get('retentionEventDays')).toBe(30);
    await page.getByTestId('retention-events').fill('30');
    expect(await page.getByTestId('data-dir').textContent()).toBe(stack.dataDir);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const d = await download;
    expect(d.suggestedFilename()).toMatch(/^hookwatch-events-.*\.csv$/);
    const csv = readFileSync((await d.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toMatch(/^id,receivedAt,occurredAt,provider,type/);
    expect(csv.length).toBe(3);
    expect(csv.slice(1).every((l) => l.includes(',whatsable,'))).toBe(true);
    await shot('settings.png');
    await page.evaluate(() => document.querySelector('main')!.scrollTo(0, 700));
    await shot('settings-notifications.png');
    await openScreen('feed');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
  });

  test('dark mode follows the system setting', async () => {
    await dash.withPage(
      'dark',
      { width: 1280, height: 800 },
      async (p) => {
        p.on('pageerror', (e) => pageErrors.push(e.message));
        await p.goto(`${stack.dashboard.url}#/feed`);
        await p.locator('[role="option"]').first().waitFor(WAIT);
        const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
        const [r, g, b] = bg.match(/\d+/g)!.map(Number);
        expect(r! + g! + b!).toBeLessThan(120);
        await p.locator('[role="option"]').nth(2).click();
        await p.getByTestId('raw-body').waitFor(WAIT);
        await shot('feed-dark.png', p);
        await p.goto(`${stack.dashboard.url}#/health`);
        await p.getByTestId('health-table').waitFor(WAIT);
        await shot('health-dark.png', p);
      },
      { bypassCSP: false },
    );
  });

  test('the page ran without a CSP violation or a script error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
