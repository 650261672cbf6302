/**
 * Every payload we have a document for goes through the real receiver (HTTP on 127.0.0.1, SQLite
 * file) and comes back out through the real `hookwatch events` command: the fixtures in test/fixtures/payloads, every
 * JSON example in the seed documents, and one sample per webhook of TimelinesAI's spec, generated
 * from the spec's schemas at test time. Then the variants the providers are known to send (stale
 * alias names, the `data` wrapper, WhatsAble's string/array/number quirks), unknown shapes, and
 * redeliveries.
 *
 * Expected values are written out (fixtures, seeds) or read from the payload by path and converted
 * with independent oracles (spec samples: digits -> E.164, `YYYY-MM-DD HH:MM:SS +HHMM` -> ISO via
 * Date), never by calling the normalizer under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMELINES_EVENT_TYPES, TIMELINES_TYPE_ALIASES } from '../../main/core/events.js';
import { fixturePayloads, postJson, runHookwatch, startCore } from '../support/harness.js';
import { eventTypeEnum, seedExamples, specSamples, type SeedExample, type SpecSample } from '../support/spec-samples.js';

type Env = Awaited<ReturnType<typeof startCore>>;
type Row = Record<string, any>;

/** The normalized fields the export carries, all of them: a field a payload does not carry must be null. */
interface Expected {
  provider: 'timelines' | 'whatsable' | 'unknown';
  type: string;
  originalType: string | null;
  occurredAt: string | null;
  accountPhone: string | null;
  accountId: string | null;
  accountName: string | null;
  chatId: string | null;
  chatName: string | null;
  chatPhone: string | null;
  messageUid: string | null;
  direction: 'received' | 'sent' | null;
  text: string | null;
}

function expected(e: Partial<Expected> & Pick<Expected, 'provider' | 'type'>): Expected {
  return {
    originalType: null,
    occurredAt: null,
    accountPhone: null,
    accountId: null,
    accountName: null,
    chatId: null,
    chatName: null,
    chatPhone: null,
    messageUid: null,
    direction: null,
    text: null,
    ...e,
  };
}

const unknownBody = () => expected({ provider: 'unknown', type: 'unknown' });

interface Posted {
  label: string;
  url: string;
  body: string;
  status: number;
  json: any;
}

async function post(url: string, label: string, body: string | object): Promise<Posted> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await postJson(url, text);
  return { label, url, body: text, status: res.status, json: res.json };
}

/** `hookwatch events --format jsonl` on the core's data folder, by event id. */
async function exportedRows(env: Env): Promise<Map<number, Row>> {
  const cli = await runHookwatch(['events', '--data', env.dataDir, '--format', 'jsonl', '--limit', '1000']);
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  const rows = cli.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
  return new Map(rows.map((r) => [r.id as number, r]));
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The delivery was accepted as new, every event it produced is exported with exactly these fields, and the raw body is kept. */
function expectStored(env: Env, rows: Map<number, Row>, p: Posted, want: Expected[]): Row[] {
  expect(p.status, `${p.label}: HTTP status`).toBe(200);
  expect(p.json?.ok).toBe(true);
  expect(p.json.duplicate, `${p.label}: must not be taken for a duplicate`).toBe(false);
  expect(p.json.events).toHaveLength(want.length);
  return want.map((w, i) => {
    const answered = p.json.events[i];
    const row = rows.get(answered.id);
    expect(row, `${p.label}: event ${answered.id} missing from the CLI export`).toBeDefined();
    const picked = Object.fromEntries(Object.keys(w).map((k) => [k, row![k]]));
    expect(picked, `${p.label}: event ${i}`).toEqual(w);
    expect(answered.type).toBe(w.type);
    expect(row!.deliveryCount).toBe(1);
    expect(row!.receivedAt).toMatch(ISO_UTC);
    if (row!.occurredAt !== null) expect(row!.occurredAt).toMatch(ISO_UTC);
    const detail = env.core.store.getEvent(answered.id)!;
    expect(detail.request.body?.toString('utf8')).toBe(p.body);
    return row!;
  });
}

// ---------------------------------------------------------------------------------------------
// Oracles for the spec samples: simple, independent conversions of the documented example values.

/** A documented phone example as E.164: its digits behind a '+' ("+1 555 010 1234", "380739833532"). */
function e164(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const digits = String(v).replace(/\D/g, '');
  return digits ? `+${digits}` : null;
}

/** TimelinesAI's `2024-01-08 10:35:18 +0200` as ISO UTC, via the platform's own ISO-with-offset parser. */
function tlTime(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/.exec(v);
  if (!m) throw new Error(`not a TimelinesAI time: ${v}`);
  return new Date(`${m[1]}T${m[2]}${m[3]}:${m[4]}`).toISOString();
}

function dir(v: unknown): 'received' | 'sent' | null {
  if (v === 'received' || v === 'incoming') return 'received';
  if (v === 'sent' || v === 'outgoing') return 'sent';
  return null;
}

const s = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));

/** Which payload path carries which normalized field, per body schema of the spec. */
function specExpectation(sample: SpecSample): Expected {
  const b = sample.body as Record<string, any>;
  const type = sample.event;
  const base = { provider: 'timelines' as const, type };
  switch (sample.schemaName) {
    case 'MessageData':
      return expected({
        ...base,
        accountPhone: e164(b.whatsapp_account.phone),
        chatId: s(b.chat.chat_id),
        chatName: s(b.chat.full_name),
        chatPhone: e164(b.chat.phone),
        messageUid: s(b.message.message_uid),
        direction: dir(b.message.direction),
        text: s(b.message.text),
        occurredAt: tlTime(b.message.timestamp),
      });
    case 'AccountData':
      return expected({
        ...base,
        accountPhone: e164(b.whatsapp_account.phone),
        accountId: s(b.whatsapp_account.id),
        accountName: s(b.whatsapp_account.account_name),
        // Only connect/disconnect say when they happened; suspend/resume carry the old connected_on.
        occurredAt:
          type === 'whatsapp:account:connected'
            ? tlTime(b.whatsapp_account.connected_on)
            : type === 'whatsapp:account:disconnected'
              ? tlTime(b.whatsapp_account.disconnected_on)
              : null,
      });
    case 'ChatData':
      return expected({
        ...base,
        accountPhone: e164(b.whatsapp_account.phone),
        accountId: s(b.whatsapp_account.id),
        accountName: s(b.whatsapp_account.account_name),
        chatId: s(b.chat.id),
        chatName: s(b.chat.name),
        chatPhone: e164(b.chat.phone),
        // A new chat's time is its creation; an assignment's time is not in the payload.
        occurredAt: ['chat:new', 'chat:incoming:new', 'chat:outgoing:new'].includes(type) ? tlTime(b.chat.created_timestamp) : null,
      });
    case 'CallData':
      return expected({
        ...base,
        accountPhone: e164(b.whatsapp_account.phone),
        accountId: s(b.whatsapp_account.whatsapp_account_wid),
        chatId: s(b.chat.chat_id),
        chatName: s(b.chat.full_name),
        chatPhone: e164(b.chat.phone),
        messageUid: s(b.call_details.message_uid),
        direction: dir(b.call_details.direction),
        occurredAt: tlTime(b.call_details.timestamp),
      });
    case 'ReactionData':
      return expected({
        ...base,
        accountPhone: e164(b.whatsapp_account.phone),
        accountId: s(b.whatsapp_account.whatsapp_account_wid),
        chatId: s(b.chat.chat_id),
        chatName: s(b.chat.full_name),
        chatPhone: e164(b.chat.phone),
        messageUid: s(b.reaction.message_uid),
        text: s(b.reaction.emoji),
        occurredAt: tlTime(b.reaction.timestamp),
      });
    case 'WabaMessageData': {
      const direction = dir(b.message.direction);
      return expected({
        ...base,
        accountPhone: e164(b.account.phone),
        accountId: `waba:${b.account.id}`,
        accountName: s(b.account.account_name),
        chatId: s(b.chat.id),
        // The customer: the recipient of what we sent, the sender of what we received.
        chatPhone: e164(direction === 'received' ? b.message.sender?.phone : b.message.recipient?.phone),
        messageUid: s(b.message.message_uid),
        direction,
        text: s(b.message.text),
        occurredAt: tlTime(b.message.timestamp),
      });
    }
    case 'WabaChatData':
      return expected({ ...base, accountId: `waba:${b.account.id}`, chatId: s(b.chat.id) });
    case 'WabaAccountData':
      return expected({ ...base, accountId: `waba:${b.account.id}`, accountPhone: e164(b.account.display_phone_number) });
    case 'WabaTemplateData':
      return expected(base);
    default:
      throw new Error(`no expectation for spec schema ${sample.schemaName}; add one`);
  }
}

// ---------------------------------------------------------------------------------------------
// Written-out expectations for the payload fixtures and the seed examples.

const ACME = { accountPhone: '+15555550100', accountId: '15555550100@s.whatsapp.net', accountName: 'Acme Support' };
const SAM = { chatId: '4811201', chatName: 'Sam Customer', chatPhone: '+15555550123' };
const WA_USER = '0b7f3c2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5';

const FIXTURE_EXPECTATIONS: Record<string, Expected[]> = {
  'tl_account_connected.json': [
    expected({ provider: 'timelines', type: 'whatsapp:account:connected', ...ACME, occurredAt: '2025-03-02T15:10:04.000Z' }),
  ],
  'tl_account_disconnected.json': [
    expected({ provider: 'timelines', type: 'whatsapp:account:disconnected', ...ACME, occurredAt: '2025-03-02T14:02:51.000Z' }),
  ],
  'tl_account_resumed.json': [expected({ provider: 'timelines', type: 'whatsapp:account:resumed', ...ACME })],
  'tl_account_suspended.json': [expected({ provider: 'timelines', type: 'whatsapp:account:suspended', ...ACME })],
  'tl_chat_assigned.json': [expected({ provider: 'timelines', type: 'chat:responsible:assigned', ...ACME, ...SAM })],
  'tl_chat_incoming.json': [
    expected({ provider: 'timelines', type: 'chat:incoming:new', ...ACME, ...SAM, occurredAt: '2025-03-02T15:20:11.000Z' }),
  ],
  'tl_chat_new.json': [expected({ provider: 'timelines', type: 'chat:new', ...ACME, ...SAM, occurredAt: '2025-03-02T15:20:11.000Z' })],
  'tl_chat_outgoing.json': [
    expected({
      provider: 'timelines',
      type: 'chat:outgoing:new',
      ...ACME,
      chatId: '4811202',
      chatName: 'Lee Prospect',
      chatPhone: '+15555550145',
      occurredAt: '2025-03-02T15:20:11.000Z',
    }),
  ],
  'tl_chat_unassigned.json': [expected({ provider: 'timelines', type: 'chat:responsible:unassigned', ...ACME, ...SAM })],
  'tl_message_new.json': [
    expected({
      provider: 'timelines',
      type: 'message:new',
      // Message events carry the owning user, not the account's JID object.
      accountPhone: '+15555550100',
      ...SAM,
      messageUid: '5f0c2a4e-8d7b-4c1e-9a55-0c1d2e3f4a5b',
      direction: 'received',
      text: 'Hi, is my order shipped?',
      occurredAt: '2025-03-02T15:20:11.000Z',
    }),
  ],
  'wa_incoming.json': [
    expected({
      provider: 'whatsable',
      type: 'message:received:new',
      accountId: WA_USER,
      chatId: '+15555550123',
      chatName: 'Sam Customer',
      chatPhone: '+15555550123',
      direction: 'received',
      text: 'Is my order shipped?',
      occurredAt: '2025-03-02T15:20:11.000Z',
    }),
  ],
  'wa_outgoing.json': [
    expected({
      provider: 'whatsable',
      type: 'message:sent:new',
      accountId: WA_USER,
      chatId: '+15555550123',
      chatName: 'Sam Customer',
      chatPhone: '+15555550123',
      direction: 'sent',
      text: 'Yes, it shipped today.',
      occurredAt: '2025-03-02T15:25:02.000Z',
    }),
  ],
};

const V1 = {
  provider: 'timelines' as const,
  accountPhone: '+972500000000',
  chatId: '10010001',
  chatName: 'John Doe>',
  messageUid: 'ddfskhsd76dsfs6dsd5skjsdhf',
  text: 'lorem ipsum',
};
const WA_SEED = {
  provider: 'whatsable' as const,
  type: 'message:received:new',
  accountId: '9232fcef-a570-4a2c-b46b-6cab53aec304',
  chatId: '+14155552671',
  chatName: 'Alex Martinez',
  chatPhone: '+14155552671',
  direction: 'received' as const,
};

/** Keyed `<seed number>#<index of the JSON object in that seed>`, with a check that the key still names the example meant. */
const SEED_EXPECTATIONS: Record<string, { is: (b: any) => boolean; events: Expected[] }> = {
  // 000: the developer guide. The create-webhook request body names an event_type, so it is a
  // (content-free) message:received:new; the API responses and update bodies are nobody's webhook.
  '000#0': {
    is: (b) => b.url && b.enabled === true,
    events: [expected({ provider: 'timelines', type: 'message:received:new', direction: 'received' })],
  },
  '000#1': { is: (b) => b.status === 'ok' && b.data?.id === 7654321, events: [unknownBody()] },
  '000#2': { is: (b) => b.enabled === false, events: [unknownBody()] },
  '000#3': { is: (b) => b.url === 'https://new-endpoint.com/webhooks', events: [unknownBody()] },
  // 001: the one complete v2 payload.
  '001#0': {
    is: (b) => b.event_type === 'message:received:new',
    events: [
      expected({
        provider: 'timelines',
        type: 'message:received:new',
        accountPhone: '+15559876543',
        chatId: '123456',
        chatName: 'John Doe',
        chatPhone: '+15551234567',
        messageUid: 'a5bbb005-37f2-402c-96fa-e479a2e09b02',
        direction: 'received',
        text: 'Hi, here is the signed contract',
        occurredAt: '2024-01-15T08:30:00.000Z',
      }),
    ],
  },
  // 003: v1. The bundle is one event per message (its two messages share a message_id); "+0000" times.
  '003#0': {
    is: (b) => Array.isArray(b.messages),
    events: [
      expected({ ...V1, type: 'message:sent:new', chatPhone: '+97254000000', direction: 'sent', occurredAt: '2021-02-24T16:25:29.000Z' }),
      expected({
        ...V1,
        type: 'message:received:new',
        chatPhone: '+97254000000',
        direction: 'received',
        occurredAt: '2021-02-24T16:30:29.000Z',
      }),
    ],
  },
  '003#1': {
    is: (b) => typeof b.message === 'object',
    events: [
      expected({ ...V1, type: 'message:sent:new', chatPhone: '+97251111111', direction: 'sent', occurredAt: '2021-02-24T06:25:29.000Z' }),
    ],
  },
  // 004: WhatsAble. last_messages as a real array here; the document's caption is empty, so no text.
  '004#0': {
    is: (b) => b.message_type === 'text',
    events: [expected({ ...WA_SEED, text: 'Can I reschedule my appointment for Thursday?', occurredAt: '2025-06-09T22:08:11.000Z' })],
  },
  '004#1': {
    is: (b) => b.message_type === 'document',
    // user_last_message_time (12:31:52Z) disagrees with the last_messages entry (14:05:12Z) in the
    // document itself; the top-level time is the one WhatsAble tells receivers to key on.
    events: [expected({ ...WA_SEED, text: null, occurredAt: '2025-06-09T12:31:52.000Z' })],
  },
  '004#2': { is: (b) => b.id === 42, events: [unknownBody()] },
  '004#3': { is: (b) => b.data?.id === 43, events: [unknownBody()] },
  '004#4': { is: (b) => b.success === true, events: [unknownBody()] },
};

const seedKey = (e: SeedExample) => `${e.seed.slice(0, 3)}#${e.index}`;

// ---------------------------------------------------------------------------------------------

describe('the payload corpus, through the receiver and back out through the CLI', () => {
  let env: Env;
  let rows: Map<number, Row>;
  const fixtures = fixturePayloads();
  const seeds = seedExamples();
  const samples = specSamples();
  const posted = new Map<string, Posted>();

  beforeAll(async () => {
    env = await startCore();
    for (const f of fixtures) posted.set(`fixture:${f.name}`, await post(env.url, f.name, f.body));
    for (const e of seeds) posted.set(`seed:${seedKey(e)}`, await post(env.url, `seed ${seedKey(e)}`, e.text));
    for (const x of samples) posted.set(`spec:${x.event}`, await post(env.url, `spec ${x.event}`, x.body));
    rows = await exportedRows(env);
  });
  afterAll(() => env?.stop());

  it('has an expectation for every fixture file, and every fixture carries the type it is stored under', () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual(Object.keys(FIXTURE_EXPECTATIONS).sort());
    for (const f of fixtures) {
      const body = JSON.parse(f.body);
      if (typeof body.event_type === 'string') expect(FIXTURE_EXPECTATIONS[f.name]![0]!.type).toBe(body.event_type);
    }
  });

  it.each(fixturePayloads().map((f) => f.name))('fixture %s is stored with its normalized fields', (name) => {
    expectStored(env, rows, posted.get(`fixture:${name}`)!, FIXTURE_EXPECTATIONS[name]!);
  });

  it('finds every JSON example in the seeds (003 needed its non-breaking spaces made plain)', () => {
    const perSeed = Object.fromEntries(
      ['000', '001', '002', '003', '004'].map((n) => [n, seeds.filter((e) => e.seed.startsWith(n)).length]),
    );
    expect(perSeed).toEqual({ '000': 4, '001': 1, '002': 0, '003': 2, '004': 5 });
    expect(seeds.map(seedKey)).toEqual(Object.keys(SEED_EXPECTATIONS));
    expect(seeds.filter((e) => e.hadPageSpaces).map(seedKey)).toEqual(['003#0', '003#1']);
    for (const e of seeds)
      expect(SEED_EXPECTATIONS[seedKey(e)]!.is(e.body), `${seedKey(e)} is not the example expected there`).toBeTruthy();
  });

  it.each(seedExamples().map(seedKey))('seed example %s is stored with its normalized fields', (key) => {
    expectStored(env, rows, posted.get(`seed:${key}`)!, SEED_EXPECTATIONS[key]!.events);
  });

  it("the spec has the 32 webhooks of TIMELINES_EVENT_TYPES, in order, each in its body schema's event_type enum", () => {
    expect(samples.map((x) => x.event)).toEqual([...TIMELINES_EVENT_TYPES]);
    for (const x of samples) expect(eventTypeEnum(x.schemaName)).toContain(x.event);
  });

  it.each(specSamples().map((x) => [x.event, x.schemaName]))('spec sample %s (%s) is stored under its own type', (event) => {
    const sample = samples.find((x) => x.event === event)!;
    const [row] = expectStored(env, rows, posted.get(`spec:${event}`)!, [specExpectation(sample)]);
    expect(row!.type).toBe(event);
  });

  it('the export holds exactly the events the corpus produced, each once', () => {
    const ids = [...posted.values()].flatMap((p) => p.json.events.map((e: { id: number }) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual(ids.sort((a, b) => a - b));
    // The v1 bundle is the one delivery that makes two events.
    const seedEvents = Object.values(SEED_EXPECTATIONS).reduce((n, x) => n + x.events.length, 0);
    expect(seedEvents).toBe(seeds.length + 1);
    expect(ids.length).toBe(fixtures.length + seedEvents + samples.length);
  });
});

// ---------------------------------------------------------------------------------------------

function fixtureBody(name: string): Record<string, any> {
  return JSON.parse(fixturePayloads().find((f) => f.name === name)!.body);
}

/** The same value with every object's keys in reverse order. */
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

describe('variants, unknown shapes and redeliveries', () => {
  let env: Env;
  let rows: Map<number, Row>;
  const p: Record<string, Posted> = {};
  const again: Record<string, Posted> = {};
  const aliases = Object.keys(TIMELINES_TYPE_ALIASES);

  const waIn = fixtureBody('wa_incoming.json');
  const waArray = { ...waIn, phone_number: '15555550201', last_messages: JSON.parse(waIn.last_messages) };
  const waString = { ...waIn, phone_number: '15555550202' };
  const waNumber = { ...waIn, phone_number: 15555550203 };
  const { user_last_message_time: userTs, bot_last_message_time: botTs, incoming_message: _in, ...waNoTimes } = waIn;
  const waOldIn = { ...waNoTimes, phone_number: '15555550204', user_timestamp: userTs, bot_timestamp: botTs };
  const waOldOut = {
    ...waNoTimes,
    phone_number: '15555550205',
    user_timestamp: userTs,
    bot_timestamp: userTs + 60,
    last_message_of_bot: 'Shipped!',
  };

  const message = (uid: string, type = 'message:new') => {
    const b = fixtureBody('tl_message_new.json');
    b.event_type = type;
    b.message.message_uid = uid;
    return b;
  };
  const wrapper = {
    event_type: 'message:received:new',
    data: {
      chat_id: 555001,
      chat_name: 'Wrapper Chat',
      text: 'What are your hours?',
      message_uid: 'wrap-0001',
      sender_phone: '15551230001',
      timestamp: '2024-01-15 10:30:00 +0200',
    },
  };

  beforeAll(async () => {
    env = await startCore();
    for (const [i, alias] of aliases.entries()) {
      const b = fixtureBody(alias.includes('assigned') ? 'tl_chat_assigned.json' : 'tl_chat_new.json');
      b.event_type = alias;
      b.chat.id = 7_000_001 + i;
      p[alias] = await post(env.url, alias, b);
    }
    p.wrapper = await post(env.url, 'data wrapper', wrapper);
    p.waArray = await post(env.url, 'WhatsAble last_messages array', waArray);
    p.waString = await post(env.url, 'WhatsAble last_messages string', waString);
    p.waNumber = await post(env.url, 'WhatsAble numeric phone_number', waNumber);
    p.waOldIn = await post(env.url, 'WhatsAble user_timestamp', waOldIn);
    p.waOldOut = await post(env.url, 'WhatsAble bot_timestamp', waOldOut);
    p.fooBar = await post(env.url, 'foo:bar', { event_type: 'foo:bar', hello: 'world' });
    p.nobody = await post(env.url, 'unrecognized', { hello: 'world', n: 1 });
    p.forced = await post(`${env.url}/whatsable`, 'TimelinesAI body on the WhatsAble path', message('forced-uid-1'));

    // Redeliveries: byte-identical, and re-serialized (other key order, indentation) for a body-hash key.
    const account = fixtureBody('tl_account_disconnected.json');
    p.account = await post(env.url, 'account event', account);
    again.account = await post(env.url, 'account event re-serialized', JSON.stringify(reversedKeys(account), null, 2) + '\n');
    const msg = JSON.stringify(message('redelivered-uid-1'));
    p.msg = await post(env.url, 'message', msg);
    again.msg = await post(env.url, 'message again', msg);
    const waRe = { ...waIn, phone_number: '15555550299' };
    p.wa = await post(env.url, 'WhatsAble snapshot', waRe);
    again.wa = await post(
      env.url,
      'WhatsAble snapshot, phone as a number, keys reordered',
      reversedKeys({ ...waRe, phone_number: 15555550299 }) as object,
    );

    // One message announced under two event types.
    p.asNew = await post(env.url, 'as message:new', message('two-types-uid-1', 'message:new'));
    p.asReceived = await post(env.url, 'as message:received:new', message('two-types-uid-1', 'message:received:new'));

    rows = await exportedRows(env);
  });
  afterAll(() => env?.stop());

  it.each(Object.entries(TIMELINES_TYPE_ALIASES))('stale name %s is stored as %s, keeping the name sent', (alias, current) => {
    const i = aliases.indexOf(alias);
    const [row] = expectStored(env, rows, p[alias]!, [
      expected({
        provider: 'timelines',
        type: current,
        originalType: alias,
        ...ACME,
        chatId: String(7_000_001 + i),
        chatName: 'Sam Customer',
        chatPhone: '+15555550123',
        occurredAt: current.endsWith(':new') ? '2025-03-02T15:20:11.000Z' : null,
      }),
    ]);
    expect(row!.type).not.toBe(alias);
  });

  it('reads the `{event_type, data: {...}}` wrapper the developer guide shows', () => {
    const [row] = expectStored(env, rows, p.wrapper!, [
      expected({
        provider: 'timelines',
        type: 'message:received:new',
        chatId: '555001',
        chatName: 'Wrapper Chat',
        chatPhone: '+15551230001',
        messageUid: 'wrap-0001',
        direction: 'received',
        text: 'What are your hours?',
        occurredAt: '2024-01-15T08:30:00.000Z',
      }),
    ]);
    expect(env.core.store.getEvent(row!.id)!.shape).toBe('timelines.v2.data');
  });

  const waExpected = (phone: string, extra: Partial<Expected> = {}) =>
    expected({
      provider: 'whatsable',
      type: 'message:received:new',
      accountId: WA_USER,
      chatId: phone,
      chatName: 'Sam Customer',
      chatPhone: phone,
      direction: 'received',
      text: 'Is my order shipped?',
      occurredAt: '2025-03-02T15:20:11.000Z',
      ...extra,
    });

  it('reads WhatsAble last_messages as an array and as a JSON string alike', () => {
    const [a] = expectStored(env, rows, p.waArray!, [waExpected('+15555550201')]);
    const [b] = expectStored(env, rows, p.waString!, [waExpected('+15555550202')]);
    expect(a!.details.lastMessageCount).toBe(2);
    expect(b!.details.lastMessageCount).toBe(2);
    expect(a!.details.lastMessagesUnreadable).toBeUndefined();
    expect(b!.details.lastMessagesUnreadable).toBeUndefined();
  });

  it('reads a numeric WhatsAble phone_number as E.164', () => {
    expectStored(env, rows, p.waNumber!, [waExpected('+15555550203')]);
  });

  it('reads the older user_timestamp / bot_timestamp names, and tells direction from them', () => {
    expectStored(env, rows, p.waOldIn!, [waExpected('+15555550204')]);
    expectStored(env, rows, p.waOldOut!, [
      waExpected('+15555550205', {
        type: 'message:sent:new',
        direction: 'sent',
        text: 'Shipped!',
        occurredAt: new Date((userTs + 60) * 1000).toISOString(),
      }),
    ]);
  });

  it("stores an unknown event_type as it was sent ('foo:bar')", () => {
    expectStored(env, rows, p.fooBar!, [expected({ provider: 'timelines', type: 'foo:bar' })]);
  });

  it("stores a body no provider recognizes as type 'unknown', provider 'unknown'", () => {
    expectStored(env, rows, p.nobody!, [unknownBody()]);
  });

  it('keeps a TimelinesAI body posted on the forced WhatsAble path (type unknown, provider whatsable) and says why', () => {
    const [row] = expectStored(env, rows, p.forced!, [expected({ provider: 'whatsable', type: 'unknown' })]);
    const detail = env.core.store.getEvent(row!.id)!;
    expect(detail.request.path).toMatch(/\/whatsable$/);
    expect(detail.request.forcedProvider).toBe('whatsable');
    const delivery = env.core.store.listDeliveries({ limit: 1000 }).find((d) => d.id === detail.deliveryId)!;
    expect(delivery.status).toBe(200);
    expect(delivery.reason).toMatch(/whatsable/);
  });

  it.each([
    ['account event re-serialized with other key order and whitespace', 'account'],
    ['byte-identical message', 'msg'],
    ['WhatsAble snapshot with the phone as a number and keys reordered', 'wa'],
  ])('a redelivered %s is stored once, counted twice, and answered as a duplicate', (_label, key) => {
    const first = p[key]!;
    const second = again[key]!;
    expect(first.status).toBe(200);
    expect(first.json.duplicate).toBe(false);
    expect(second.status).toBe(200);
    expect(second.json.duplicate).toBe(true);
    expect(second.json.events).toHaveLength(1);
    expect(second.json.events[0]).toMatchObject({ id: first.json.events[0].id, duplicate: true, deliveries: 2 });
    const row = rows.get(first.json.events[0].id)!;
    expect(row.deliveryCount).toBe(2);
  });

  it('logs each redelivery as a delivery of its own, marked duplicate, body kept', () => {
    const dup = env.core.store.listDeliveries({ limit: 1000 }).filter((d) => d.duplicate);
    expect(dup).toHaveLength(Object.keys(again).length);
    const bodies = dup.map((d) => env.core.store.getDeliveryBody(d.id)?.toString('utf8')).sort();
    expect(bodies).toEqual(
      Object.values(again)
        .map((x) => x.body)
        .sort(),
    );
  });

  it('the same message under message:new and message:received:new is two events, linked by the message uid', () => {
    const a = p.asNew!.json.events[0];
    const b = p.asReceived!.json.events[0];
    expect(p.asNew!.json.duplicate).toBe(false);
    expect(p.asReceived!.json.duplicate).toBe(false);
    expect(a.id).not.toBe(b.id);
    expect(rows.get(a.id)).toMatchObject({ type: 'message:new', messageUid: 'two-types-uid-1', deliveryCount: 1 });
    expect(rows.get(b.id)).toMatchObject({ type: 'message:received:new', messageUid: 'two-types-uid-1', deliveryCount: 1 });
    expect(env.core.store.getEvent(a.id)!.related).toEqual([{ id: b.id, type: 'message:received:new' }]);
    expect(env.core.store.getEvent(b.id)!.related).toEqual([{ id: a.id, type: 'message:new' }]);
  });

  it('lists every event of this core exactly once', () => {
    const firstIds = Object.values(p).flatMap((x) => x.json.events.map((e: { id: number }) => e.id));
    expect(new Set(firstIds).size).toBe(firstIds.length);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual(firstIds.sort((a, b) => a - b));
  });
});
