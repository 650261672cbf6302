/**
 * The catch-up service as the core runs it: receiving marks, the triggers (start, wake, tunnel back,
 * a rising errors_counter), one run at a time, gap outcomes kept for Webhook health, progress, limits,
 * and a run stopped half way resuming in the next service. Real SQLite file, the real API client over
 * real HTTP to the TimelinesAI stand-in, which validates every request and answer against the spec.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatchupOutcome } from '../../main/core/catchup/engine.js';
import { CatchupService, type CatchupState } from '../../main/core/catchup/service.js';
import { clientGetJson, timelinesCatchupApi } from '../../main/core/catchup/timelines-adapter.js';
import { databasePath } from '../../main/core/paths.js';
import { TimelinesApiClient } from '../../main/core/providers/timelines/api.js';
import { StaticTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';
import { ChatsWorld } from '../support/timelines-chats.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tl-5b1c7a6e-3f0d-4c55-9a8e-0d6f3b2c1a90';
const MIN = 60_000;

let api: TimelinesStandIn;
let world: ChatsWorld;
let tmp: ReturnType<typeof tempDir>;
let store: HookwatchStore;
let clock: number | null;

beforeEach(async () => {
  api = await TimelinesStandIn.start({ token: TOKEN });
  world = new ChatsWorld().attach(api);
  tmp = tempDir();
  store = HookwatchStore.open(databasePath(tmp.dir), { durability: 'normal' });
  clock = null;
});

afterEach(async () => {
  store.close();
  await api.close();
  tmp.cleanup();
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
});

function service(options: { token?: string | null; concurrency?: number } = {}): CatchupService {
  const client = new TimelinesApiClient({
    tokenSource: new StaticTokenSource(options.token === undefined ? TOKEN : options.token),
    baseUrl: api.baseUrl,
    timeoutMs: 5_000,
  });
  return new CatchupService({
    store,
    api: timelinesCatchupApi(clientGetJson(client)),
    hasToken: async () => options.token !== null,
    log: () => {},
    now: () => clock ?? Date.now(),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
}

function outcomes(s: CatchupService): CatchupOutcome[] {
  const list: CatchupOutcome[] = [];
  s.onOutcome((o) => list.push(o));
  return list;
}

/** Message uids stored, with how many events each has. */
function storedCounts(): Map<string, number> {
  const map = new Map<string, number>();
  for (const e of store.listEvents({ type: 'message', limit: 100_000 })) {
    if (e.messageUid) map.set(e.messageUid, (map.get(e.messageUid) ?? 0) + 1);
  }
  return map;
}

function fill(chatId: number, n: number, from: number, to: number): string[] {
  const uids: string[] = [];
  for (let i = 0; i < n; i++) {
    const uid = `c${chatId}-m${i}`;
    world.addMessage(chatId, { uid, at: from + Math.round(((i + 0.5) * (to - from)) / n), from_me: i % 4 === 3 });
    uids.push(uid);
  }
  return uids;
}

describe('catch-up service', () => {
  it('the first start ever finds nothing; a restart after a clean stop catches up the stop, once, and keeps the outcome', async () => {
    const t0 = Date.now() - 30 * MIN;
    clock = t0;
    const first = service();
    const firstOutcomes = outcomes(first);
    first.start();
    await first.trigger('start');
    expect(firstOutcomes).toEqual([]);
    clock = t0 + 2 * MIN;
    first.beat();
    clock = t0 + 3 * MIN;
    await first.stop();
    expect(store.catchup.marks(0).map((m) => m.kind)).toEqual(['start', 'heartbeat', 'clean-stop']);

    // Off for 20 minutes; three chats got messages meanwhile.
    const uids = [
      ...fill(1, 3, t0 + 4 * MIN, t0 + 22 * MIN),
      ...fill(2, 2, t0 + 4 * MIN, t0 + 22 * MIN),
      ...fill(3, 1, t0 + 5 * MIN, t0 + 6 * MIN),
    ];
    clock = null;
    const second = service();
    const seen = outcomes(second);
    second.start();
    await second.trigger('start');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ status: 'done', recovered: 6, chatsWithRecovered: 3, gap: { reason: 'stopped', start: t0 + 3 * MIN } });
    expect([...storedCounts().entries()].sort()).toEqual(uids.map((u) => [u, 1]).sort());
    const [row] = store.catchup.listGaps();
    expect(row).toMatchObject({ status: 'done', recovered: 6, chats: 3, reasons: ['stopped'] });
    expect(row!.line).toMatch(/^catch-up: offline \d\d:\d\d–\d\d:\d\d UTC, 6 messages recovered from 3 chats$/);

    // Another trigger finds the gap caught up: no request, nothing stored twice.
    const requests = api.requests.length;
    await second.trigger('tunnel');
    expect(api.requests.length).toBe(requests);
    expect(seen).toHaveLength(1);
    await second.stop();
  });

  it('a heartbeat far later than due is a wake from sleep: the sleep is caught up', async () => {
    const t0 = Date.now() - 40 * MIN;
    clock = t0;
    const s = service();
    const seen = outcomes(s);
    s.start();
    await s.trigger('start');
    clock = t0 + MIN;
    s.beat();
    const uids = fill(5, 4, t0 + 5 * MIN, t0 + 30 * MIN);
    clock = null;
    s.beat();
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ status: 'done', recovered: 4, gap: { reason: 'asleep', start: t0 + MIN } });
    expect([...storedCounts().keys()].sort()).toEqual([...uids].sort());
    await s.stop();
  });

  it('the tunnel back up after an outage, and a rising errors_counter, each catch up their span', async () => {
    const t0 = Date.now() - 30 * MIN;
    clock = t0;
    const s = service();
    const seen = outcomes(s);
    s.start();
    store.recordTunnelState({ at: t0, state: 'connecting', url: null, reason: null });
    s.tunnelState('connecting');
    store.recordTunnelState({ at: t0 + 1000, state: 'up', url: 'https://a.example', reason: null });
    s.tunnelState('up');
    // Down for ten minutes.
    store.recordTunnelState({ at: t0 + 2 * MIN, state: 'down', url: null, reason: 'socket closed' });
    s.tunnelState('down');
    const inOutage = fill(7, 3, t0 + 3 * MIN, t0 + 11 * MIN);
    clock = t0 + 12 * MIN;
    store.recordTunnelState({ at: clock, state: 'up', url: 'https://a.example', reason: null });
    s.tunnelState('up');
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ status: 'done', recovered: 3, gap: { reason: 'tunnel', start: t0 + 2 * MIN, end: t0 + 12 * MIN } });

    // TimelinesAI counts failed deliveries while we thought we were up: the span between two samples.
    clock = t0 + 15 * MIN;
    s.webhookErrors([{ id: 11, errorsCounter: 0 }]);
    const failed = fill(8, 2, t0 + 16 * MIN, t0 + 19 * MIN);
    clock = t0 + 20 * MIN;
    s.webhookErrors([{ id: 11, errorsCounter: 0 }]);
    expect(seen).toHaveLength(1);
    s.webhookErrors([{ id: 11, errorsCounter: 2 }]);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen[1]).toMatchObject({ status: 'done', recovered: 2, gap: { reason: 'webhook-errors' } });
    expect([...storedCounts().keys()].sort()).toEqual([...inOutage, ...failed].sort());
    await s.stop();
  });

  it('pages across 120 chats under the real 30 req/s limit (429s past it), showing progress, and keeps to the chats limit', async () => {
    await api.close();
    api = await TimelinesStandIn.start({ token: TOKEN });
    world = new ChatsWorld({ enforceRate: true }).attach(api);
    const end = Date.now() - MIN;
    const start = end - 60 * MIN;
    const uids: string[] = [];
    for (let id = 1; id <= 120; id++) uids.push(...fill(id, id % 30 === 0 ? 60 : 2, start, end));
    const s = service();
    const states: CatchupState[] = [];
    s.onProgress((p) => states.push(p));
    const outcome = await s.runGap({ start, end, reason: 'offline', reasons: ['offline'] });
    expect(outcome).toMatchObject({ status: 'done', recovered: uids.length, chatsScanned: 120 });
    expect(storedCounts().size).toBe(uids.length);
    for (const n of storedCounts().values()) expect(n).toBe(1);
    const running = states.filter((x) => x.running).map((x) => x.running!);
    expect(running[0]!.gapKey).toBe(outcome.gapKey);
    expect(running.some((r) => r.phase === 'messages' && r.chatsFound === 120 && r.chatsDone > 0 && r.chatsDone < 120)).toBe(true);
    expect(states[states.length - 1]!.running).toBeNull();
    // The stand-in refuses what goes past 30 req/s; whatever got through was waited out and read again.
    expect(api.requests.filter((r) => r.status === 429).length).toBe(world.rateLimited);

    // The limit on chats, from the saved setting.
    store.meta.set('catchupLimits', { maxChats: 10 });
    const limited = await s.runGap({ start: start - 1000, end, reason: 'manual', reasons: ['manual'] });
    expect(limited).toMatchObject({ status: 'done', chatsScanned: 10, truncatedChats: true, recovered: 0 });
  });

  it('a run stopped half way is kept as interrupted and resumes in the next service from its checkpoint', async () => {
    const end = Date.now() - MIN;
    const start = end - 60 * MIN;
    const uids: string[] = [];
    for (let id = 1; id <= 30; id++) uids.push(...fill(id, id % 5 === 0 ? 70 : 3, start, end));
    const gap = { start, end, reason: 'offline' as const, reasons: ['offline' as const] };
    const first = service({ concurrency: 2 });
    first.onProgress((p) => {
      if (p.running && p.running.chatsDone >= 8) void first.stop();
    });
    const stopped = await first.runGap(gap);
    expect(stopped.status).toBe('interrupted');
    expect(store.catchup.getGap(stopped.gapKey)).toMatchObject({ status: 'interrupted' });
    expect(store.catchup.getGap(stopped.gapKey)!.line).toMatch(/so far; stopped: catch-up was stopped before it finished/);
    const seen = api.requests.length;

    const second = service();
    const done = await second.runGap(gap);
    expect(done).toMatchObject({ status: 'done', recovered: uids.length });
    expect(store.catchup.getGap(stopped.gapKey)).toMatchObject({ status: 'done', recovered: uids.length });
    for (const uid of uids) expect(storedCounts().get(uid), uid).toBe(1);
    expect(api.requests.slice(seen).filter((r) => r.path === '/chats')).toEqual([]);
  });

  it('without a token each gap is still recorded, saying what could not be recovered and why, and costs no request', async () => {
    const s = service({ token: null });
    const o = await s.runGap({ start: Date.now() - 20 * MIN, end: Date.now() - 10 * MIN, reason: 'offline', reasons: ['offline'] });
    expect(o.status).toBe('no-token');
    expect(store.catchup.getGap(o.gapKey)!.line).toMatch(/could not be recovered: no TimelinesAI token is set: paste one in Settings/);
    expect(api.requests).toEqual([]);
  });
});
