// Table tests of the page's pure wording: the status strip's verdict, event sentences and tones, visible controls, answer times.
import { describe, expect, test } from 'vitest';
import type { AccountCard, AccountsBoard, EventSummary, HealthReport, RegisteredWebhook, TunnelStatus } from '../../main/contract/api.js';
import { TIMELINES_EVENT_TYPES } from '../../main/contract/events.js';
import { ms, visibleControls } from '../../renderer/src/lib/format.js';
import { eventSentence, eventTone, eventWho, SENTENCE_TYPES } from '../../renderer/src/lib/sentence.js';
import { statusFromViews } from '../../renderer/src/lib/status.js';

const card = (key: string, state: AccountCard['state'], since: number | null = null, name: string | null = null): AccountCard => ({
  key,
  phone: key,
  accountId: null,
  name,
  state,
  since,
  lastEvent: null,
  outages7d: [],
});
const board = (cards: AccountCard[] | null): AccountsBoard => ({
  tracking: cards ? { available: true, accounts: cards } : { available: false, reason: 'no token' },
  seen: [],
});
const tunnel = (state: TunnelStatus['state'] | null): HealthReport['tunnel'] =>
  state
    ? { available: true, status: { state, url: null, since: 0, uptime24h: null, lastProbe: null } }
    : { available: false, reason: 'no tunnel' };
const hook = (errorsCounter: number, pointsAtCurrentUrl = true): RegisteredWebhook => ({
  id: 'w',
  provider: 'timelines',
  eventType: 'message:new',
  pointsAtCurrentUrl,
  enabled: true,
  errorsCounter,
  checkedAt: 0,
});
const health = (t: TunnelStatus['state'] | null, hooks: RegisteredWebhook[] | null = null): HealthReport =>
  ({
    generatedAt: 0,
    windowDays: 10,
    total: {} as HealthReport['total'],
    providers: [],
    tunnel: tunnel(t),
    webhooks: hooks ? { available: true, webhooks: hooks } : { available: false, reason: 'no token' },
  }) satisfies HealthReport;
const since = (at: number) => `T${at}`;

describe('the status strip’s verdict, from the views the API gives', () => {
  test.each([
    ['nothing loaded yet', null, null, 'unknown', []],
    [
      'all numbers connected, tunnel up',
      board([card('+1', 'connected'), card('+2', 'connected')]),
      health('up'),
      'ok',
      ['All 2 numbers connected', 'Tunnel up'],
    ],
    ['one number, connected', board([card('+1', 'connected')]), null, 'ok', ['The number is connected']],
    [
      'two of five down: the earliest start is the "since"',
      board([
        card('+1', 'disconnected', 200),
        card('+2', 'suspended', 100),
        card('+3', 'connected'),
        card('+4', 'connected'),
        card('+5', 'connected'),
      ]),
      health('up'),
      'bad',
      ['2 of 5 numbers are down since T100', 'Tunnel up'],
    ],
    [
      'one named number down',
      board([card('+1', 'disconnected', 5, 'Acme Support'), card('+2', 'connected')]),
      null,
      'bad',
      ['Acme Support is down since T5'],
    ],
    [
      'tunnel down outranks healthy numbers',
      board([card('+1', 'connected')]),
      health('down'),
      'bad',
      ['Tunnel down: webhooks cannot reach you', 'The number is connected'],
    ],
    [
      'tunnel turned off is not a fault',
      board([card('+1', 'connected')]),
      health('off'),
      'ok',
      ['The number is connected', 'Tunnel off (turned off)'],
    ],
    ['no tunnel by design says nothing of it', board([card('+1', 'connected')]), health(null), 'ok', ['The number is connected']],
    ['tunnel reconnecting is a warning', null, health('reconnecting'), 'warning', ['Tunnel reconnecting…']],
    ['a failing provider webhook', null, health('up', [hook(0), hook(3)]), 'bad', ['1 provider webhook failing', 'Tunnel up']],
    ['a webhook at an old URL', null, health('up', [hook(0, false)]), 'warning', ['1 webhook points at an old URL', 'Tunnel up']],
    ['healthy webhooks', null, health('up', [hook(0)]), 'ok', ['Tunnel up', 'Provider webhooks delivering']],
    [
      'tracking off with numbers seen',
      { tracking: { available: false, reason: 'x' }, seen: [{}] } as AccountsBoard,
      null,
      'unknown',
      ['1 number seen, state not tracked'],
    ],
    ['nothing to watch yet', board([]), health(null), 'unknown', ['No number seen yet']],
  ] as const)('%s', (_name, b, h, level, texts) => {
    const s = statusFromViews({ board: b, health: h, since });
    expect(s.level).toBe(level);
    expect(s.parts.map((p) => p.text)).toEqual(texts);
  });

  test('each part links to the screen with its cause', () => {
    const s = statusFromViews({ board: board([card('+1', 'disconnected', 1)]), health: health('down', [hook(2)]), since });
    expect(Object.fromEntries(s.parts.map((p) => [p.key, p.screen]))).toEqual({
      accounts: 'accounts',
      tunnel: 'health',
      webhooks: 'health',
    });
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
