// @vitest-environment jsdom
// Setup that proves itself (issue 10 item 4, issue 11): the test event's hops, the first real delivery with a link to it,
// a refused request explained, and the question whose assignments to announce (e-mail from the TimelinesAI stand-in).
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { TimelinesApiClient } from '../../main/core/providers/timelines/api.js';
import { FirstRun } from '../../renderer/src/screens/FirstRun.js';
import { fixturePayloads, postJson } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';
import { renderWith, startInProcessClient } from './support.js';

const WAIT = { timeout: 5000 };
type Running = Awaited<ReturnType<typeof startInProcessClient>>;
let running: Running | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const TOKEN = 'tok_setup_1234567890';
let standin: TimelinesStandIn;
beforeAll(async () => (standin = await TimelinesStandIn.start({ token: TOKEN })));
afterAll(async () => {
  expect(standin.violations).toEqual([]);
  expect(standin.responseViolations).toEqual([]);
  await standin.close();
});

const sample = (name: string) => fixturePayloads().find((p) => p.name === name)!.body;

async function renderSetup(r: Running) {
  const setup = await r.client.api.getSetup();
  renderWith(r.client, <FirstRun setup={setup} error={null} onOpenFeed={() => {}} />);
  return setup;
}

describe('Setup proves itself', () => {
  test('a test event lists its hops and links to itself, and does not count as the first delivery; a real one does, with a link', async () => {
    const r = (running = await startInProcessClient());
    await renderSetup(r);
    const panel = screen.getByTestId('test-event');
    fireEvent.click(within(panel).getByRole('button', { name: 'Send a test event' }));
    const report = await within(panel).findByRole('status', undefined, WAIT);
    expect(report.textContent).toMatch(/sent straight to the local receiver: the tunnel is not up/);
    const hops = within(report)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(hops).toEqual([
      expect.stringMatching(/^✓ receiver answered after \d+ ms \(HTTP 200, event \d+\)$/),
      expect.stringMatching(/^✓ stored after/),
    ]);
    const testId = r.core.store.listEvents({ limit: 1 })[0]!.id;
    expect(within(report).getByRole('link', { name: 'Open the test event' }).getAttribute('href')).toBe(`#/feed/${testId}`);
    // Not a provider's delivery: still waiting.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(screen.getByText('Waiting for the first event…')).toBeTruthy();
    expect(screen.queryByTestId('first-delivery')).toBeNull();

    const posted = await postJson(r.receiverUrl, sample('tl_chat_incoming.json'));
    expect(posted.status).toBe(200);
    const first = await screen.findByTestId('first-delivery', undefined, WAIT);
    expect(first.textContent).toMatch(/^First delivery: \d\d:\d\d(?: [AP]M)? from TimelinesAI, chat:incoming:new\. Open it/);
    expect(within(first).getByRole('link', { name: 'Open it' }).getAttribute('href')).toBe(`#/feed/${posted.json.events[0].id}`);
    expect(first.textContent).toContain('1 event just arrived.');
    expect(screen.queryByText('Waiting for the first event…')).toBeNull();
  });

  test('a request the receiver refused (a wrong secret) is shown with what to do', async () => {
    const r = (running = await startInProcessClient());
    await renderSetup(r);
    const wrong = r.receiverUrl.replace(/\/hooks\/.+$/, '/hooks/not-the-secret');
    expect((await postJson(wrong, sample('tl_chat_incoming.json'))).status).toBe(404);
    const note = await screen.findByTestId('first-delivery', undefined, WAIT);
    expect(note.textContent).toMatch(
      /^A request arrived at \d\d:\d\d(?: [AP]M)? but was refused \(404 Not found\): the path or its secret is wrong/,
    );
    expect(within(note).getByRole('link', { name: 'Webhook health' }).getAttribute('href')).toBe('#/health');
  });

  test('with events already stored, the latest real delivery is shown', async () => {
    const r = (running = await startInProcessClient());
    const posted = await postJson(r.receiverUrl, sample('wa_incoming.json'));
    await r.client.api.sendTestEvent();
    await renderSetup(r);
    const latest = await screen.findByTestId('first-delivery', undefined, WAIT);
    expect(latest.textContent).toMatch(/^Latest delivery: \d\d:\d\d(?: [AP]M)? from WhatsAble, message:received:new\./);
    expect(within(latest).getByRole('link', { name: 'Open it' }).getAttribute('href')).toBe(`#/feed/${posted.json.events[0].id}`);
  });

  test('whose assignments: until answered all; "only mine" pre-filled from TimelinesAI; a disabled Save says why; saving answers it', async () => {
    const api = new TimelinesApiClient({
      tokenSource: { describe: 'test', getToken: async () => TOKEN },
      baseUrl: standin.baseUrl,
    });
    standin.teammateEmail = 'dana.agent@example.com';
    const r = (running = await startInProcessClient({
      tokenConfigured: async () => true,
      teammateEmail: async () => (await api.getMyTeammate()).email,
    }));
    await renderSetup(r);
    const step = (await screen.findByRole('heading', { name: 'Chat assignment alerts' }, WAIT)).closest('li')!;
    expect(within(step).getByText('Until you choose, every assignment is announced.')).toBeTruthy();
    expect((within(step).getByRole('radio', { name: 'Every assignment' }) as HTMLInputElement).checked).toBe(true);
    await within(step).findByText('Your TimelinesAI e-mail (the token’s teammate): dana.agent@example.com', undefined, WAIT);

    fireEvent.click(within(step).getByRole('radio', { name: 'Only chats assigned to me' }));
    const email = within(step).getByTestId('setup-my-email') as HTMLInputElement;
    expect(email.value).toBe('dana.agent@example.com');
    const save = within(step).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    fireEvent.change(email, { target: { value: '' } });
    expect(save.disabled).toBe(true);
    expect(within(step).getByTestId('assignments-why-not').textContent).toBe('Enter your e-mail first (as in TimelinesAI).');
    expect(save.getAttribute('aria-describedby')).toBe(within(step).getByTestId('assignments-why-not').id);
    fireEvent.change(email, { target: { value: 'dana.agent@example.com' } });
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect((await within(step).findByTestId('assignments-saved', undefined, WAIT)).textContent).toBe(
      'Saved: only chats assigned to dana.agent@example.com are announced.',
    );
    expect(r.core.alerts.settings()).toMatchObject({
      assignmentAlerts: 'mine',
      assignmentsAnswered: true,
      myEmail: 'dana.agent@example.com',
    });
    await waitFor(() => expect(within(step).getByText('You can change this later in Settings.')).toBeTruthy(), WAIT);
    expect(standin.requests.some((q) => q.path.endsWith('/workspace/teammates/me') && q.status === 200)).toBe(true);
  });

  test('without a token the question is still asked, and TimelinesAI is not', async () => {
    const before = standin.requests.length;
    const r = (running = await startInProcessClient());
    await renderSetup(r);
    const step = (await screen.findByRole('heading', { name: 'Chat assignment alerts' }, WAIT)).closest('li')!;
    fireEvent.click(within(step).getByRole('radio', { name: 'None (they stay in the feed)' }));
    fireEvent.click(within(step).getByRole('button', { name: 'Save' }));
    await within(step).findByText('Saved: chat assignments are kept in the feed, never announced.', undefined, WAIT);
    expect(r.core.alerts.settings()).toMatchObject({ assignmentAlerts: 'none', assignmentsAnswered: true });
    expect(standin.requests.length).toBe(before);
  });
});
