// @vitest-environment jsdom
// The settings forms' one save pattern (components/Save.tsx) under jsdom against a real core: a save in flight cannot be sent twice, and a refusal shows the core's reason alone.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { HookwatchApi } from '../../renderer/src/contract.js';
import { Settings } from '../../renderer/src/screens/Settings.js';
import type { HookwatchClient } from '../../renderer/src/transport/client.js';
import { renderWith, startInProcessClient } from './support.js';

const WAIT = { timeout: 5000 };
let running: Awaited<ReturnType<typeof startInProcessClient>> | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

/** The real client, with every updateSettings call held until `release()` (it then reaches the real core). */
function holdingUpdates(client: HookwatchClient) {
  const calls: unknown[] = [];
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const api = new Proxy(client.api, {
    get(target, prop: keyof HookwatchApi) {
      if (prop !== 'updateSettings') return target[prop];
      return async (patch: Parameters<HookwatchApi['updateSettings']>[0]) => {
        calls.push(patch);
        await gate;
        return target.updateSettings(patch);
      };
    },
  });
  return { client: { ...client, api } as HookwatchClient, calls, release: () => open() };
}

describe('the save pattern of Settings', () => {
  test('while a save runs its button waits, so a second click sends nothing; then it says what was saved', async () => {
    running = await startInProcessClient();
    const held = holdingUpdates(running.client);
    renderWith(held.client, <Settings filter={{}} />);
    const days = await screen.findByRole('spinbutton', { name: 'Keep events (days)' }, WAIT);
    await waitFor(() => expect((days as HTMLInputElement).value).toBe('90'), WAIT);
    fireEvent.change(days, { target: { value: '45' } });
    const form = days.closest('form')!;
    const button = within(form).getByRole('button', { name: 'Save retention' }) as HTMLButtonElement;
    fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true), WAIT);
    fireEvent.submit(form);
    expect(held.calls).toHaveLength(1);
    expect(running.core.store.meta.get('retentionEventDays')).toBeNull();

    held.release();
    expect((await within(form).findByRole('status', undefined, WAIT)).textContent).toBe(
      'Saved: events are kept 45 days, the delivery log 10 days.',
    );
    expect(button.disabled).toBe(false);
    expect(held.calls).toHaveLength(1);
    expect(running.core.store.meta.get('retentionEventDays')).toBe(45);
  });

  test('a refused save shows the core’s reason alone, as an alert in its own form, and keeps what was typed', async () => {
    running = await startInProcessClient();
    renderWith(running.client, <Settings filter={{}} />);
    const email = (await screen.findByTestId('my-email', undefined, WAIT)) as HTMLInputElement;
    const form = email.closest('form')!;
    // The browser would stop this address; a submit without its check shows what the core says.
    fireEvent.change(email, { target: { value: 'not an address' } });
    fireEvent.submit(form);
    const alert = await within(form).findByRole('alert', undefined, WAIT);
    expect(alert.textContent).toBe('your e-mail (myEmail) must be an address like you@example.com, or empty');
    expect(document.body.textContent).not.toContain('updateSettings');
    expect(within(form).queryByRole('status')).toBeNull();
    expect(email.value).toBe('not an address');
    expect(running.core.alerts.settings().myEmail).toBeNull();

    // The next answer replaces the refusal.
    fireEvent.change(email, { target: { value: 'dana@example.com' } });
    fireEvent.submit(form);
    expect((await within(form).findByRole('status', undefined, WAIT)).textContent).toBe('Saved: alerts follow these choices from now on.');
    expect(within(form).queryByRole('alert')).toBeNull();
    expect(running.core.alerts.settings().myEmail).toBe('dana@example.com');
  });
});
