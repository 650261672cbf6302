// Settings' save pattern in real Chromium, light and dark: each form's Save says what was saved, in its own status line, and a PNG of each panel is saved to look at.
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

const WAIT = { timeout: 15_000 };

if (!HAVE_CHROMIUM) console.log(`settings save tests ${NO_CHROMIUM}`);

/** Clicks the form's Save and returns the status line it shows (waiting for the line, not for a time). */
async function save(form: Locator, button: string): Promise<string> {
  await form.getByRole('button', { name: button }).click();
  const status = form.getByRole('status');
  await status.waitFor(WAIT);
  expect(await form.getByRole('button', { name: button }).isEnabled()).toBe(true);
  return (await status.textContent()) ?? '';
}

describe.skipIf(!HAVE_CHROMIUM)('Settings: one save pattern (real Chromium)', () => {
  const dash = useDashboard();

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: retention, notifications and silence alerts each say what they saved; no serious axe violation`, async () => {
      const { stack } = dash;
      await dash.withPage(scheme, { width: 1280, height: 900 }, async (page) => {
        await page.goto(`${stack.dashboard.url.replace(/#.*$/, '')}#/settings`);
        await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor(WAIT);
        await expect.poll(() => page.locator('main [aria-busy="true"]').count(), WAIT).toBe(0);

        const retention = page.getByRole('form', { name: 'Retention' });
        await retention.getByTestId('retention-events').fill(scheme === 'light' ? '30' : '0');
        expect(await save(retention, 'Save retention')).toBe(
          scheme === 'light'
            ? 'Saved: events are kept 30 days, the delivery log 10 days.'
            : 'Saved: events are kept forever, the delivery log 10 days.',
        );
        expect(stack.core.store.meta.get('retentionEventDays')).toBe(scheme === 'light' ? 30 : 0);
        await retention.screenshot({ path: join(SHOTS, `settings-retention-saved-${scheme}.png`) });

        const notifications = page.getByRole('form', { name: 'Notifications' });
        await notifications.getByTestId('my-email').fill('dana@example.com');
        expect(await save(notifications, 'Save notifications')).toBe('Saved: alerts follow these choices from now on.');
        expect(stack.core.alerts.settings().myEmail).toBe('dana@example.com');
        await notifications.screenshot({ path: join(SHOTS, `settings-notifications-saved-${scheme}.png`) });

        const silence = page.getByTestId('silence-settings');
        await silence.getByTestId('silence-floor').selectOption('240');
        expect(await save(silence, 'Save silence alerts')).toBe(
          'Saved: a number silent far longer than usual, and for at least 4 hours, raises a warning.',
        );
        expect(stack.core.alerts.settings().silenceFloorMinutes).toBe(240);
        await silence.screenshot({ path: join(SHOTS, `settings-silence-saved-${scheme}.png`) });

        // The whole page on a narrow window, where every field is stacked (label, control, hint, error); tall,
        // because the page scrolls inside its main area (a full-page shot would show one screen only).
        await page.setViewportSize({ width: 900, height: 2800 });
        await page.screenshot({ path: join(SHOTS, `settings-saved-900-${scheme}.png`) });

        expect(await seriousAxeViolations(page)).toEqual([]);
      });
    }, 90_000);
  }
});
