// Settings → Team hub in real Chromium against a real nats-server: follow a hub from the page, add and remove a destination; axe, light and dark PNGs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { REPO, tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable } from '../support/nats.js';
import { buildRenderer, HAVE_CHROMIUM, launchChromium, startDashboardStack, type DashboardStack, seriousAxeViolations } from './support.js';

const SHOTS = join(REPO, 'test-artifacts', 'screenshots');
const WAIT = { timeout: 15_000 };

describe.skipIf(!HAVE_CHROMIUM || !natsServerAvailable)('Settings → Team hub in real Chromium', () => {
  const renderer = tempDir('hookwatch-renderer-');
  let stack: DashboardStack;
  let browser: Browser;
  let nats: NatsServer;
  let hub: HookwatchCore;
  const hubDir = tempDir();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    nats = await NatsServer.start();
    // A hub publishing, so the stream exists for the page's follower.
    hub = await HookwatchCore.start({ dataDir: hubDir.dir, port: 0, durability: 'normal', log: () => {}, hub: { url: nats.url } });
    await eventually('the hub publishing', () => hub.hub?.status().publisher?.state === 'up');
    await buildRenderer(renderer.dir);
    stack = await startDashboardStack({ rendererDir: renderer.dir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await hub?.stop();
    await nats?.dispose();
    hubDir.cleanup();
    renderer.cleanup();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: follow a hub and manage destinations from the page; no serious axe violation`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, bypassCSP: true });
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      try {
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
      } finally {
        await context.close();
      }
    }, 90_000);
  }
});
