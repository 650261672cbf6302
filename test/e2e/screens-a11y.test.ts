// Every screen in real Chromium, light and dark, wide and narrow: axe-core finds no serious fault, and a PNG of each is saved to look at.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixturePayloads, postJson } from '../support/harness.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

/**
 * The screenshots go to test-artifacts/screenshots/ (gitignored): `<screen>-<width>x<height>-<scheme>.png`.
 * axe runs injected into the page, so the context bypasses the page's CSP (the page itself keeps it).
 */

const WAIT = { timeout: 15_000 };
const SCREENS = ['feed', 'accounts', 'health', 'alerts', 'settings', 'setup'] as const;
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 900, height: 600 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

if (!HAVE_CHROMIUM) console.log(`screen accessibility tests ${NO_CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM)('every screen, light and dark, wide and narrow (real Chromium, axe-core)', () => {
  const dash = useDashboard({
    async seed(stack) {
      // Real deliveries: every fixture, a rejected body, a right-to-left contact and a text with control characters.
      for (const f of fixturePayloads()) await postJson(`${stack.receiverUrl}${f.name.startsWith('wa_') ? '/whatsable' : ''}`, f.body);
      await postJson(stack.receiverUrl, '{"not json');
      await postJson(stack.receiverUrl, {
        event_type: 'message:new',
        chat: { full_name: 'נועה כהן', chat_id: 9100, phone: '+972501234567' },
        whatsapp_account: { full_name: 'Acme Support', phone: '+15555550100' },
        message: {
          text: 'שלום, bell\u0007 and nul\u0000 here',
          direction: 'received',
          timestamp: '2025-03-02 16:00:00 +0000',
          message_uid: 'rtl-1',
        },
      });
    },
  });

  for (const scheme of SCHEMES) {
    for (const vp of VIEWPORTS) {
      test(`${scheme}, ${vp.width}×${vp.height}: no serious or critical axe violation on any screen`, async () => {
        const { stack } = dash;
        const found: string[] = [];
        await dash.withPage(scheme, vp, async (page) => {
          for (const screen of SCREENS) {
            await page.goto(`${stack.dashboard.url.replace(/#.*$/, '')}#/${screen}`);
            await page.locator('main h1, main [role="listbox"]').first().waitFor(WAIT);
            await page.getByTestId('status-strip').waitFor(WAIT);
            if (screen === 'feed') await page.locator('[data-testid="feed-list"] [role="option"]').first().waitFor(WAIT);
            if (screen === 'health') await page.getByTestId('delivery-log').waitFor(WAIT);
            await page.screenshot({ path: join(SHOTS, `${screen}-${vp.width}x${vp.height}-${scheme}.png`) });
            found.push(...(await seriousAxeViolations(page)).map((v) => `${screen}: ${v}`));
          }
          // The detail panels too: an event open, a rejected delivery open.
          await page.goto(`${stack.dashboard.url.replace(/#.*$/, '')}#/feed`);
          await page.locator('[data-testid="feed-list"] [role="option"]').first().click();
          await page.getByTestId('event-detail').getByTestId('raw-body').waitFor(WAIT);
          await page.screenshot({ path: join(SHOTS, `event-detail-${vp.width}x${vp.height}-${scheme}.png`) });
          found.push(...(await seriousAxeViolations(page)).map((v) => `event detail: ${v}`));
          await page.goto(`${stack.dashboard.url.replace(/#.*$/, '')}#/health`);
          await page.getByTestId('failures-only').check();
          await page.getByTestId('delivery-log').locator('tbody tr').first().click();
          await page.getByTestId('delivery-body').waitFor(WAIT);
          await page.screenshot({ path: join(SHOTS, `delivery-detail-${vp.width}x${vp.height}-${scheme}.png`) });
          found.push(...(await seriousAxeViolations(page)).map((v) => `delivery detail: ${v}`));
        });
        expect(found).toEqual([]);
        // Eight screens and two panels, each rendered, photographed and checked by axe: 20-30 s on a quiet
        // machine, so the default 30 s limit failed under load without any finding. Not a speed assertion.
      }, 180_000);
    }
  }

  test('a first page carries the true total of its filter, not the rows loaded; later pages leave it out', async () => {
    const { stack } = dash;
    const call = async (method: string, ...args: unknown[]) => {
      const res = await fetch(`${stack.dashboard.origin}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hookwatch-token': stack.dashboard.token },
        body: JSON.stringify(args),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { events: unknown[]; nextBeforeId: number | null; total?: { count: number; capped: boolean } };
    };
    const all = await call('listEvents', { limit: 1000 });
    const small = await call('listEvents', { limit: 2 });
    expect(small.events).toHaveLength(2);
    expect(small.total).toEqual({ count: all.events.length, capped: false });
    const next = await call('listEvents', { limit: 2, beforeId: small.nextBeforeId });
    expect(next.total).toBeUndefined();
    const accounts = await call('listEvents', { limit: 1, group: 'account' });
    const accountsAll = await call('listEvents', { limit: 1000, group: 'account' });
    expect(accounts.total?.count).toBe(accountsAll.events.length);
  });

  test('the rejected body is shown as kept, as text', async () => {
    // No colour scheme and the page's own CSP: nothing is injected here.
    await dash.withPage(
      null,
      { width: 1280, height: 800 },
      async (page) => {
        await page.goto(`${dash.stack.dashboard.url.replace(/#.*$/, '')}#/health`);
        await page.getByTestId('failures-only').check();
        await page.getByTestId('delivery-log').locator('tbody tr').first().locator('button').focus();
        await page.keyboard.press('Enter');
        expect(await page.getByTestId('delivery-body').textContent()).toBe('{"not json');
      },
      { bypassCSP: false },
    );
  });
});
