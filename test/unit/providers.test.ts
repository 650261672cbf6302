/**
 * The pure parts of normalization: provider times, phone numbers, and the dedupe key each payload
 * shape gets (see the comments at the top of providers/timelines/webhook.ts and providers/whatsable/webhook.ts).
 * Expected instants come from the platform's ISO parser (`Date.parse` of a plain ISO string), not
 * from the code under test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isoOrNull, parseProviderTime } from '../../main/core/time.js';
import { toE164 } from '../../main/core/phone.js';
import { detectProvider, normalizeBody, PROVIDERS } from '../../main/core/providers/registry.js';
import { timelinesProvider } from '../../main/core/providers/timelines/webhook.js';
import { whatsableProvider, whatsAbleLastMessages } from '../../main/core/providers/whatsable/webhook.js';
import { PROVIDER_IDS, type NormalizedEvent } from '../../main/core/events.js';
import { fixturePayloads, REPO } from '../support/harness.js';
import { specSamples } from '../support/spec-samples.js';

const at = (iso: string) => Date.parse(iso);

describe('parseProviderTime', () => {
  it.each<[string, unknown, number | null]>([
    ['TimelinesAI v2 "+0200" form', '2024-01-15 10:30:00 +0200', at('2024-01-15T08:30:00Z')],
    ['v2 negative offset', '2024-01-15 10:30:00 -0330', at('2024-01-15T14:00:00Z')],
    ['v1 "+0000" form', '2021-02-24T16:25:29+0000', at('2021-02-24T16:25:29Z')],
    ['ISO with Z and milliseconds (WhatsAble last_messages)', '2025-06-09T22:08:11.990Z', at('2025-06-09T22:08:11.990Z')],
    ['ISO with a colon offset', '2024-01-15T10:30:00+05:30', at('2024-01-15T05:00:00Z')],
    ['ISO with microseconds', '2024-01-15T10:30:00.123456Z', at('2024-01-15T10:30:00.123Z')],
    ['hours-only offset', '2024-01-15T10:30:00+02', at('2024-01-15T08:30:00Z')],
    ['no zone: read as UTC, as v1 documents', '2024-01-15T10:30:00', at('2024-01-15T10:30:00Z')],
    ['"UTC" suffix', '2024-01-15 10:30:00 UTC', at('2024-01-15T10:30:00Z')],
    ['surrounding whitespace', '  2024-01-15 10:30:00 +0200 ', at('2024-01-15T08:30:00Z')],
    ['Unix seconds, number (WhatsAble)', 1749506891, at('2025-06-09T22:08:11Z')],
    ['Unix seconds, string', '1749506891', at('2025-06-09T22:08:11Z')],
    ['Unix seconds with a fraction', 1749506891.5, at('2025-06-09T22:08:11.500Z')],
    ['milliseconds, number', 1749506891990, at('2025-06-09T22:08:11.990Z')],
    ['milliseconds, string', '1749506891990', at('2025-06-09T22:08:11.990Z')],
    ['0 means "none" (WhatsAble)', 0, null],
    ['"0" means "none"', '0', null],
    ['negative number', -5, null],
    ['NaN', Number.NaN, null],
    ['Infinity', Number.POSITIVE_INFINITY, null],
    ['beyond what a Date holds, number', 1e17, null],
    ['beyond what a Date holds, string', '99999999999999999999', null],
    ['the last instant a Date holds', 8.64e15, 8.64e15],
    ['a year below 100 is that year, not 19xx', '0024-01-15T00:00:00Z', at('0024-01-15T00:00:00Z')],
    ['garbage', 'yesterday', null],
    ['almost a date', '2024-01-15 10:30', at('2024-01-15T10:30:00Z')],
    ['date only', '2024-01-15', null],
    ['empty string', '', null],
    ['blanks', '   ', null],
    ['null', null, null],
    ['undefined', undefined, null],
    ['boolean', true, null],
    ['object', { t: 1 }, null],
    ['30 February', '2024-02-30 10:00:00 +0000', null],
    ['29 February of a common year', '2023-02-29 10:00:00 +0000', null],
    ['29 February of a leap year', '2024-02-29 10:00:00 +0000', at('2024-02-29T10:00:00Z')],
    ['month 13', '2024-13-01 10:00:00 +0000', null],
    ['day 0', '2024-01-00 10:00:00 +0000', null],
    ['31 April', '2024-04-31 10:00:00 +0000', null],
    ['hour 24', '2024-01-15 24:00:00 +0000', null],
    ['minute 60', '2024-01-15 10:60:00 +0000', null],
    ['offset beyond +14', '2024-01-15 10:30:00 +1500', null],
    ['offset minutes 60', '2024-01-15 10:30:00 +0260', null],
    ['a named zone', '2024-01-15 10:30:00 CET', null],
  ])('%s: %j', (_label, input, want) => {
    expect(parseProviderTime(input)).toBe(want);
  });
});

describe('isoOrNull', () => {
  it.each<[number | null | undefined, string | null]>([
    [null, null],
    [undefined, null],
    [0, '1970-01-01T00:00:00.000Z'],
    [at('2024-01-15T08:30:00Z'), '2024-01-15T08:30:00.000Z'],
    [8.64e15, '+275760-09-13T00:00:00.000Z'],
    // Rows stored before parseProviderTime was bounded: an export must not die on them.
    [1e17, null],
    [Number.NaN, null],
  ])('%s -> %s', (ms, want) => {
    expect(isoOrNull(ms)).toBe(want);
  });
});

describe('toE164', () => {
  it.each<[string, unknown, string | null]>([
    ['E.164 already', '+15551234567', '+15551234567'],
    ['bare digits (calls, reactions, WhatsAble)', '15551234567', '+15551234567'],
    ['a JSON number (WhatsAble)', 15551234567, '+15551234567'],
    ['WABA display form', '+1 555 010 1234', '+15550101234'],
    ['punctuated', '+1 (555) 010-1234', '+15550101234'],
    ['dots and a no-break space', '+44\u00a07700.900.123', '+447700900123'],
    ['surrounding blanks', '  +44 7700 900123 ', '+447700900123'],
    ["the spec's short example", '+123456789', '+123456789'],
    ["the spec's bare-digit example", '380739833532', '+380739833532'],
    ['00 international prefix', '0044 20 7946 0958', '+442079460958'],
    ['00 prefix, no spaces', '00442079460958', '+442079460958'],
    ['person JID', '15551234567@s.whatsapp.net', '+15551234567'],
    ['person JID with a device suffix', '15551234567:12@s.whatsapp.net', '+15551234567'],
    ['old-style person JID', '15551234567@c.us', '+15551234567'],
    ['group JID', '120363025246125888@g.us', null],
    ['LID JID (no phone in it)', '123456789012345@lid', null],
    ['15 digits, the E.164 maximum', '123456789012345', '+123456789012345'],
    ['16 digits', '1234567890123456', null],
    ['5 digits', '12345', null],
    ['6 digits, the minimum kept', '123456', '+123456'],
    ['national form with a trunk 0', '07700900123', null],
    ['+ then 0', '+0123456789', null],
    ['+00', '+0044123456789', null],
    ['letters inside', '+1555abc1234', null],
    ['a URI', 'tel:+15551234567', null],
    ['a plus alone', '+', null],
    ['empty', '', null],
    ['null', null, null],
    ['undefined', undefined, null],
    ['zero', 0, null],
    ['negative number', -15551234567, null],
    ['fraction', 1555123.4567, null],
    ['unsafe integer', 2 ** 60, null],
    ['boolean', true, null],
    ['object', { phone: '+15551234567' }, null],
  ])('%s: %j', (_label, input, want) => {
    expect(toE164(input)).toBe(want);
  });
});

// ---------------------------------------------------------------------------------------------

function fixture(name: string): Record<string, any> {
  return JSON.parse(fixturePayloads().find((f) => f.name === name)!.body);
}

function one(body: Record<string, unknown>): NormalizedEvent {
  const out = normalizeBody(body);
  expect(out.problem).toBeNull();
  expect(out.events).toHaveLength(1);
  return out.events[0]!;
}

const key = (body: Record<string, unknown>) => one(body).dedupeKey;
const HASH = /^h:[0-9a-f]{64}$/;

function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversedKeys(x)]),
    );
  return v;
}

describe('dedupe keys, per payload shape', () => {
  it('v2 messages: the message uid, whatever else the payload says; the type keeps two announcements apart', () => {
    const m = fixture('tl_message_new.json');
    expect(key(m)).toBe('uid:5f0c2a4e-8d7b-4c1e-9a55-0c1d2e3f4a5b');
    expect(key({ ...m, message: { ...m.message, text: 'edited', received_timestamp: '2025-03-02 15:20:13 +0000' } })).toBe(key(m));
    const received = one({ ...m, event_type: 'message:received:new' });
    expect(received.dedupeKey).toBe(key(m));
    expect(received.type).not.toBe(one(m).type);
    expect(key({ ...m, message: { ...m.message, message_uid: 'other-uid' } })).not.toBe(key(m));
  });

  it('a v2 message without a uid falls back to a hash of the body', () => {
    const m = fixture('tl_message_new.json');
    const { message_uid: _drop, ...message } = m.message;
    expect(key({ ...m, message })).toMatch(HASH);
  });

  it('the `data` wrapper: the message uid too', () => {
    expect(key({ event_type: 'message:received:new', data: { message_uid: 'wrap-1', text: 'hi' } })).toBe('uid:wrap-1');
    // Not a message: nothing names the occurrence, so the body.
    expect(key({ event_type: 'chat:new', data: { chat_id: 5 } })).toMatch(HASH);
    // A reaction names the message reacted to; two reactions to it are two events.
    const set = key({ event_type: 'message:reaction', data: { message_uid: 'wrap-1', emoji: '👍', action: 'set' } });
    const clear = key({ event_type: 'message:reaction', data: { message_uid: 'wrap-1', emoji: '👍', action: 'clear' } });
    expect(set).toMatch(HASH);
    expect(set).not.toBe(clear);
  });

  it("calls: the call's message uid", () => {
    const call = specSamples().find((x) => x.event === 'call:incoming:missed')!.body;
    expect(key(call)).toBe(`call:${(call as any).call_details.message_uid}`);
  });

  it('reactions: uid + action + emoji + reactor + time, so set and clear (and two people) stay apart', () => {
    const r = specSamples().find((x) => x.event === 'message:reaction')!.body as Record<string, any>;
    const k = key(r);
    expect(k.startsWith(`reaction:${r.reaction.message_uid}|`)).toBe(true);
    expect(key(structuredClone(r))).toBe(k);
    expect(key({ ...r, reaction: { ...r.reaction, action: 'clear' } })).not.toBe(k);
    expect(key({ ...r, reaction: { ...r.reaction, emoji: '❤️' } })).not.toBe(k);
    expect(key({ ...r, reaction: { ...r.reaction, reactor: { full_name: 'Other', phone: '+15550000001' } } })).not.toBe(k);
    expect(key({ ...r, reaction: { ...r.reaction, timestamp: '2024-01-08 10:36:00 +0200' } })).not.toBe(k);
    // The current counts are not part of the occurrence.
    expect(key({ ...r, reaction: { ...r.reaction, reactions: { '👍': 3 } } })).toBe(k);
  });

  it('new chats: the chat id (a chat is created once), whatever its labels or read state', () => {
    const c = fixture('tl_chat_new.json');
    expect(key(c)).toBe('chat:4811201');
    expect(key({ ...c, chat: { ...c.chat, labels: ['vip'], read: true } })).toBe('chat:4811201');
    expect(key({ ...fixture('tl_chat_incoming.json') })).toBe('chat:4811201');
  });

  it.each([
    'tl_account_connected.json',
    'tl_account_disconnected.json',
    'tl_account_suspended.json',
    'tl_account_resumed.json',
    'tl_chat_assigned.json',
    'tl_chat_unassigned.json',
  ])('%s: a hash of the canonical body, blind to key order and whitespace', (name) => {
    const body = fixture(name);
    const k = key(body);
    expect(k).toMatch(HASH);
    expect(key(reversedKeys(body) as Record<string, unknown>)).toBe(k);
    expect(key(JSON.parse(JSON.stringify(body, null, 4)))).toBe(k);
  });

  it('account and assignment events: a different occurrence (time, people) is a different key', () => {
    const d = fixture('tl_account_disconnected.json');
    expect(key({ ...d, whatsapp_account: { ...d.whatsapp_account, disconnected_on: '2025-03-03 09:00:00 +0000' } })).not.toBe(key(d));
    const a = fixture('tl_chat_assigned.json');
    expect(key({ ...a, chat: { ...a.chat, responsible_name: 'Kim Agent', responsible_email: 'kim@example.com' } })).not.toBe(key(a));
  });

  it('WABA: messages by uid; account, chat and template events by body hash', () => {
    const byEvent = new Map(specSamples().map((x) => [x.event, x.body]));
    const uid = (byEvent.get('waba:message:delivered') as any).message.message_uid;
    for (const t of ['waba:message:received', 'waba:message:delivered', 'waba:message:failed', 'waba:message:read']) {
      expect(key(byEvent.get(t)!)).toBe(`uid:${uid}`);
    }
    for (const t of ['waba:account:disabled', 'waba:chat:closed', 'waba:template:approved']) expect(key(byEvent.get(t)!)).toMatch(HASH);
  });

  it('v1: message_id + timestamp, because the docs show two messages of one bundle sharing a message_id', () => {
    const wa = { full_name: 'A', email: 'a@example.com', phone: '+972500000000' };
    const chat = { full_name: 'C', chat_id: '10010001', phone: '+97254000000' };
    const m1 = { direction: 'received', timestamp: '2021-02-24T16:25:29+0000', message_id: 'same', text: 'one' };
    const m2 = { ...m1, timestamp: '2021-02-24T16:30:29+0000', text: 'two' };
    const out = normalizeBody({ whatsapp_account: wa, chat, messages: [m1, m2], aggregation: '<b>x</b>' });
    expect(out.events.map((e) => e.dedupeKey)).toEqual(['v1:same|2021-02-24T16:25:29+0000', 'v1:same|2021-02-24T16:30:29+0000']);
    expect(out.events.map((e) => e.type)).toEqual(['message:received:new', 'message:received:new']);
    // The single-message form keys the same message the same way as the bundle did.
    expect(key({ whatsapp_account: wa, chat, message: m1 })).toBe(out.events[0]!.dedupeKey);
  });

  it('v1 without message_id: a hash of the message with its chat, so the same words in two chats stay two events', () => {
    const wa = { phone: '+972500000000' };
    const m = { direction: 'received', timestamp: '2021-02-24T16:25:29+0000', text: 'ok' };
    const a = key({ whatsapp_account: wa, chat: { chat_id: '1' }, message: m });
    const b = key({ whatsapp_account: wa, chat: { chat_id: '2' }, message: m });
    expect(a).toMatch(HASH);
    expect(b).toMatch(HASH);
    expect(a).not.toBe(b);
    // Two id-less messages of one bundle that differ are two events.
    const bundle = normalizeBody({ whatsapp_account: wa, chat: { chat_id: '1' }, messages: [m, { ...m, text: 'ko' }] });
    expect(new Set(bundle.events.map((e) => e.dedupeKey)).size).toBe(2);
  });

  it("WhatsAble: phone + the time of the last message in that direction (WhatsAble's own advice)", () => {
    const inc = fixture('wa_incoming.json');
    const out = fixture('wa_outgoing.json');
    expect(key(inc)).toBe(`wa:+15555550123|in|${1740928811 * 1000}`);
    expect(key(out)).toBe(`wa:+15555550123|out|${1740929102 * 1000}`);
    // The phone as a JSON number or a string, keys reordered: the same snapshot.
    expect(key(reversedKeys({ ...inc, phone_number: 15555550123 }) as Record<string, unknown>)).toBe(key(inc));
    // A later incoming message in the same conversation is a new event.
    expect(key({ ...inc, user_last_message_time: 1740928899 })).not.toBe(key(inc));
    // The bot replying does not change the incoming snapshot's key (and vice versa).
    expect(key({ ...inc, bot_last_message_time: 1740819700 })).toBe(key(inc));
  });

  it('WhatsAble without the time for its direction: a hash of the body', () => {
    const inc = fixture('wa_incoming.json');
    expect(key({ ...inc, user_last_message_time: 0 })).toMatch(HASH);
    const { user_last_message_time: _u, ...noTime } = inc;
    expect(key(noTime)).toMatch(HASH);
  });

  it('unrecognized bodies: a hash of the canonical body', () => {
    const out = normalizeBody({ b: 2, a: { y: 1, x: [1, { q: 1, p: 2 }] } });
    expect(out.events[0]).toMatchObject({ provider: 'unknown', type: 'unknown' });
    expect(out.events[0]!.dedupeKey).toMatch(HASH);
    expect(normalizeBody({ a: { x: [1, { p: 2, q: 1 }], y: 1 }, b: 2 }).events[0]!.dedupeKey).toBe(out.events[0]!.dedupeKey);
    // Array order is content, not formatting.
    expect(normalizeBody({ a: { x: [{ p: 2, q: 1 }, 1], y: 1 }, b: 2 }).events[0]!.dedupeKey).not.toBe(out.events[0]!.dedupeKey);
  });
});

describe('event types the normalizer must keep as sent', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'event_type %j (an Object.prototype name) is stored under that name, not lost to a crash',
    (name) => {
      const e = one(JSON.parse(`{"event_type": ${JSON.stringify(name)}}`));
      expect(e).toMatchObject({ provider: 'timelines', type: name, originalType: null });
    },
  );

  it('a blank event_type is stored as unknown, with the blank kept as the original name', () => {
    expect(one({ event_type: '' })).toMatchObject({ provider: 'timelines', type: 'unknown', originalType: '' });
    expect(one({ event_type: '   ' })).toMatchObject({ provider: 'timelines', type: 'unknown', originalType: '' });
  });

  it('a stale alias maps to the current name and keeps the old one', () => {
    expect(one({ ...fixture('tl_chat_new.json'), event_type: 'chat:received:created' })).toMatchObject({
      type: 'chat:incoming:new',
      originalType: 'chat:received:created',
      dedupeKey: 'chat:4811201',
    });
  });
});

describe('WhatsAble details', () => {
  it('detects snapshots by phone_number plus one of its snapshot fields, never a TimelinesAI body', () => {
    expect(whatsableProvider.detect(fixture('wa_incoming.json'))).toBe(true);
    expect(whatsableProvider.detect({ phone_number: '1', user_timestamp: 1 })).toBe(true);
    expect(whatsableProvider.detect({ phone_number: '1' })).toBe(false);
    expect(whatsableProvider.detect(fixture('tl_message_new.json'))).toBe(false);
  });

  it('reads last_messages as an array, as a JSON string, and says when it cannot', () => {
    const inc = fixture('wa_incoming.json');
    const fromString = whatsAbleLastMessages(inc.last_messages);
    const fromArray = whatsAbleLastMessages(JSON.parse(inc.last_messages));
    expect(fromString).toEqual(fromArray);
    expect(fromString).toEqual([
      { type: 'user', content: 'Is my order shipped?', timestamp: at('2025-03-02T15:20:11Z'), contentType: 'text' },
      { type: 'bot', content: 'Thanks for your order!', timestamp: at('2025-03-01T09:00:00Z'), contentType: 'text' },
    ]);
    expect(whatsAbleLastMessages('[{"type": "user"')).toBeNull();
    expect(whatsAbleLastMessages('{"type": "user"}')).toBeNull();
    expect(one({ ...inc, last_messages: '[oops' }).details.lastMessagesUnreadable).toBe(true);
  });

  it.each<[string, Record<string, unknown>, 'received' | 'sent']>([
    ['incoming_message true wins over times', { incoming_message: true, user_last_message_time: 1, bot_last_message_time: 2 }, 'received'],
    ['incoming_message false wins over times', { incoming_message: false, user_last_message_time: 2, bot_last_message_time: 1 }, 'sent'],
    ['no flag: the user spoke last', { user_last_message_time: 1749506891, bot_last_message_time: 1749504330 }, 'received'],
    ['no flag: the bot spoke last', { user_last_message_time: 1749504330, bot_last_message_time: 1749506891 }, 'sent'],
    ['no flag, older names: the bot spoke last', { user_timestamp: 1749504330, bot_timestamp: 1749506891 }, 'sent'],
    ['no flag, no bot time', { user_last_message_time: 1749504330, bot_last_message_time: 0 }, 'received'],
  ])('direction: %s', (_label, fields, want) => {
    const e = one({ phone_number: '15555550123', last_messages: [], ...fields });
    expect(e.direction).toBe(want);
    expect(e.type).toBe(want === 'received' ? 'message:received:new' : 'message:sent:new');
  });
});

// ---------------------------------------------------------------------------------------------
// Shapes beyond the main examples: test/fixtures/payloads-extra (see its README).

const EXTRA = join(REPO, 'test/fixtures/payloads-extra');
function extra(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(EXTRA, name), 'utf8'));
}

describe('payload shapes beyond the main examples', () => {
  it('the `data` wrapper: the account is its whatsapp_account_id JID, and the JID gives the phone', () => {
    const e = one(extra('tl_data_wrapper_jid.json'));
    expect(e).toMatchObject({
      provider: 'timelines',
      shape: 'timelines.v2.data',
      type: 'message:received:new',
      accountId: '15551234567@s.whatsapp.net',
      accountPhone: '+15551234567',
      chatId: '555002',
      chatName: 'Jordan Lee',
      chatPhone: '+15551230002',
      messageUid: '9a3c1f0e-55b2-4d7e-a1c4-2b3d4e5f6a70',
      direction: 'received',
      occurredAt: at('2024-01-15T08:31:00Z'),
      dedupeKey: 'uid:9a3c1f0e-55b2-4d7e-a1c4-2b3d4e5f6a70',
    });
  });

  it('the `data` wrapper: an account phone field wins over the JID, and a nested whatsapp_account is read too', () => {
    const body = extra('tl_data_wrapper_jid.json');
    expect(one({ ...body, data: { ...body.data, whatsapp_account_phone: '+15559990000' } })).toMatchObject({
      accountId: '15551234567@s.whatsapp.net',
      accountPhone: '+15559990000',
    });
    const { whatsapp_account_id: _jid, ...flat } = body.data;
    expect(
      one({ ...body, data: { ...flat, whatsapp_account: { id: '15557654321@s.whatsapp.net', account_name: 'Acme Sales' } } }),
    ).toMatchObject({
      accountId: '15557654321@s.whatsapp.net',
      accountPhone: '+15557654321',
      accountName: 'Acme Sales',
    });
    // No identity anywhere: empty, not a guess.
    expect(one({ ...body, data: flat })).toMatchObject({ accountId: null, accountPhone: null });
  });

  it("a chat event whose whatsapp_account has no id: the chat's whatsapp_account_id names the account", () => {
    expect(one(extra('tl_chat_account_jid.json'))).toMatchObject({
      type: 'chat:responsible:assigned',
      accountId: '15551234567@s.whatsapp.net',
      accountPhone: '+15551234567',
      accountName: 'Acme Sales',
      chatId: '4811202',
    });
  });

  it("a v2 message carrying v1's message_id: the id is the message's, keyed with its time as v1 is", () => {
    const body = extra('tl_message_v1_message_id.json');
    const e = one(body);
    expect(e).toMatchObject({
      type: 'message:new',
      messageUid: 'ddfskhsd76dsfs6dsd5skjsdhf',
      dedupeKey: 'v1:ddfskhsd76dsfs6dsd5skjsdhf|2024-01-15 10:35:00 +0200',
      accountPhone: '+15551234567',
      direction: 'received',
    });
    // message_uid, when present, stays the key.
    expect(key({ ...body, message: { ...body.message, message_uid: 'u-1' } })).toBe('uid:u-1');
    // The `data` wrapper likewise.
    expect(key({ event_type: 'message:new', data: { message_id: 'm-9', timestamp: '2024-01-15 10:35:00 +0200' } })).toBe(
      'v1:m-9|2024-01-15 10:35:00 +0200',
    );
  });

  it("WABA: a chat event names its number by the chat's waba_account_id when there is no account object", () => {
    const sample = specSamples().find((x) => x.event === 'waba:chat:closed')!.body as Record<string, any>;
    const { account: _a, ...noAccount } = sample;
    expect(one(noAccount).accountId).toBe(`waba:${sample.chat.waba_account_id}`);
  });

  it("WhatsAble's `{event, data}` envelope is read as WhatsAble, keeping the event name", () => {
    const body = extra('wa_envelope.json');
    const e = one(body);
    expect(e).toMatchObject({
      provider: 'whatsable',
      shape: 'whatsable.envelope',
      type: 'message:received:new',
      accountId: '9232fcef-a570-4a2c-b46b-6cab53aec304',
      chatId: '+14155552671',
      chatPhone: '+14155552671',
      chatName: 'Alex Martinez',
      text: 'Can I reschedule my appointment for Thursday?',
      occurredAt: 1749506891 * 1000,
      dedupeKey: `wa:+14155552671|in|${1749506891 * 1000}`,
    });
    expect(e.details.event).toBe('incoming_message');
    // The same snapshot with or without the envelope is the same occurrence.
    expect(key(body.data)).toBe(e.dedupeKey);
    // Forced to WhatsAble by the URL, the envelope is still read.
    expect(normalizeBody(body, whatsableProvider)).toMatchObject({
      problem: null,
      events: [{ provider: 'whatsable', shape: 'whatsable.envelope' }],
    });
  });

  it("a WhatsAble snapshot that also carries an event_type string is WhatsAble's, not TimelinesAI's", () => {
    const body = extra('wa_with_event_type.json');
    expect(one(body)).toMatchObject({
      provider: 'whatsable',
      type: 'message:received:new',
      chatPhone: '+15555550124',
      dedupeKey: `wa:+15555550124|in|${1740928811 * 1000}`,
    });
    expect(detectProvider(body)).toBe(whatsableProvider);
  });
});

describe("provider detection weighs each provider's fields", () => {
  it('each provider scores 0 for a body it cannot read, and more the more of its fields a body carries', () => {
    const tl = fixture('tl_message_new.json');
    const wa = fixture('wa_incoming.json');
    expect(timelinesProvider.score(wa)).toBe(0);
    expect(whatsableProvider.score(tl)).toBe(0);
    expect(timelinesProvider.score({ event_type: 'x' })).toBeGreaterThan(0);
    expect(timelinesProvider.score(tl)).toBeGreaterThan(timelinesProvider.score({ event_type: 'x' }));
    expect(whatsableProvider.score(wa)).toBeGreaterThan(whatsableProvider.score({ phone_number: '1', user_timestamp: 1 }));
  });

  it("the higher score reads the body; TimelinesAI fields beside WhatsAble's go to whoever has more", () => {
    const wa = fixture('wa_incoming.json');
    const tl = fixture('tl_message_new.json');
    expect(detectProvider({ ...wa, event_type: 'message:new' })).toBe(whatsableProvider);
    // A TimelinesAI message with a stray phone_number + user_timestamp stays TimelinesAI's.
    expect(detectProvider({ ...tl, phone_number: '15555550123', user_timestamp: 1 })).toBe(timelinesProvider);
    expect(detectProvider({ event_type: 'foo:bar', hello: 'world' })).toBe(timelinesProvider);
    expect(detectProvider({ hello: 'world' })).toBeUndefined();
  });

  it('one list of provider ids: every id of PROVIDER_IDS but `unknown` has its plugin, in that order', () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual(PROVIDER_IDS.filter((id) => id !== 'unknown'));
  });
});

describe('provider modules stay small-dependency', () => {
  it('import only each other and the small shared modules (events, json, phone, time, rate-limit), never store, api, alerts or the core', () => {
    const root = join(REPO, 'main/core/providers');
    const shared = new Set(['events.ts', 'json.ts', 'phone.ts', 'time.ts', 'rate-limit.ts'].map((f) => join(REPO, 'main/core', f)));
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
      );
    })(root);
    expect(files.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        const target = spec.startsWith('.') ? resolve(dirname(file), spec.replace(/\.js$/, '.ts')) : spec;
        if (!(target.startsWith(root + '/') || shared.has(target))) offenders.push(`${relative(REPO, file)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
