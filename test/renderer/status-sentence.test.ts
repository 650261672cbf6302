// Table tests of the page's pure wording: the status strip's verdict, event sentences and tones, visible controls, answer times.
import { describe, expect, test } from 'vitest';
import type { EventSummary } from '../../main/contract/api.js';
import { TIMELINES_EVENT_TYPES } from '../../main/contract/events.js';
import { ms, visibleControls } from '../../renderer/src/lib/format.js';
import { eventSentence, eventTone, eventWho, SENTENCE_TYPES } from '../../renderer/src/lib/sentence.js';
import { stripOf } from '../../renderer/src/lib/status.js';
import { overallStatus, type StatusInputs } from '../../main/contract/status.js';

const acc = (key: string, state: StatusInputs['accounts'][number]['state'], since: number | null = null, label = key) => ({
  key,
  label,
  state,
  since,
});
const hook = (reason: string) => ({ key: 'w', provider: 'timelines', eventType: 'message:new', reason, since: 7 });
const status = (i: Partial<StatusInputs>) => overallStatus({ accounts: [], tunnel: null, failingWebhooks: [], catchup: null, ...i });
const up = { state: 'up' as const, since: 1 };
const since = (at: number) => `T${at}`;

describe('the status strip’s lines, from the one overall status the core decides', () => {
  test.each([
    ['nothing loaded yet', null, 'unknown', []],
    [
      'all numbers connected, tunnel up',
      status({ accounts: [acc('+1', 'connected'), acc('+2', 'connected')], tunnel: up }),
      'ok',
      ['All 2 numbers connected'],
    ],
    [
      'two of five down: each named with its since, the count without',
      status({
        accounts: [
          acc('+1', 'disconnected', 200),
          acc('+2', 'suspended', 100),
          acc('+3', 'connected'),
          acc('+4', 'connected'),
          acc('+5', 'connected'),
        ],
        tunnel: up,
      }),
      'bad',
      ['3 of 5 connected, 2 down', '+1 disconnected since T200', '+2 suspended since T100'],
    ],
    [
      'many numbers down: one count with the earliest since',
      status({ accounts: ['+1', '+2', '+3', '+4'].map((k, i) => acc(k, 'disconnected', 10 + i)) }),
      'bad',
      ['0 of 4 connected, 4 down since T10'],
    ],
    [
      'tunnel down outranks healthy numbers',
      status({ accounts: [acc('+1', 'connected')], tunnel: { state: 'down', since: 5 } }),
      'bad',
      ['Tunnel down since T5', 'All 1 number connected'],
    ],
    [
      'tunnel turned off is not a fault',
      status({ accounts: [acc('+1', 'connected')], tunnel: { state: 'off', since: 1 } }),
      'ok',
      ['All 1 number connected'],
    ],
    [
      'tunnel reconnecting is a warning',
      status({ tunnel: { state: 'reconnecting', since: 3 } }),
      'warning',
      ['Tunnel reconnecting since T3'],
    ],
    [
      'a failing provider webhook',
      status({ tunnel: up, failingWebhooks: [hook('3 failed deliveries in a row')] }),
      'warning',
      ['Timelines webhook message:new failing: 3 failed deliveries in a row since T7'],
    ],
    ['only the tunnel known, up', status({ tunnel: up }), 'ok', ['Tunnel up']],
    ['nothing to watch yet', status({}), 'unknown', ['No number seen yet: cannot tell']],
  ] as const)('%s', (_name, s, tone, texts) => {
    const strip = stripOf(s, since);
    expect(strip.tone).toBe(tone);
    expect(strip.parts.map((p) => p.text)).toEqual(texts);
  });

  test('each part links to the screen with its cause', () => {
    const s = status({ accounts: [acc('+1', 'disconnected', 1)], tunnel: { state: 'down', since: 2 }, failingWebhooks: [hook('x')] });
    expect(Object.fromEntries(stripOf(s, since).parts.map((p) => [p.key, p.screen]))).toEqual({
      accounts: 'accounts',
      'account:+1': 'accounts',
      tunnel: 'health',
      'webhook:w': 'health',
    });
    expect(stripOf(status({}), since).parts.map((p) => p.screen)).toEqual(['setup']);
  });
});

const ev = (patch: Partial<EventSummary>): EventSummary => ({
  id: 1,
  receivedAt: 0,
  occurredAt: null,
  provider: 'timelines',
  type: 'message:new',
  group: 'message',
  accountPhone: '+15555550100',
  accountId: null,
  accountName: 'Acme Support',
  chatId: '42',
  chatName: 'Zoë Müller',
  chatPhone: '+15555550123',
  direction: null,
  text: null,
  note: null,
  deliveryCount: 1,
  recovered: false,
  ...patch,
});

describe('a plain sentence for every event type', () => {
  test('every TimelinesAI event type and the unknown payload have a sentence of their own', () => {
    for (const t of [...TIMELINES_EVENT_TYPES, 'unknown']) expect(SENTENCE_TYPES).toContain(t);
  });

  test.each([
    ['whatsapp:account:disconnected', {}, 'Acme Support disconnected', 'down'],
    ['whatsapp:account:connected', {}, 'Acme Support connected', 'up'],
    ['whatsapp:account:suspended', { accountName: null }, '+15555550100 was suspended', 'down'],
    ['whatsapp:account:resumed', {}, 'Acme Support is back', 'up'],
    ['chat:responsible:assigned', { note: 'assigned to Alex · previously Sam' }, 'Chat with Zoë Müller assigned to Alex', 'info'],
    ['chat:responsible:unassigned', {}, 'Chat with Zoë Müller unassigned', 'info'],
    ['chat:new', { chatName: null }, 'New chat with +15555550123', 'info'],
    ['call:incoming:missed', {}, 'Missed call from Zoë Müller', 'down'],
    ['call:outgoing:ended', {}, 'Call to Zoë Müller ended', 'info'],
    ['message:received:new', { provider: 'whatsable' as const }, 'Message from Zoë Müller', 'info'],
    ['message:reaction', {}, 'Zoë Müller reacted to a message', 'info'],
    ['waba:message:failed', {}, 'Message to Zoë Müller failed', 'down'],
    ['waba:account:active', {}, 'Acme Support is active', 'up'],
    ['waba:template:rejected', {}, 'Message template rejected', 'down'],
    ['waba:chat:closed', {}, 'Chat with Zoë Müller closed', 'info'],
    ['unknown', {}, 'A request no provider recognised', 'info'],
    ['message:new', { direction: 'sent' as const }, 'Message sent to Zoë Müller', 'info'],
    ['message:new', { direction: 'received' as const }, 'Message from Zoë Müller', 'info'],
    ['something:new', {}, 'Event “something:new”', 'info'],
  ] as const)('%s', (type, patch, sentence, tone) => {
    expect(eventSentence(ev({ type, ...patch }))).toBe(sentence);
    expect(eventTone(type)).toBe(tone);
  });

  test('who: the number for account events, the contact otherwise; a WhatsAble user id never stands for a name', () => {
    expect(eventWho(ev({ type: 'whatsapp:account:connected', group: 'account' }))).toBe('Acme Support');
    expect(eventWho(ev({}))).toBe('Zoë Müller');
    expect(
      eventWho(
        ev({
          chatName: null,
          chatPhone: null,
          chatId: null,
          accountName: null,
          accountPhone: null,
          accountId: 'a3c1e1f0-5d2b-4c1e-9f3a-0123456789ab',
        }),
      ),
    ).toBe('');
  });
});

describe('invisible characters made visible', () => {
  test.each([
    ['a\u0000b', false, 'a\\u{0}b'],
    ['bell\u0007', false, 'bell\\u{7}'],
    ['del\u007f', false, 'del\\u{7F}'],
    ['two\nlines\tand tab', false, 'two\nlines\tand tab'],
    ['two\nlines', true, 'two\\u{A}lines'],
    ['\u202Egnp.exe', false, '\\u{202E}gnp.exe'],
    ['zero\u200Bwidth', false, 'zero\\u{200B}width'],
    ['C1\u0085', false, 'C1\\u{85}'],
    ['שלום +972', false, 'שלום +972'],
  ] as const)('%j', (input, singleLine, out) => {
    expect(visibleControls(input, singleLine)).toBe(out);
  });
});

describe('answer times in human units', () => {
  test.each([
    [null, '–'],
    [0.06, 'under 1 ms'],
    [12.4, '12 ms'],
    [999, '999 ms'],
    [1234, '1.2 s'],
    [75_000, '75 s'],
  ] as const)('%s ms', (v, out) => {
    expect(ms(v)).toBe(out);
  });
});
