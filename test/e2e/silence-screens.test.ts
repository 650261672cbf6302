// Silence in real Chromium, light and dark: a silent WhatsAble number's card, and the silence settings panel (axe-core, screenshots).
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DAY, HOUR, ingestAt, MIN } from '../support/seed.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

// Generous: a loaded machine (the whole suite on two cores) renders slowly; this is no speed assertion.
const WAIT = { timeout: 45_000 };
const PHONE = '+972501111111';

if (!HAVE_CHROMIUM) console.log(`silence screen tests ${NO_CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM)('silence on the screens (real Chromium, axe-core)', () => {
  const dash = useDashboard({
    async seed(stack) {
      // Two weeks of a WhatsAble number busy round the clock (an event every 8 minutes), quiet for the last 3 hours.
      const until = Date.now() - 3 * HOUR;
      const times: number[] = [];
      for (let t = until - 14 * DAY; t <= until; t += 8 * MIN) times.push(t);
      ingestAt(stack.core.store, times, { provider: 'whatsable', type: 'message:received:new', phone: PHONE, name: 'Sales desk' });
      expect(stack.core.alerts.checkSilence()).toMatchObject([{ kind: 'account-silent', accountKey: PHONE }]);
      // A second check (the service's own timer, 30 s after start, on a loaded machine) keeps the warning open.
      expect(stack.core.alerts.checkSilence()).toEqual([]);
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: the silent number's card and the silence settings; no serious axe violation`, async () => {
      const { stack } = dash;
      const base = stack.dashboard.url.replace(/#.*$/, '');
      const found: string[] = [];
      await dash.withPage(scheme, { width: 1280, height: 800 }, async (page) => {
        await page.goto(`${base}#/accounts`);
        const silent = page.getByTestId('account-silent');
        await silent.waitFor(WAIT);
        expect(await silent.textContent()).toMatch(/^silent for 3 h/);
        await page.screenshot({ path: join(SHOTS, `accounts-silent-1280x800-${scheme}.png`) });
        found.push(...(await seriousAxeViolations(page)).map((v) => `accounts: ${v}`));

        await page.goto(`${base}#/settings`);
        const panel = page.getByTestId('silence-settings');
        await panel.waitFor(WAIT);
        await panel.scrollIntoViewIfNeeded();
        expect(await page.getByTestId('silence-enabled').isChecked()).toBe(true);
        expect(await page.getByTestId('silence-floor').inputValue()).toBe('120');
        await page.getByTestId('silence-floor').selectOption('240');
        await panel.getByRole('button', { name: 'Save silence alerts' }).click();
        await panel.getByRole('status').waitFor(WAIT);
        expect(await panel.getByRole('status').textContent()).toMatch(/at least 4 hours, raises a warning/);
        await panel.screenshot({ path: join(SHOTS, `settings-silence-${scheme}.png`) });
        found.push(...(await seriousAxeViolations(page)).map((v) => `settings: ${v}`));
        expect(stack.core.alerts.settings()).toMatchObject({ silenceAlerts: true, silenceFloorMinutes: 240 });
        // Back to the default for the other scheme's run.
        stack.core.alerts.updateSettings({ silenceFloorMinutes: 120 });
      });
      expect(found).toEqual([]);
    }, 120_000);
  }
});
