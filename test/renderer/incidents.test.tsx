// @vitest-environment jsdom
// The incidents screen, the status strip and a number's uptime against the real core (SQLite file, receiver on 127.0.0.1).
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { Accounts } from '../../renderer/src/screens/Accounts.js';
import { Alerts } from '../../renderer/src/screens/Alerts.js';
import { StatusStrip } from '../../renderer/src/components/StatusStrip.js';
import type { Route } from '../../renderer/src/lib/route.js';
import { duration } from '../../renderer/src/lib/time.js';
import { uptimeText } from '../../renderer/src/screens/AccountHistory.js';
import { accountWebhook, postJson } from '../support/harness.js';
import { renderWith, startInProcessClient } from './support.js';

const WAIT = { timeout: 5000 };
type Running = Awaited<ReturnType<typeof startInProcessClient>>;
let running: Running | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

const MIN = 60_000;
const PHONE = '+15555550100';

const SECOND = { phone: '+15555550199', name: 'Second Line' };
const connected = (at: number) => accountWebhook('connected', at);
const disconnected = (at: number) => accountWebhook('disconnected', at);

async function post(body: unknown): Promise<void> {
  const r = await postJson(running!.receiverUrl, body);
  expect(r.status, r.text).toBe(200);
}

describe('Incidents screen', () => {
  test('a flapping number is one open incident with its flap count; acknowledge, snooze and the filters reach the store', async () => {
    running = await startInProcessClient();
    const t0 = Date.now() - 60 * MIN;
    await post(connected(t0));
    await post(disconnected(t0 + 10 * MIN));
    await post(connected(t0 + 12 * MIN));
    // Down again 3 minutes after recovering: a flap of the same outage, not a second incident.
    await post(disconnected(t0 + 15 * MIN));

    renderWith(running.client, <Alerts onOpenEvent={() => {}} />);
    const item = await waitFor(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="incident"]');
      expect(el).not.toBeNull();
      return el!;
    }, WAIT);
    expect(screen.getAllByTestId('incident')).toHaveLength(1);
    const stored = running.core.store.incidents.list({ state: 'open' });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.flaps).toBeGreaterThanOrEqual(1);
    expect(within(item).getByTestId('incident-flaps').textContent).toBe(String(stored[0]!.flaps));
    expect(within(item).getByTestId('incident-alerts').textContent).toBe(String(stored[0]!.alerts));
    expect(item.textContent).toMatch(/Acme Support|\+15555550100/);
    expect(within(item).getByText('Ongoing for')).toBeTruthy();
    // Untrusted names are isolated for right-to-left text.
    expect(item.querySelector('strong')!.getAttribute('dir')).toBe('auto');

    fireEvent.click(within(item).getByRole('button', { name: /^Acknowledge/ }));
    await within(item).findByText(/acknowledged/, undefined, WAIT);
    expect(running.core.store.incidents.list({ state: 'open' })[0]!.acknowledgedAt).not.toBeNull();
    expect((screen.getByRole('button', { name: /^Acknowledge all/ }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(within(item).getByText('Snooze…'));
    fireEvent.click(within(item).getByRole('button', { name: 'For 1 hour' }));
    await within(item).findByText(/snoozed until/, undefined, WAIT);
    const snoozed = running.core.store.incidents.list({ state: 'open' })[0]!.snoozedUntil!;
    expect(snoozed - Date.now()).toBeGreaterThan(0.9 * 60 * MIN);
    fireEvent.click(within(item).getByRole('button', { name: 'End this snooze' }));
    await waitFor(() => expect(running!.core.store.incidents.list({ state: 'open' })[0]!.snoozedUntil).toBeNull(), WAIT);

    // A custom end in the past is refused with a reason and changes nothing.
    fireEvent.click(await within(item).findByText('Snooze…', undefined, WAIT));
    const until = within(item).getByLabelText('Until') as HTMLInputElement;
    fireEvent.change(until, { target: { value: '2020-01-01T09:00' } });
    fireEvent.submit(until.closest('form')!);
    expect((await within(item).findByRole('alert')).textContent).toMatch(/future/);
    expect(running.core.store.incidents.list({ state: 'open' })[0]!.snoozedUntil).toBeNull();

    fireEvent.click(screen.getByTestId('incidents-resolved'));
    await screen.findByText('No resolved incident yet', undefined, WAIT);

    // The recovery resolves it: gone from Open, listed under Resolved with its final duration.
    await post(connected(t0 + 20 * MIN));
    fireEvent.click(screen.getByTestId('incidents-open'));
    await screen.findByText('Nothing open', undefined, WAIT);
    fireEvent.click(screen.getByTestId('incidents-resolved'));
    const resolved = await screen.findByTestId('incident', undefined, WAIT);
    expect(within(resolved).getByText('Lasted')).toBeTruthy();
    const r = running.core.store.incidents.list({ state: 'resolved' })[0]!;
    expect(r.resolvedAt).not.toBeNull();
    expect(within(resolved).getByTestId('incident-duration').textContent).toBe(duration(r.resolvedAt! - r.openedAt));
  });

  test('acknowledge all marks every open incident seen', async () => {
    running = await startInProcessClient();
    const t0 = Date.now() - 30 * MIN;
    await post(connected(t0));
    await post(disconnected(t0 + MIN));
    await post(accountWebhook('disconnected', t0 + 2 * MIN, SECOND));
    renderWith(running.client, <Alerts onOpenEvent={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId('incident')).toHaveLength(2), WAIT);
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge all (2)' }));
    await waitFor(
      () => expect(running!.core.store.incidents.list({ state: 'open' }).every((i) => i.acknowledgedAt !== null)).toBe(true),
      WAIT,
    );
    await screen.findByText('no open incident waits for acknowledging', undefined, WAIT);
  });
});

describe('Status strip', () => {
  test('shows the core’s overall status and follows its status notification; each part links to its cause', async () => {
    running = await startInProcessClient();
    const t0 = Date.now() - 30 * MIN;
    await post(connected(t0));
    const went: Route[] = [];
    renderWith(running.client, <StatusStrip onGo={(r) => went.push(r)} />);
    const strip = await screen.findByTestId('status-strip', undefined, WAIT);
    await waitFor(() => expect(strip.getAttribute('data-level')).toBe('ok'), WAIT);
    expect(strip.textContent).toMatch(/All 1 number connected/);

    await post(disconnected(t0 + MIN));
    await waitFor(() => expect(screen.getByTestId('status-strip').getAttribute('data-level')).toBe('down'), WAIT);
    const part = screen.getByTestId(`status-account:${PHONE}`);
    expect(part.textContent).toMatch(/disconnected since/);
    expect((await running.client.api.getStatus()).level).toBe('down');
    // The number's part leads to the number's own card, by its link and by its click.
    expect(within(part).getByRole('link').getAttribute('href')).toBe(`#/accounts/${encodeURIComponent(PHONE)}`);
    fireEvent.click(within(part).getByRole('link'));
    expect(went).toEqual([{ screen: 'accounts', eventId: null, account: PHONE }]);

    await post(connected(t0 + 2 * MIN));
    await waitFor(() => expect(screen.getByTestId('status-strip').getAttribute('data-level')).toBe('ok'), WAIT);
  });
});

describe('Show the number: from an incident to the number’s card', () => {
  test('the incident names its number, and the Accounts screen marks and focuses that card', async () => {
    running = await startInProcessClient();
    const t0 = Date.now() - 30 * MIN;
    await post(connected(t0));
    await post(accountWebhook('connected', t0, SECOND));
    await post(disconnected(t0 + MIN));
    const asked: string[] = [];
    const alerts = renderWith(running.client, <Alerts onOpenEvent={() => {}} onOpenAccount={(key) => asked.push(key)} />);
    const item = await screen.findByTestId('incident', undefined, WAIT);
    fireEvent.click(within(item).getByRole('button', { name: 'Show the number' }));
    expect(asked).toEqual([PHONE]);
    alerts.unmount();

    // jsdom lays nothing out and has no scrollIntoView: record the calls (Chromium scrolls for real in test/e2e).
    const scrolled: Element[] = [];
    const had = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollIntoView');
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    try {
      renderWith(running.client, <Accounts onShowEvents={() => {}} focusKey={PHONE} />);
      await waitFor(() => expect(screen.getAllByTestId('account-card')).toHaveLength(2), WAIT);
      const target = document.querySelector<HTMLElement>('[data-target]')!;
      expect(target.getAttribute('data-key')).toBe(PHONE);
      expect(target.classList.contains('is-target')).toBe(true);
      await waitFor(() => expect(document.activeElement).toBe(target), WAIT);
      expect(scrolled).toEqual([target]);
      // Only that card is marked; the other number's is not.
      expect(document.querySelectorAll('.is-target')).toHaveLength(1);
      // A live update re-renders the board: the page is not pulled back to the card a second time.
      await post(connected(t0 + 2 * MIN));
      await waitFor(() => expect(target.getAttribute('data-state')).toBe('connected'), WAIT);
      expect(scrolled).toHaveLength(1);
    } finally {
      if (had) Object.defineProperty(Element.prototype, 'scrollIntoView', had);
      else delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView;
    }
  });

  test('a number no longer on the board is said so, and nothing is marked', async () => {
    running = await startInProcessClient();
    await post(connected(Date.now() - MIN));
    renderWith(running.client, <Accounts onShowEvents={() => {}} focusKey="+15550000000" />);
    await screen.findByTestId('account-card', undefined, WAIT);
    expect((await screen.findByTestId('account-missing', undefined, WAIT)).textContent).toMatch(/\+15550000000.*no card here/);
    expect(document.querySelectorAll('.is-target')).toHaveLength(0);
  });
});

describe('Accounts: a number’s uptime and incident timeline', () => {
  test('opening a card’s history shows the uptime the store computes and the number’s incidents', async () => {
    running = await startInProcessClient();
    const t0 = Date.now() - 30 * MIN;
    await post(connected(t0));
    await post(disconnected(t0 + MIN));
    await post(connected(t0 + 2 * MIN));
    await waitFor(() => expect(running!.core.store.incidents.list({ state: 'resolved' })).toHaveLength(1), WAIT);
    renderWith(running.client, <Accounts onShowEvents={() => {}} />);
    const card = await screen.findByTestId('account-card', undefined, WAIT);
    fireEvent.click(within(card).getByText('Uptime and incidents'));
    const body = await within(card).findByTestId('account-history-body', undefined, WAIT);
    const api = await running.client.api.getAccountHistory(PHONE);
    expect(api.downMs7d).toBeGreaterThan(0);
    expect(api.uptime7d).toBeLessThan(1);
    expect(api.incidents).toHaveLength(1);
    expect(body.textContent).toContain(uptimeText(api.uptime7d, api.downMs7d));
    expect(within(body).getAllByTestId('history-incident')).toHaveLength(1);
    expect(within(body).getByTestId('history-incident').textContent).toMatch(/lasted/);
    await expect(running.client.api.getAccountHistory('  ')).rejects.toThrow(/account key/);
  });
});
