// Settings → Team hub in real Chromium against a real nats-server: follow a hub from the page, add and remove a destination; axe, light and dark PNGs.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable } from '../support/nats.js';
import { HAVE_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

const WAIT = { timeout: 15_000 };

describe.skipIf(!HAVE_CHROMIUM || !natsServerAvailable)('Settings → Team hub in real Chromium', () => {
  let nats: NatsServer;
  const dash = useDashboard({
    async before(defer) {
      const hubDir = tempDir();
      defer(() => hubDir.cleanup());
      nats = await NatsServer.start();
      defer(() => nats.dispose());
      // A hub publishing, so the stream exists for the page's follower.
      const hub = await HookwatchCore.start({ dataDir: hubDir.dir, port: 0, durability: 'normal', log: () => {}, hub: { url: nats.url } });
      defer(() => hub.stop());
      await eventually('the hub publishing', () => hub.hub?.status().publisher?.state === 'up');
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: follow a hub and manage destinations from the page; no serious axe violation`, async () => {
      const { stack } = dash;
      await dash.withPage(scheme, { width: 1280, height: 900 }, async (page) => {
        await page.goto(`${stack.dashboard.url.replace(/#.*$/, '')}#/settings`);
        const panel = page.getByTestId('team-hub');
        await panel.waitFor(WAIT);
        await panel.getByLabel(/follows a hub/).check();
        await panel.getByTestId('hub-url').fill(nats.url);
        await panel.getByTestId('hub-name').fill(`desk-${scheme}`);
        await panel.getByRole('button', { name: 'Save team hub' }).click();
        await expect.poll(async () => panel.getByRole('status').first().textContent(), WAIT).toMatch(/following/i);
        await expect.poll(() => stack.core.hub?.status().follower?.state, WAIT).toBe('following');

        await panel.getByTestId('destination-url').fill('https://n8n.example.com/webhook/abc');
        await panel.getByTestId('destination-types').fill('message:received:new, whatsapp:account:*');
        await panel.getByRole('button', { name: 'Add destination' }).click();
        await panel.getByTestId('destinations').waitFor(WAIT);
        expect(await panel.getByTestId('destinations').textContent()).toContain('whatsapp:account:*');
        // A bad URL is refused with a plain message: the reason alone, under the field, no API method in front.
        await panel.getByTestId('hub-url').fill('http://wrong');
        await panel.getByRole('button', { name: 'Save team hub' }).click();
        await panel.getByRole('alert').waitFor(WAIT);
        const refusal = await panel.getByRole('alert').textContent();
        expect(refusal).toMatch(/nats:\/\/ or tls:\/\//);
        expect(await panel.textContent()).not.toContain('setTeamHub');
        expect(await panel.getByTestId('hub-url').getAttribute('aria-invalid')).toBe('true');
        expect(await panel.getByTestId('hub-url').getAttribute('aria-describedby')).toContain(
          await panel.getByRole('alert').getAttribute('id'),
        );
        await panel
          .getByRole('form', { name: 'Team hub settings' })
          .screenshot({ path: join(SHOTS, `settings-team-hub-refused-${scheme}.png`) });
        await panel.getByTestId('hub-url').fill(nats.url);
        await panel.getByRole('button', { name: 'Save team hub' }).click();
        await expect.poll(async () => (await panel.getByRole('alert').count()) === 0, WAIT).toBe(true);

        await panel.scrollIntoViewIfNeeded();
        await panel.screenshot({ path: join(SHOTS, `settings-team-hub-${scheme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);

        // Remove the destination again (the next scheme starts from an empty list).
        await panel.getByRole('button', { name: /Remove destination/ }).click();
        await panel.getByTestId('no-destinations').waitFor(WAIT);

        // A destination the hub cannot forward to: refused on its own field, in the same plain words.
        await panel.getByTestId('destination-url').fill('https://n8n.example.com/webhook/x');
        await panel.getByTestId('destination-types').fill('Not A Type');
        await panel.getByRole('button', { name: 'Add destination' }).click();
        await expect.poll(() => panel.getByTestId('destination-types').getAttribute('aria-invalid'), WAIT).toBe('true');
        expect(await panel.textContent()).not.toContain('addForwardDestination');
        await panel
          .getByRole('form', { name: 'Add a forwarding destination' })
          .screenshot({ path: join(SHOTS, `settings-forward-refused-${scheme}.png`) });
      });
    }, 90_000);
  }
});
