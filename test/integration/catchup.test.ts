/**
 * Catch-up after a gap, end to end: the engine reads a TimelinesAI Public API stand-in over real
 * HTTP on 127.0.0.1 (every request and answer validated against public_api_spec.yaml with ajv,
 * query parameters included) through the real API client, and stores into a real SQLite file
 * through the store's public methods, next to the real webhook receiver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCatchup, type CatchupOutcome, type CatchupRunOptions } from '../../main/core/catchup/engine.js';
import type { Gap } from '../../main/core/catchup/gaps.js';
import { catchupLine } from '../../main/core/catchup/outcome.js';
import { RECOVERED_SHAPE, recoveredEvent } from '../../main/core/catchup/recovered.js';
import { recoveredDelivery, storeCheckpoints, storeSink } from '../../main/core/catchup/store-sink.js';
import { clientGetJson, timelinesCatchupApi } from '../../main/core/catchup/timelines-adapter.js';
import { TimelinesApiClient, type TimelinesApiClientOptions } from '../../main/core/providers/timelines/api.js';
import { StaticTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { postJson, startCore } from '../support/harness.js';
import { apiMessage, ChatsWorld } from '../support/timelines-chats.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tl-4d2d0239-e28c-4f4a-8a4d-3a3ca40056b8';
const MIN = 60_000;
const NOW = Date.now();
/** Offline for 8 h 35 min, ending 20 minutes ago. */
const GAP: Gap = { start: NOW - 20 * MIN - 515 * MIN, end: NOW - 20 * MIN, reason: 'offline', reasons: ['offline'], open: false };

let api: TimelinesStandIn;
let world: ChatsWorld;
let env: Awaited<ReturnType<typeof startCore>>;

beforeEach(async () => {
  api = await TimelinesStandIn.start({ token: TOKEN });
  world = new ChatsWorld().attach(api);
  env = await startCore();
});

afterEach(async () => {
  await env.stop();
  await api.close();
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
});

function client(options: Partial<TimelinesApiClientOptions> = {}): TimelinesApiClient {
  return new TimelinesApiClient({ tokenSource: new StaticTokenSource(TOKEN), baseUrl: api.baseUrl, timeoutMs: 5_000, ...options });
}

function run(options: Partial<CatchupRunOptions> = {}): Promise<CatchupOutcome> {
  return runCatchup({
    gap: GAP,
    api: timelinesCatchupApi(clientGetJson(client())),
    sink: storeSink(env.core.store),
    checkpoints: storeCheckpoints(env.core.store),
    ...options,
  });
}

/** A message webhook as TimelinesAI sends it (top-level shape of the webhook spec). */
function messageWebhook(eventType: string, chatId: number, uid: string, at: number, direction: 'received' | 'sent') {
  const t = new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' +0000';
  return {
    event_type: eventType,
    chat: {
      chat_id: chatId,
      full_name: `Chat ${chatId}`,
      chat_url: `https://app.timelines.ai/chat/${chatId}/messages/`,
      is_group: false,
      phone: `+1555${String(chatId).padStart(7, '0')}`,
    },
    whatsapp_account: { full_name: 'Dana Levi', email: 'dana@example.com', phone: '+972501111111' },
    message: {
      message_uid: uid,
      direction,
      text: `message ${uid}`,
      origin: 'synced from WhatsApp',
      timestamp: t,
      sender: { full_name: 'x' },
      recipient: { full_name: 'y' },
    },
  };
}

/** Events of one uid among message events (reactions aside), whatever their type. */
function eventsOf(uid: string) {
  return byUid().get(uid) ?? [];
}

/** Message events (reactions aside) grouped by uid, read once per check. */
function byUid() {
  const map = new Map<string, ReturnType<typeof env.core.store.listEvents>>();
  for (const e of env.core.store.listEvents({ type: 'message', limit: 100_000 })) {
    if (!e.messageUid || e.type === 'message:reaction') continue;
    map.set(e.messageUid, [...(map.get(e.messageUid) ?? []), e]);
  }
  return map;
}

/** Each uid is stored exactly once, whatever its type. */
function expectOnceEach(uids: readonly string[]) {
  const map = byUid();
  for (const uid of uids) expect(map.get(uid)?.length ?? 0, uid).toBe(1);
}

/** Chat c gets n messages spread over the gap, alternating received and sent; returns their uids. */
function fillGap(chatId: number, n: number, prefix = `c${chatId}`): string[] {
  const uids: string[] = [];
  for (let i = 0; i < n; i++) {
    const uid = `${prefix}-m${i}`;
    world.addMessage(chatId, { uid, at: GAP.start + Math.round(((i + 0.5) * (GAP.end - GAP.start)) / n), from_me: i % 3 === 2 });
    uids.push(uid);
  }
  return uids;
}

describe('catch-up after a gap', () => {
  it('recovers every message of the gap exactly once, one of them also arriving as a webhook before and one after', async () => {
    // Five chats with 37 messages in the gap, each also with history from before it.
    const inGap: string[] = [];
    [7, 8, 9, 10, 11].forEach((id, k) => {
      world.addMessage(id, { uid: `old-${id}`, at: GAP.start - 3 * 3600_000, from_me: false });
      inGap.push(...fillGap(id, [10, 9, 8, 6, 4][k]!));
    });
    // Chats quiet since before the gap must not be read at all.
    for (let id = 100; id < 104; id++) world.addMessage(id, { uid: `quiet-${id}`, at: GAP.start - 86_400_000, from_me: false });
    // A call and a note in the gap: not message events, not recovered.
    world.addMessage(7, { uid: 'call-1', at: GAP.start + 60 * MIN, from_me: false, message_type: 'whatsapp_call', text: null });
    world.addMessage(7, { uid: 'note-1', at: GAP.start + 61 * MIN, from_me: true, message_type: 'note' });
    expect(inGap).toHaveLength(37);

    // One message reached us as a webhook (message:new) before catch-up ran.
    const early = inGap[3]!;
    const before = await postJson(env.url, messageWebhook('message:new', 7, early, GAP.start + 5 * MIN, 'received'));
    expect(before.status).toBe(200);

    const outcome = await run();
    expect(outcome).toMatchObject({
      status: 'done',
      recovered: 36,
      alreadyStored: 1,
      skippedNonMessages: 2,
      chatsScanned: 5,
      chatsWithRecovered: 5,
      error: null,
    });
    expect(
      catchupLine({ ...outcome, gap: { ...outcome.gap, start: Date.UTC(2026, 10, 28, 23, 10), end: Date.UTC(2026, 10, 29, 7, 45) } }),
    ).toBe('catch-up: offline 23:10–07:45 UTC, 36 messages recovered from 5 chats');

    // A webhook of a recovered message that arrives late is a redelivery, not a second event.
    const lateUid = inGap[12]!;
    const [late] = eventsOf(lateUid);
    const after = await postJson(env.url, messageWebhook(late!.type, 8, lateUid, late!.occurredAt!, late!.direction!));
    expect(after.json.events[0]).toMatchObject({ id: late!.id, duplicate: true });

    expectOnceEach(inGap);
    expect(eventsOf(early)[0]).toMatchObject({ type: 'message:new', shape: 'timelines.v2' });
    const recovered = env.core.store.listEvents({ limit: 1000 }).filter((e) => e.shape === RECOVERED_SHAPE);
    expect(recovered).toHaveLength(36);
    for (const e of recovered) {
      expect(e.type).toBe(e.direction === 'sent' ? 'message:sent:new' : 'message:received:new');
      expect(e.details.recovered).toMatchObject({ gapStart: GAP.start, gapEnd: GAP.end });
      expect(e.accountPhone).toBe('+972501111111');
    }
    // from_me decides the type: every third message of a chat was sent by us.
    expect(eventsOf('c7-m2')[0]!.type).toBe('message:sent:new');
    expect(eventsOf('c7-m0')[0]!.type).toBe('message:received:new');
    // The detail shows the API's message object as the raw body.
    const detail = env.core.store.getEvent(eventsOf('c9-m1')[0]!.id)!;
    expect(JSON.parse(detail.request.body!.toString())).toMatchObject({ uid: 'c9-m1', chat_id: 9, from_me: false });
    expect(eventsOf('old-7')).toHaveLength(0);
    expect(eventsOf('call-1')).toHaveLength(0);
    expect(api.requests.filter((r) => /^\/chats\/10\d\//.test(r.path))).toEqual([]);
    for (const r of api.requests.filter((r) => r.path.endsWith('/messages'))) {
      expect(r.query).toMatchObject({ sorting_order: 'asc' });
      expect(Date.parse(r.query['after']!)).toBeLessThanOrEqual(GAP.start);
      expect(Date.parse(r.query['before']!)).toBeGreaterThanOrEqual(GAP.end - 1000);
    }

    // Running it again (a later start that sees the same gap) stores nothing new.
    const again = await run({ checkpoints: undefined });
    expect(again).toMatchObject({ status: 'done', recovered: 0, alreadyStored: 37 });
    expectOnceEach(inGap);
    // And the finished gap's checkpoint makes a repeat free.
    const requests = api.requests.length;
    expect(await run()).toMatchObject({ status: 'done', recovered: 36 });
    expect(api.requests.length).toBe(requests);
  });

  it('pages through 120 active chats and long chats, and stops listing at the first chat older than the gap', async () => {
    const expected: string[] = [];
    for (let id = 1; id <= 120; id++) expected.push(...fillGap(id, id % 40 === 0 ? 120 : 2));
    for (let id = 500; id < 560; id++) world.addMessage(id, { uid: `quiet-${id}`, at: GAP.start - 86_400_000, from_me: false });

    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'done', recovered: expected.length, chatsScanned: 120, truncatedChats: false });
    expectOnceEach(expected);
    // Pages 1-3 of 4 hold the active chats; page 3 reaches the quiet ones, so page 4 is never read.
    const chatPages = api.requests.filter((r) => r.path === '/chats').map((r) => r.query['page']);
    expect(chatPages).toEqual(['1', '2', '3', '1']);
    // A chat of 120 messages takes three pages, each after the last message of the one before.
    const long = api.requests.filter((r) => r.path === '/chats/40/messages').map((r) => r.query['after_message'] ?? null);
    expect(long).toEqual([null, 'c40-m49', 'c40-m99']);
    expect(outcome.requests).toBe(4 + 117 + 3 * 3);
  });

  it('keeps to the limits it is given: the most active chats only, and not further back than the days allowed', async () => {
    for (let id = 1; id <= 30; id++) fillGap(id, 1);
    const outcome = await run({ limits: { maxChats: 10, daysBack: 7 } });
    expect(outcome).toMatchObject({ status: 'done', chatsScanned: 10, recovered: 10, truncatedChats: true });
    expect(catchupLine(outcome)).toMatch(/only the 10 most recently active chats were read/);

    const old: Gap = { ...GAP, start: NOW - 10 * 86_400_000, end: NOW - 9 * 86_400_000 };
    expect(await run({ gap: old, limits: { daysBack: 7 } })).toMatchObject({ status: 'nothing-to-do', requests: 0 });
  });

  it('waits out 429s with Retry-After, in the client and, when they get past it, in the engine', async () => {
    const expected = [3, 4, 5].flatMap((id) => fillGap(id, 60));
    api.failNext({ kind: 'rate-limit', retryAfter: '1' }, 1, { pathPrefix: '/chats' });
    const first = await run();
    expect(first).toMatchObject({ status: 'done', recovered: 180, rateLimitWaits: 0 });
    expect(api.requests.filter((r) => r.status === 429)).toHaveLength(1);

    // A client that does not retry hands the 429 to the engine, which pauses and tries again.
    await env.stop();
    env = await startCore();
    api.failNext({ kind: 'rate-limit', retryAfter: '1' }, 2, { pathPrefix: '/chats/4/' });
    const second = await run({ api: timelinesCatchupApi(clientGetJson(client({ maxAttempts: 1 }))) });
    expect(second).toMatchObject({ status: 'done', recovered: 180, rateLimitWaits: 2 });
    expectOnceEach(expected);
  });

  it('an interrupted catch-up resumes from its checkpoint without reading again what it had finished', async () => {
    const expected: string[] = [];
    for (let id = 1; id <= 40; id++) expected.push(...fillGap(id, id % 5 === 0 ? 70 : 3));
    const stop = new AbortController();
    const first = await run({
      concurrency: 2,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.chatsDone >= 10) stop.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    expect(first.recovered).toBeGreaterThan(0);
    expect(first.recovered).toBeLessThan(expected.length);
    const checkpoint = env.core.store.meta.get('catchupCheckpoints')?.[first.gapKey] as { chats: Array<{ id: string; done: boolean }> };
    const finished = checkpoint.chats.filter((c) => c.done).map((c) => c.id);
    expect(finished.length).toBeGreaterThanOrEqual(10);

    // Then a server outage interrupts the resumed run too (the client gives up after its retries).
    const seen = api.requests.length;
    api.failNext({ kind: 'server', status: 503 }, 2, { pathPrefix: '/chats/' });
    const second = await run({ api: timelinesCatchupApi(clientGetJson(client({ maxAttempts: 2, backoffBaseMs: 1 }))), concurrency: 1 });
    expect(second.status).toBe('interrupted');
    expect(second.error).toMatch(/503.*resumes where it stopped/);

    const third = await run();
    expect(third.status).toBe('done');
    expect(third.recovered).toBe(expected.length);
    expectOnceEach(expected);
    const resumed = api.requests.slice(seen);
    // The chat list was not read again, nor the chats finished before the interruption.
    expect(resumed.filter((r) => r.path === '/chats')).toEqual([]);
    for (const id of finished) expect(resumed.filter((r) => r.path === `/chats/${id}/messages`)).toEqual([]);
  });

  it('without a token it says what could not be recovered and why', async () => {
    fillGap(3, 2);
    const outcome = await run({ api: timelinesCatchupApi(clientGetJson(client({ tokenSource: new StaticTokenSource(null) }))) });
    expect(outcome).toMatchObject({ status: 'no-token', recovered: 0 });
    expect(catchupLine(outcome)).toMatch(
      /^catch-up: offline \d\d:\d\d–\d\d:\d\d UTC, messages from then could not be recovered: no TimelinesAI token is set/,
    );
    expect(api.requests).toEqual([]);
  });
});

describe('exactly once across types: store ingest', () => {
  it('a webhook under another type after a recovered message, and a recovered message after a webhook, are redeliveries', async () => {
    const store = env.core.store;
    const chat = { id: '7', name: 'Chat 7', phone: '+15550000007', jid: null, isGroup: false, accountId: null, lastMessageAt: null };
    const message = (uid: string) => apiMessage('7', uid, GAP.start + MIN);
    const marker = { gapStart: GAP.start, gapEnd: GAP.end, fetchedAt: NOW };

    // Recovered first (message:received:new, shape timelines.catchup), then the webhook as message:new.
    const first = recoveredEvent(chat, message('x-1'), marker);
    storeSink(store).storeRecovered([{ chatId: '7', event: first, raw: { uid: 'x-1' } }]);
    expect(eventsOf('x-1')[0]).toMatchObject({ shape: RECOVERED_SHAPE, deliveryCount: 1 });
    const late = await postJson(env.url, messageWebhook('message:new', 7, 'x-1', GAP.start + MIN, 'received'));
    expect(late.status).toBe(200);
    expect(late.json.events[0]).toMatchObject({ duplicate: true, type: 'message:received:new' });
    expect(eventsOf('x-1')[0]).toMatchObject({ shape: RECOVERED_SHAPE, deliveryCount: 2 });
    expect(eventsOf('x-1')).toHaveLength(1);

    // Webhook first (message:new), then the same message stored by catch-up bypassing its known-uid check.
    await postJson(env.url, messageWebhook('message:new', 7, 'x-2', GAP.start + MIN, 'received'));
    expect(store.knownMessageUids(['x-2', 'x-3'])).toEqual(new Set(['x-2']));
    const again = recoveredEvent(chat, message('x-2'), marker);
    const committed = store.ingest(recoveredDelivery({ chatId: '7', event: again, raw: { uid: 'x-2' } }, NOW), [again]);
    expect(committed.events[0]).toMatchObject({ duplicate: true, type: 'message:new', shape: 'timelines.v2' });
    expect(eventsOf('x-2')).toHaveLength(1);
    expect(eventsOf('x-2')[0]!.deliveryCount).toBe(2);
  });
});
