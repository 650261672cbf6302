// @vitest-environment jsdom
// Settings' fields under jsdom against a real core: labels name their controls, hints and errors describe them, refusals land on their field, and aria-busy says when the panels are in.
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { Settings } from '../../renderer/src/screens/Settings.js';
import { fixturePayloads, postJson } from '../support/harness.js';
import { HookwatchApiError } from '../../renderer/src/transport/proxy.js';
import { renderWith, startInProcessClient } from './support.js';

const WAIT = { timeout: 5000 };
let running: Awaited<ReturnType<typeof startInProcessClient>> | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

/** The text of the elements that describe a control (its hint, its error). */
function description(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' | ');
}

describe('a refusal carries the reason and the method apart', () => {
  test('a refused setTeamHub: the message is the reason alone, the method beside it, and the form shows only the reason', async () => {
    running = await startInProcessClient();
    const err = await running.client.api
      .setTeamHub({
        mode: 'follow',
        url: 'http://wrong',
        credsFile: null,
        caFile: null,
        certFile: null,
        keyFile: null,
        name: 'dana',
        workspace: 'default',
      })
      .then(
        () => null,
        (e: unknown) => e as HookwatchApiError,
      );
    expect(err).toBeInstanceOf(HookwatchApiError);
    expect(err!.code).toBe('bad-input');
    expect(err!.method).toBe('setTeamHub');
    expect(err!.message).toMatch(/nats:\/\/ or tls:\/\//);
    expect(err!.message).not.toContain('setTeamHub');

    renderWith(running.client, <Settings filter={{}} />);
    fireEvent.click(await screen.findByLabelText(/follows a hub/, undefined, WAIT));
    fireEvent.change(screen.getByRole('textbox', { name: 'Hub URL' }), { target: { value: 'http://wrong' } });
    fireEvent.change(screen.getByRole('textbox', { name: "This install's name" }), { target: { value: 'dana' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save team hub' }));
    const alert = await screen.findByRole('alert', undefined, WAIT);
    expect(alert.textContent).toBe(err!.message);
    expect(document.body.textContent).not.toContain('setTeamHub');
    expect(running.core.store.meta.get('hubSettings')).toBeNull();
  });
});

describe('Settings fields (one Field component)', () => {
  test('no panel is busy once every self-loading panel is in: the mute list, the silence panel and the team hub are there', async () => {
    running = await startInProcessClient();
    await postJson(running.receiverUrl, JSON.parse(fixturePayloads().find((f) => f.name === 'tl_account_connected.json')!.body));
    const { container } = renderWith(running.client, <Settings filter={{}} />);
    // Busy from the first render, so "none busy" cannot be met before anything loaded.
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    await waitFor(() => expect(container.querySelector('[aria-busy="true"]')).toBeNull(), WAIT);
    expect(screen.getByRole('combobox', { name: 'Mute' })).toBeTruthy();
    expect(screen.getByTestId('silence-enabled')).toBeTruthy();
    expect(screen.getByTestId('destination-url')).toBeTruthy();
  });

  test('each control is named by its label alone and described by its hint; a refusal is shown on the field it is about', async () => {
    running = await startInProcessClient();
    renderWith(running.client, <Settings filter={{}} />);
    const days = await screen.findByRole('spinbutton', { name: 'Keep events (days)' }, WAIT);
    expect(description(days)).toBe('Each event keeps its raw request as long as it is kept.');

    fireEvent.click(await screen.findByLabelText(/follows a hub/, undefined, WAIT));
    const url = screen.getByRole('textbox', { name: 'Hub URL' });
    expect(description(url)).toMatch(/^The NATS server \(JetStream\)/);
    fireEvent.change(url, { target: { value: 'tls://127.0.0.1:1' } });
    fireEvent.change(screen.getByRole('textbox', { name: "This install's name" }), { target: { value: 'dana' } });
    // A client certificate without its key: refused, and said on the key's field.
    fireEvent.change(screen.getByRole('textbox', { name: 'Client certificate' }), { target: { value: '/tmp/client.pem' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save team hub' }));
    const key = screen.getByRole('textbox', { name: 'Client key' });
    await waitFor(() => expect(key.getAttribute('aria-invalid')).toBe('true'), WAIT);
    expect(description(key)).toMatch(/choose the client key too: a client certificate goes with its key \(mutual TLS\)$/);
    expect(screen.getByRole('alert').textContent).toBe('choose the client key too: a client certificate goes with its key (mutual TLS)');
    expect(url.getAttribute('aria-invalid')).toBeNull();
    // The screen shows the reason as it came: no API method in front of it, and none stripped by the screen.
    expect(document.body.textContent).not.toContain('setTeamHub');
    expect(running.core.store.meta.get('hubSettings')).toBeNull();

    // The forwarding form: a bad type is refused on the types field, in the words `hookwatch forward add` uses.
    fireEvent.change(screen.getByRole('textbox', { name: 'Event types' }), { target: { value: 'message:new, Not A Type' } });
    fireEvent.change(screen.getByTestId('destination-url'), { target: { value: 'https://n8n.example.com/webhook/abc' } });
    fireEvent.submit(screen.getByTestId('destination-url').closest('form')!);
    const types = screen.getByRole('textbox', { name: 'Event types' });
    await waitFor(() => expect(types.getAttribute('aria-invalid')).toBe('true'), WAIT);
    expect(description(types)).toMatch(/'Not A Type' is not an event type \(message:received:new\) or a group \(whatsapp:account:\*\)$/);
    expect(running.core.store.hub.listDestinations()).toEqual([]);
  });
});
