// Keyboard only, in real Chromium: every screen walked with Tab and Shift+Tab, focus always visible, the main actions by Enter/Space/Escape.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { accountWebhook, fixturePayloads, postJson } from '../support/harness.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, SCREENSHOTS as SHOTS, seriousAxeViolations, useDashboard, type DashboardStack } from './support.js';

/**
 * Nothing here clicks or types into a field: the page is opened once, then only Tab, Shift+Tab, Enter,
 * Space and Escape are pressed (the feed's list also answers Enter on its own). "Interactive" means what
 * the browser puts in the tab order: links, buttons, fields, <summary>, anything with tabindex ≥ 0, when
 * visible. Focus is "visible" when the focused element's outline or box-shadow differs from the same
 * element's unfocused style, read in the page before the walk.
 */

declare const document: any;
declare const window: any;

const WAIT = { timeout: 15_000 };
const SCREENS = ['feed', 'accounts', 'health', 'alerts', 'settings', 'setup'] as const;
/** More Tab presses than any screen has stops: a walk that needs more is a trap. */
const MAX_STOPS = 400;
const MIN = 60_000;
/** A whole-page walk or eight axe runs on a loaded 2-core machine: a hang still fails, a slow machine does not. */
const SLOW = 180_000;

if (!HAVE_CHROMIUM) console.log(`keyboard tests ${NO_CHROMIUM}`);

/** Marks every visible tab stop with `data-kbd` and returns, per mark, a label and its unfocused focus style. */
async function markTabStops(page: Page): Promise<Array<{ id: string; label: string; style: string }>> {
  return page.evaluate(() => {
    const sel =
      'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]';
    const out: Array<{ id: string; label: string; style: string }> = [];
    // Marks outlive a screen change (the header stays), so the counter does too: ids never repeat.
    window.kbdCounter ??= 0;
    for (const el of Array.from(document.querySelectorAll(sel)) as any[]) {
      if (el.tabIndex < 0) continue;
      // A radio group is one tab stop (its checked radio, else its first); arrow keys move inside it.
      if (el.type === 'radio' && el.name) {
        const group = Array.from(document.querySelectorAll(`input[type="radio"][name="${el.name}"]`)) as any[];
        if (el !== (group.find((r) => r.checked) ?? group[0])) continue;
      }
      if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
      if (el.closest('[inert], [hidden]')) continue;
      const cs = window.getComputedStyle(el);
      if (el.getClientRects().length === 0 || cs.visibility === 'hidden') continue;
      const id = el.getAttribute('data-kbd') ?? `k${window.kbdCounter++}`;
      el.setAttribute('data-kbd', id);
      const label = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? el.getAttribute('name') ?? '').trim().slice(0, 40)}"`;
      out.push({ id, label, style: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor} | ${cs.boxShadow}` });
    }
    return out;
  });
}

interface Focused {
  id: string | null;
  tag: string;
  style: string;
  label: string;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { id: null, tag: 'body', style: '', label: 'body' };
    const cs = window.getComputedStyle(el);
    return {
      id: el.getAttribute('data-kbd'),
      tag: el.tagName.toLowerCase(),
      style: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor} | ${cs.boxShadow}`,
      label: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`,
    };
  });
}

/** Presses Tab until the focused element matches `selector`; fails if it is not reached within MAX_STOPS. */
async function tabTo(page: Page, selector: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let i = 0; i < MAX_STOPS; i++) {
    await page.keyboard.press(key);
    if (await page.evaluate((s: string) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} was not reached with ${key} in ${MAX_STOPS} presses`);
}

/** Moves to a screen the way a keyboard user does: Tab to its link in the header, Enter. */
async function goByKeyboard(page: Page, screen: string): Promise<void> {
  await tabTo(page, `[data-testid="nav-${screen}"]`);
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="nav-${screen}"][aria-current="page"]`).waitFor(WAIT);
  await page.locator('main h1, main [role="listbox"]').first().waitFor(WAIT);
}

describe.skipIf(!HAVE_CHROMIUM)('keyboard only (real Chromium)', () => {
  const dash = useDashboard({
    async seed(stack) {
      const t0 = Date.now() - 90 * MIN;
      // One number down now (an open incident), one that was down and came back (a resolved one), and messages.
      await postJson(stack.receiverUrl, accountWebhook('connected', t0, { phone: '+15555550100', name: 'Acme Support' }));
      await postJson(stack.receiverUrl, accountWebhook('connected', t0, { phone: '+15555550101', name: 'Acme Sales' }));
      await postJson(stack.receiverUrl, accountWebhook('disconnected', t0 + 10 * MIN, { phone: '+15555550101', name: 'Acme Sales' }));
      await postJson(stack.receiverUrl, accountWebhook('connected', t0 + 20 * MIN, { phone: '+15555550101', name: 'Acme Sales' }));
      await postJson(stack.receiverUrl, accountWebhook('disconnected', t0 + 60 * MIN, { phone: '+15555550100', name: 'Acme Support' }));
      for (const f of fixturePayloads().filter((x) => /message|chat|wa_/.test(x.name)))
        await postJson(`${stack.receiverUrl}${f.name.startsWith('wa_') ? '/whatsable' : ''}`, f.body);
      await postJson(stack.receiverUrl, '{"not json');
    },
  });
  let stack: DashboardStack;
  /** The one page the keyboard tests share: opened once, then only keys are pressed. */
  let page: Page;

  beforeAll(async () => {
    stack = dash.stack;
    const opened = await dash.openPage(null, { width: 1280, height: 800 });
    dash.defer(() => opened.close());
    page = opened.page;
    // The only navigation that is not a key press: opening the dashboard.
    await page.goto(stack.dashboard.url);
    await page.locator('[data-testid="feed-list"] [role="option"]').first().waitFor(WAIT);
  });

  test(
    'every screen: every tab stop is reached with Tab, Shift+Tab walks back, and focus is always visible',
    async () => {
      const problems: string[] = [];
      for (const screen of SCREENS) {
        await goByKeyboard(page, screen);
        if (screen === 'health') await page.getByTestId('delivery-log').waitFor(WAIT);
        // Mark once the screen's data is in (its tab stops are), not when only its heading is.
        if (screen === 'alerts') await page.getByTestId('incident').first().waitFor(WAIT);
        if (screen === 'accounts') await page.getByTestId('account-card').first().waitFor(WAIT);
        // A screen's self-loading panels say aria-busy="true" until their data is in (Settings: the settings, the
        // known numbers behind the mute list, the team hub); busy from their first render, so none left means all in.
        await page.waitForFunction(() => document.querySelector('main [aria-busy="true"]') === null, undefined, WAIT);
        if (screen === 'setup') await page.getByTestId('webhook-url').waitFor(WAIT);
        const stops = await markTabStops(page);
        expect(stops.length, `${screen}: no tab stop at all`).toBeGreaterThan(5);
        const unfocused = new Map(stops.map((s) => [s.id, s]));
        // Focus is on this screen's link in the header; walk forward until it comes round again.
        const start = await focused(page);
        const order: string[] = [];
        const reached = new Set<string>();
        for (let i = 0; i < MAX_STOPS; i++) {
          await page.keyboard.press('Tab');
          const f = await focused(page);
          if (f.id === null && f.tag === 'body') continue; // past the last stop: the next Tab starts at the top
          if (f.id === start.id) break;
          if (i === MAX_STOPS - 1) problems.push(`${screen}: focus never came back to its header link (a trap?)`);
          if (f.id === null) {
            problems.push(`${screen}: focus reached ${f.label}, which is not a visible tab stop`);
            continue;
          }
          order.push(f.id);
          reached.add(f.id);
          const before = unfocused.get(f.id);
          if (before && before.style === f.style) problems.push(`${screen}: no visible focus on ${f.label} (${f.style})`);
        }
        for (const s of stops) {
          if (s.id === start.id || reached.has(s.id)) continue;
          const stillThere = await page.evaluate((id: string) => document.querySelector(`[data-kbd="${id}"]`)?.isConnected ?? false, s.id);
          if (stillThere) problems.push(`${screen}: ${s.label} is never reached by Tab`);
        }
        // Shift+Tab retraces the same stops backwards.
        const steps = Math.min(5, order.length - 1);
        for (let i = 0; i < steps; i++) await page.keyboard.press('Tab');
        const back: string[] = [];
        for (let i = 0; i < steps; i++) {
          await page.keyboard.press('Shift+Tab');
          back.push((await focused(page)).id ?? 'body');
        }
        // Tab `steps` times from the header link ends on order[steps - 1]; as many Shift+Tabs lead back to the link.
        expect(back, `${screen}: Shift+Tab does not retrace Tab`).toEqual([...order.slice(0, steps - 1).reverse(), start.id]);
      }
      expect(problems).toEqual([]);
    },
    SLOW,
  );

  test(
    'main actions by keyboard: filter incidents, acknowledge one, open an event and close it',
    async () => {
      await goByKeyboard(page, 'alerts');
      await page.getByTestId('incident').first().waitFor(WAIT);
      // Open incidents first: the number that is down.
      const open = stack.core.store.incidents.list({ state: 'open' });
      expect(open).toHaveLength(1);
      expect(await page.getByTestId('incident').count()).toBe(1);

      await tabTo(page, '[data-testid="incidents-resolved"]');
      await page.keyboard.press('Space');
      await page.locator('[data-testid="incidents-resolved"][aria-pressed="true"]').waitFor(WAIT);
      await page.locator(`[data-incident-id="${stack.core.store.incidents.list({ state: 'resolved' })[0]!.id}"]`).waitFor(WAIT);
      expect(await page.getByTestId('incident').count()).toBe(stack.core.store.incidents.list({ state: 'resolved' }).length);

      await tabTo(page, '[data-testid="incidents-open"]', 'Shift+Tab');
      await page.keyboard.press('Enter');
      const item = page.locator(`[data-incident-id="${open[0]!.id}"]`);
      await item.waitFor(WAIT);
      await tabTo(page, `[data-incident-id="${open[0]!.id}"] [data-testid="incident-acknowledge"]`);
      await page.keyboard.press('Enter');
      await item.getByText(/acknowledged/).waitFor(WAIT);
      expect(stack.core.store.incidents.list({ state: 'open' })[0]!.acknowledgedAt).not.toBeNull();

      // The snooze choices open with Enter on their summary and close again with Enter.
      await tabTo(page, `[data-incident-id="${open[0]!.id}"] summary`);
      await page.keyboard.press('Enter');
      await item.getByRole('button', { name: 'For 1 hour' }).waitFor(WAIT);
      await page.keyboard.press('Enter');

      // The feed: Tab to the list, Enter opens the first event, Escape closes it.
      await goByKeyboard(page, 'feed');
      await tabTo(page, '[data-testid="feed-list"]');
      await page.keyboard.press('Enter');
      await page.getByTestId('event-detail').waitFor(WAIT);
      expect(page.url()).toMatch(/#\/feed\/\d+$/);
      await page.keyboard.press('Escape');
      await page.getByTestId('event-detail').waitFor({ state: 'detached', ...WAIT });
      expect(page.url()).toMatch(/#\/feed$/);
    },
    SLOW,
  );

  for (const scheme of ['light', 'dark'] as const) {
    for (const vp of [
      { width: 1280, height: 800 },
      { width: 900, height: 600 },
    ]) {
      test(
        `${scheme}, ${vp.width}×${vp.height}: incidents, their snooze, the alert log, the strip and a number's history pass axe (screenshots kept)`,
        async () => {
          const found: string[] = [];
          await dash.withPage(scheme, vp, async (p) => {
            const shot = async (name: string) => {
              await p.screenshot({ path: join(SHOTS, `${name}-${vp.width}x${vp.height}-${scheme}.png`) });
              for (const v of await seriousAxeViolations(p)) found.push(`${name}: ${v}`);
            };
            const base = stack.dashboard.url.replace(/#.*$/, '');
            await p.goto(`${base}#/alerts`);
            await p.getByTestId('incident').first().waitFor(WAIT);
            await p.getByTestId('status-strip').waitFor(WAIT);
            await shot('incidents-open');
            await p.locator('details.incident-snooze summary').first().click();
            await p.getByRole('button', { name: 'For 1 hour' }).waitFor(WAIT);
            await shot('incident-snooze');
            await p.getByTestId('incidents-all').click();
            await p.locator('[data-testid="incident"].incident-resolved').first().waitFor(WAIT);
            await shot('incidents-all');
            await p.getByTestId('every-transition').check();
            await p.getByTestId('alert-log').waitFor(WAIT);
            await shot('alert-log');
            await p.goto(`${base}#/accounts`);
            const card = p.locator('[data-testid="account-card"]').first();
            await card.waitFor(WAIT);
            await card.getByText('Uptime and incidents').click();
            await card.getByTestId('account-history-body').waitFor(WAIT);
            await shot('account-history');
          });
          expect(found).toEqual([]);
        },
        SLOW,
      );
    }
  }

  // Last: it ends the open outage the tests above look at.
  test('the status strip follows the core over server-sent events: a reconnection turns it from down to ok without a reload', async () => {
    const strip = page.getByTestId('status-strip');
    await page.locator('[data-testid="status-strip"][data-level="down"]').waitFor(WAIT);
    expect(await strip.textContent()).toMatch(/Acme Support \(\+15555550100\) disconnected since/);
    await postJson(stack.receiverUrl, accountWebhook('connected', Date.now() - MIN, { phone: '+15555550100', name: 'Acme Support' }));
    await page.locator('[data-testid="status-strip"][data-level="ok"]').waitFor(WAIT);
    expect(await strip.textContent()).toMatch(/All 2 numbers connected/);
  });
});
