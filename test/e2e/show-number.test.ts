// "Show the number" in real Chromium, light and dark: from a resolved incident to that number's card, scrolled into view, focused and ringed (axe-core, screenshots).
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { accountWebhook, postJson } from '../support/harness.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

// Generous: a loaded machine renders slowly; this is no speed assertion.
const WAIT = { timeout: 20_000 };
const MIN = 60_000;
const TARGET = '+15555550999';

if (!HAVE_CHROMIUM) console.log(`show-the-number tests ${NO_CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM)('Show the number (real Chromium, axe-core)', () => {
  const dash = useDashboard({
    async seed(stack) {
      const t0 = Date.now() - 60 * MIN;
      // Twenty connected numbers; the last by name had an outage of two minutes, now resolved. Its card sorts
      // last among the connected ones: far below the fold at 1280×800.
      for (let i = 0; i < 20; i++) {
        const phone = `+1555555${String(1000 + i)}`;
        const r = await postJson(
          stack.receiverUrl,
          accountWebhook('connected', t0, { phone, name: `Line ${String(i + 1).padStart(2, '0')}` }),
        );
        expect(r.status).toBe(200);
      }
      for (const [kind, at] of [
        ['connected', t0],
        ['disconnected', t0 + MIN],
        ['connected', t0 + 3 * MIN],
      ] as const) {
        expect((await postJson(stack.receiverUrl, accountWebhook(kind, at, { phone: TARGET, name: 'Zeta Line' }))).status).toBe(200);
      }
      expect(stack.core.store.incidents.list({ state: 'resolved' })).toHaveLength(1);
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: the incident's "Show the number" opens Accounts on that number's card, in view and focused; no serious axe violation`, async () => {
      await dash.withPage(scheme, { width: 1280, height: 800 }, async (page) => {
        await page.goto(`${dash.stack.dashboard.url.replace(/#.*$/, '')}#/alerts`);
        await page.getByTestId('incidents-resolved').click(WAIT);
        const incident = page.getByTestId('incident').filter({ hasText: 'Zeta Line' });
        await incident.getByRole('button', { name: 'Show the number' }).click(WAIT);

        await page.waitForURL(/#\/accounts\/%2B15555550999$/, WAIT);
        const card = page.locator('.account-card.is-target');
        await card.waitFor(WAIT);
        expect(await card.getAttribute('data-key')).toBe(TARGET);
        await expect.poll(() => card.evaluate((el) => el === el.ownerDocument.activeElement), WAIT).toBe(true);
        // Brought into view: the whole card inside the window, though it is the last of 21.
        const box = (await card.boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height).toBeLessThanOrEqual(800);
        expect(await page.locator('.account-card').count()).toBe(21);
        const last = await page.locator('.account-card').last().getAttribute('data-key');
        expect(last).toBe(TARGET);
        await page.screenshot({ path: join(SHOTS, `accounts-show-the-number-${scheme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);

        // Back: the incidents again; forward: the same card (the route is in the URL, not in memory).
        await page.goBack();
        await page.waitForURL(/#\/alerts$/, WAIT);
        await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor(WAIT);
        await page.goForward();
        await page.locator('.account-card.is-target').waitFor(WAIT);
      });
    }, 120_000);
  }
});
