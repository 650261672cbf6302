// Setup in real Chromium, light and dark: the test event's hops, the first delivery, whose assignments; axe-core and full-page PNGs.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { startDashboard } from '../../main/core/dashboard/start.js';
import { EnvTokenSource, RuntimeTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { fixturePayloads, postJson, tempDir } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard } from './support.js';

declare const window: any;

const WAIT = { timeout: 15_000 };
const TOKEN = 'tok_setup_screen_1234567890';

if (!HAVE_CHROMIUM) console.log(`setup screen tests ${NO_CHROMIUM}`);

/** The whole screen: the page scrolls inside <main>, so the viewport is made as tall as its content, then put back. */
async function fullShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  const height: number = await page.evaluate(() => {
    const main = window.document.querySelector('main');
    return window.document.documentElement.scrollHeight - main.clientHeight + main.scrollHeight;
  });
  await page.setViewportSize({ width: size.width, height: Math.min(6000, Math.max(size.height, height)) });
  await page.screenshot({ path: join(SHOTS, name) });
  await page.setViewportSize(size);
}

/** A core with a TimelinesAI token source pointed at the stand-in, and the dashboard as `serve` starts it. */
async function startStack(rendererDir: string, standin: TimelinesStandIn, withToken: boolean) {
  const tmp = tempDir('hookwatch-setup-');
  const tokens = new RuntimeTokenSource(new EnvTokenSource({}));
  if (withToken) tokens.set(TOKEN);
  const core = await HookwatchCore.start({
    dataDir: tmp.dir,
    port: 0,
    durability: 'normal',
    log: () => {},
    timelines: { tokenSource: tokens, baseUrl: standin.baseUrl, accountCheckIntervalMs: 3_600_000 },
  });
  const running = await startDashboard(core, {
    rendererDir,
    port: 0,
    log: () => {},
    tokenStore: { storage: 'this-run', save: async (t) => (tokens.set(t), { ok: true }) },
  });
  return {
    core,
    url: running.server.url.replace(/#.*$/, ''),
    async stop() {
      await running.close();
      await core.stop();
      tmp.cleanup();
    },
  };
}

describe.skipIf(!HAVE_CHROMIUM)('Setup in real Chromium (light and dark)', () => {
  let standin: TimelinesStandIn;
  // No shared stack: each test starts its own core, with or without a token, on the shared renderer and Chromium.
  const dash = useDashboard({
    stack: false,
    timeout: 180_000,
    async before(defer) {
      standin = await TimelinesStandIn.start({ token: TOKEN });
      defer(() => standin.close());
      // Checked after the tests (before the stand-in closes): every request and answer matched the vendor's OpenAPI.
      defer(() => {
        expect(standin.violations).toEqual([]);
        expect(standin.responseViolations).toEqual([]);
      });
      standin.teammateEmail = 'dana.agent@example.com';
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: a fresh install waits for its first event; the assignments question is asked; nothing serious for axe`, async () => {
      const stack = await startStack(dash.rendererDir, standin, false);
      try {
        await dash.withPage(scheme, { width: 1280, height: 800 }, async (page) => {
          await page.goto(`${stack.url}#/setup`);
          await page.getByRole('heading', { name: 'Set up Hookwatch' }).waitFor(WAIT);
          await page.getByRole('heading', { name: 'Chat assignment alerts' }).waitFor(WAIT);
          await page.getByText('Waiting for the first event…').waitFor(WAIT);
          expect(await page.getByText('Until you choose, every assignment is announced.').isVisible()).toBe(true);
          // "Only mine" without an e-mail: Save is disabled, and says why.
          await page.getByRole('radio', { name: 'Only chats assigned to me' }).check();
          expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
          expect(await page.getByTestId('assignments-why-not').textContent()).toBe('Enter your e-mail first (as in TimelinesAI).');
          await fullShot(page, `setup-fresh-1280-${scheme}.png`);
          expect(await seriousAxeViolations(page)).toEqual([]);
        });
      } finally {
        await stack.stop();
      }
    });

    test(`${scheme}: with a token, the test event's hops, the first delivery with its link, "only mine" pre-filled and saved`, async () => {
      const stack = await startStack(dash.rendererDir, standin, true);
      try {
        await dash.withPage(scheme, { width: 900, height: 600 }, async (page) => {
          await page.goto(`${stack.url}#/setup`);
          await page.getByRole('heading', { name: 'Chat assignment alerts' }).waitFor(WAIT);
          await page.getByTestId('teammate-email-note').waitFor(WAIT);
          await page.getByRole('radio', { name: 'Only chats assigned to me' }).check();
          expect(await page.getByTestId('setup-my-email').inputValue()).toBe('dana.agent@example.com');
          await page.getByRole('button', { name: 'Save' }).click();
          await page.getByText('Saved: only chats assigned to dana.agent@example.com are announced.').waitFor(WAIT);
          expect(stack.core.alerts.settings()).toMatchObject({ assignmentAlerts: 'mine', assignmentsAnswered: true });

          await page.getByRole('button', { name: 'Send a test event' }).click();
          await page.getByRole('link', { name: 'Open the test event' }).waitFor(WAIT);
          const incoming = fixturePayloads().find((p) => p.name === 'tl_chat_incoming.json')!.body;
          const posted = await postJson(stack.core.receiver.localUrl, incoming);
          const first = page.getByTestId('first-delivery');
          await first.waitFor(WAIT);
          expect(await first.textContent()).toMatch(/^First delivery: .+ from TimelinesAI, chat:incoming:new\. Open it/);
          expect(await first.getByRole('link', { name: 'Open it' }).getAttribute('href')).toBe(`#/feed/${posted.json.events[0].id}`);
          await fullShot(page, `setup-proved-900-${scheme}.png`);
          // The parts up close, to look at.
          await page.getByTestId('test-event').screenshot({ path: join(SHOTS, `setup-test-event-900-${scheme}.png`) });
          await page.locator('li', { has: page.getByRole('heading', { name: 'Chat assignment alerts' }) }).screenshot({
            path: join(SHOTS, `setup-assignments-900-${scheme}.png`),
          });
          await page
            .locator('li', { has: page.getByTestId('first-delivery') })
            .screenshot({ path: join(SHOTS, `setup-first-delivery-900-${scheme}.png`) });
          expect(await seriousAxeViolations(page)).toEqual([]);
          // The link opens the event in the feed.
          await first.getByRole('link', { name: 'Open it' }).click();
          await page.getByTestId('event-detail').waitFor(WAIT);
        });
      } finally {
        await stack.stop();
      }
    });
  }
});
