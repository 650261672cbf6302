// Catch-up in real Chromium, light and dark: the Health section with real gap outcomes, the feed's "recovered" tag and the detail's note; axe finds no serious fault; PNGs saved to look at.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CatchupService } from '../../main/core/catchup/service.js';
import { clientGetJson, timelinesCatchupApi } from '../../main/core/catchup/timelines-adapter.js';
import { TimelinesApiClient } from '../../main/core/providers/timelines/api.js';
import { StaticTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { ChatsWorld } from '../support/timelines-chats.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

const WAIT = { timeout: 15_000 };
const TOKEN = 'tl-2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e';
const MIN = 60_000;

if (!HAVE_CHROMIUM) console.log(`catch-up screen tests ${NO_CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM)('catch-up on screen (real Chromium, axe-core)', () => {
  const dash = useDashboard({
    async seed(stack, defer) {
      const api = await TimelinesStandIn.start({ token: TOKEN });
      defer(() => api.close());
      const world = new ChatsWorld().attach(api);
      const end = Date.now() - 30 * MIN;
      const start = end - 8 * 60 * MIN;
      world.addChat({ id: 41, name: 'Maya Cohen' });
      world.addChat({ id: 42, name: 'Order #4411 (Acme)' });
      world.addMessage(41, { uid: 'rec-1', at: start + 60 * MIN, from_me: false, text: 'Hi, is the order on its way?' });
      world.addMessage(41, { uid: 'rec-2', at: start + 65 * MIN, from_me: true, text: 'Yes, it ships tomorrow morning.' });
      world.addMessage(42, { uid: 'rec-3', at: start + 200 * MIN, from_me: false, text: 'Can I change the address?' });
      // A real run over the stand-in into the dashboard's own store, as the core's service would.
      const client = new TimelinesApiClient({ tokenSource: new StaticTokenSource(TOKEN), baseUrl: api.baseUrl });
      const service = new CatchupService({
        store: stack.core.store,
        api: timelinesCatchupApi(clientGetJson(client)),
        hasToken: async () => true,
        log: () => {},
      });
      expect(await service.runGap({ start, end, reason: 'offline', reasons: ['offline', 'tunnel'] })).toMatchObject({ recovered: 3 });
      // And the core's own service, which has no token here: the gap is kept with the reason.
      const noToken = await stack.core.catchup!.runGap({
        start: end + 10 * MIN,
        end: end + 25 * MIN,
        reason: 'asleep',
        reasons: ['asleep'],
      });
      expect(noToken.status).toBe('no-token');
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: Health lists each gap with its outcome; the feed tags recovered rows; the detail says where they came from`, async () => {
      const base = dash.stack.dashboard.url.replace(/#.*$/, '');
      const found: string[] = [];
      await dash.withPage(scheme, { width: 1280, height: 800 }, async (page) => {
        await page.goto(`${base}#/health`);
        const section = page.getByTestId('catchup-section');
        await section.waitFor(WAIT);
        const rows = section.getByTestId('catchup-gap');
        expect(await rows.count()).toBe(2);
        expect(await rows.nth(0).getAttribute('data-status')).toBe('no-token');
        expect(await rows.nth(0).textContent()).toMatch(/not recovered: no TimelinesAI token.*paste one in Settings/);
        expect(await rows.nth(1).textContent()).toMatch(/caught up3 messages recovered from 2 chats/);
        expect(await rows.nth(1).textContent()).toMatch(/Hookwatch was off; the tunnel was down/);
        await section.scrollIntoViewIfNeeded();
        await section.screenshot({ path: join(SHOTS, `health-catchup-1280x800-${scheme}.png`) });
        found.push(...(await seriousAxeViolations(page)).map((v) => `health: ${v}`));

        await page.goto(`${base}#/feed`);
        const recovered = page.locator('[data-testid="feed-list"] [role="option"]', { hasText: 'recovered' });
        await recovered.first().waitFor(WAIT);
        expect(await recovered.count()).toBe(3);
        await recovered.first().click();
        await page.getByTestId('recovered-note').waitFor(WAIT);
        expect(await page.getByTestId('recovered-note').textContent()).toBe('Recovered by catch-up from the TimelinesAI API');
        await page.screenshot({ path: join(SHOTS, `feed-recovered-1280x800-${scheme}.png`) });
        found.push(...(await seriousAxeViolations(page)).map((v) => `feed: ${v}`));
      });
      expect(found).toEqual([]);
    });
  }
});
