import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_HISTORY_LIMIT,
  accountStateForEventType,
  accountStatusFromEvents,
  applyAccountEvent,
  applyAccountEvents,
  emptyAccountBoard,
  listAccounts,
  mergeApiSnapshot,
  type AccountBoard,
  type AccountEventInput,
  type AccountState,
  type AccountTransition,
} from '../../main/core/alerts/account-status.js';
import { normalizeTimelinesV2 } from '../../main/core/providers/timelines/webhook.js';
import { fixturePayloads } from '../support/harness.js';

const T0 = Date.UTC(2025, 2, 2, 12, 0, 0);
const MIN = 60_000;
const A = '+15555550100';
const B = '+15550101234';

interface EvOptions {
  phone?: string | null;
  accountId?: string | null;
  name?: string | null;
  /** null: the payload carried no time, so receivedAt places it. */
  occurredAt?: number | null;
  receivedAt?: number;
}

/** An account event as the store hands it over (the fields the reducer reads). */
function ev(id: number, type: string, at: number, o: EvOptions = {}): AccountEventInput {
  const occurredAt = o.occurredAt === undefined ? at : o.occurredAt;
  return {
    id,
    type,
    occurredAt,
    receivedAt: o.receivedAt ?? (occurredAt === null ? at : at + 2_000),
    accountPhone: o.phone === undefined ? A : o.phone,
    accountId: o.accountId === undefined ? '15555550100@s.whatsapp.net' : o.accountId,
    accountName: o.name === undefined ? 'Acme Support' : o.name,
  };
}

/** Deterministic PRNG (mulberry32) so a failing permutation can be reproduced from the seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function applyAll(events: readonly AccountEventInput[], board: AccountBoard = emptyAccountBoard()) {
  const transitions: AccountTransition[] = [];
  const ignored: string[] = [];
  let b = board;
  for (const e of events) {
    const u = applyAccountEvent(b, e);
    b = u.board;
    transitions.push(...u.transitions);
    ignored.push(...u.ignored);
  }
  return { board: b, transitions, ignored };
}

describe('account state from event types', () => {
  const table: Array<[string, AccountState | null]> = [
    ['whatsapp:account:connected', 'connected'],
    ['whatsapp:account:resumed', 'connected'],
    ['whatsapp:account:disconnected', 'disconnected'],
    ['whatsapp:account:suspended', 'suspended'],
    ['waba:account:active', 'connected'],
    ['waba:account:disabled', 'suspended'],
    ['waba:account:disconnected', 'disconnected'],
    ['message:new', null],
    ['chat:responsible:assigned', null],
    ['waba:message:failed', null],
    ['whatsapp:account:renamed', null],
  ];
  it.each(table)('%s -> %s', (type, state) => {
    expect(accountStateForEventType(type)).toBe(state);
  });

  it('a non-account event leaves the board object itself unchanged (nothing to persist)', () => {
    const board = accountStatusFromEvents([ev(1, 'whatsapp:account:connected', T0)]);
    const u = applyAccountEvent(board, ev(2, 'message:new', T0 + MIN));
    expect(u.board).toBe(board);
    expect(u.changed).toEqual([]);
    expect(u.transitions).toEqual([]);
  });
});

describe('account state in time order', () => {
  interface Case {
    name: string;
    events: AccountEventInput[];
    state: AccountState;
    since: number | null;
    downSince: number | null;
    lastEventId: number | null;
  }
  const cases: Case[] = [
    { name: 'no events: no account', events: [], state: 'unknown', since: null, downSince: null, lastEventId: null },
    {
      name: 'connected',
      events: [ev(1, 'whatsapp:account:connected', T0)],
      state: 'connected',
      since: T0,
      downSince: null,
      lastEventId: 1,
    },
    {
      name: 'connected then disconnected',
      events: [ev(1, 'whatsapp:account:connected', T0), ev(2, 'whatsapp:account:disconnected', T0 + 5 * MIN)],
      state: 'disconnected',
      since: T0 + 5 * MIN,
      downSince: T0 + 5 * MIN,
      lastEventId: 2,
    },
    {
      name: 'a repeated state keeps its first since',
      events: [ev(1, 'whatsapp:account:disconnected', T0), ev(2, 'whatsapp:account:disconnected', T0 + 5 * MIN)],
      state: 'disconnected',
      since: T0,
      downSince: T0,
      lastEventId: 2,
    },
    {
      name: 'disconnected then suspended is one outage',
      events: [
        ev(1, 'whatsapp:account:connected', T0),
        ev(2, 'whatsapp:account:disconnected', T0 + MIN),
        ev(3, 'whatsapp:account:suspended', T0 + 3 * MIN, { occurredAt: null }),
      ],
      state: 'suspended',
      since: T0 + 3 * MIN,
      downSince: T0 + MIN,
      lastEventId: 3,
    },
    {
      name: 'resumed after suspended',
      events: [
        ev(1, 'whatsapp:account:suspended', T0, { occurredAt: null }),
        ev(2, 'whatsapp:account:resumed', T0 + 9 * MIN, { occurredAt: null }),
      ],
      state: 'connected',
      since: T0 + 9 * MIN,
      downSince: null,
      lastEventId: 2,
    },
  ];
  it.each(cases)('$name', (c) => {
    const board = accountStatusFromEvents(c.events);
    const acc = board.accounts[A];
    if (c.events.length === 0) {
      expect(acc).toBeUndefined();
      return;
    }
    expect(acc).toMatchObject({ key: A, phone: A, state: c.state, since: c.since, downSince: c.downSince, name: 'Acme Support' });
    expect(acc!.lastEvent?.id).toBe(c.lastEventId);
  });
});

describe('late and out-of-order events are placed by event time', () => {
  interface Case {
    name: string;
    arrivals: AccountEventInput[];
    state: AccountState;
    since: number;
    /** from->to of each transition, in arrival order */
    transitions: string[];
    ignored?: RegExp;
  }
  const conn = (id: number, min: number, o: EvOptions = {}) => ev(id, 'whatsapp:account:connected', T0 + min * MIN, o);
  const disc = (id: number, min: number, o: EvOptions = {}) => ev(id, 'whatsapp:account:disconnected', T0 + min * MIN, o);
  const cases: Case[] = [
    {
      name: 'an old "connected" arriving after a newer "disconnected" does not overwrite it',
      arrivals: [disc(2, 10), conn(1, 5)],
      state: 'disconnected',
      since: T0 + 10 * MIN,
      transitions: ['unknown->disconnected'],
    },
    {
      name: 'a late event of the current state moves "since" back, without a transition',
      arrivals: [conn(1, 0), disc(3, 20), disc(2, 10)],
      state: 'disconnected',
      since: T0 + 10 * MIN,
      transitions: ['unknown->connected', 'connected->disconnected'],
    },
    {
      name: 'a late event of another state between two of the current state splits the run',
      arrivals: [disc(3, 30), disc(1, 10), conn(2, 20)],
      state: 'disconnected',
      since: T0 + 30 * MIN,
      transitions: ['unknown->disconnected'],
    },
    {
      name: 'a late event newer than everything known does change the state',
      arrivals: [disc(1, 10), conn(2, 20, { receivedAt: T0 + 90 * MIN })],
      state: 'connected',
      since: T0 + 20 * MIN,
      transitions: ['unknown->disconnected', 'disconnected->connected'],
    },
    {
      name: 'a redelivery (same event id) changes nothing',
      arrivals: [disc(1, 10), conn(2, 20), disc(1, 10)],
      state: 'connected',
      since: T0 + 20 * MIN,
      transitions: ['unknown->disconnected', 'disconnected->connected'],
    },
    {
      name: 'an event without occurredAt is placed at its receivedAt',
      arrivals: [ev(2, 'whatsapp:account:suspended', T0 + 15 * MIN, { occurredAt: null }), conn(1, 10)],
      state: 'suspended',
      since: T0 + 15 * MIN,
      transitions: ['unknown->suspended'],
    },
    {
      name: 'same event time: the one received later wins, whatever the arrival order',
      arrivals: [conn(2, 10, { receivedAt: T0 + 11 * MIN }), disc(1, 10, { receivedAt: T0 + 10 * MIN })],
      state: 'connected',
      since: T0 + 10 * MIN,
      transitions: ['unknown->connected'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const { board, transitions, ignored } = applyAll(c.arrivals);
    expect(board.accounts[A]).toMatchObject({ state: c.state, since: c.since });
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(c.transitions);
    if (c.ignored) expect(ignored.join('\n')).toMatch(c.ignored);
    // The same events in time order give the same account.
    const inOrder = accountStatusFromEvents(
      [...c.arrivals].sort((x, y) => (x.occurredAt ?? x.receivedAt) - (y.occurredAt ?? y.receivedAt)),
    );
    expect(board.accounts[A]).toEqual(inOrder.accounts[A]);
  });

  it('a transition carries when the outage began, for "down for 12 min"', () => {
    const { transitions } = applyAll([
      ev(1, 'whatsapp:account:connected', T0),
      ev(2, 'whatsapp:account:disconnected', T0 + 10 * MIN),
      ev(3, 'whatsapp:account:suspended', T0 + 15 * MIN, { occurredAt: null }),
      ev(4, 'whatsapp:account:resumed', T0 + 22 * MIN, { occurredAt: null }),
    ]);
    expect(transitions.map((t) => [t.from, t.to, t.at, t.downSince, t.eventId, t.eventType])).toEqual([
      ['unknown', 'connected', T0, null, 1, 'whatsapp:account:connected'],
      ['connected', 'disconnected', T0 + 10 * MIN, null, 2, 'whatsapp:account:disconnected'],
      ['disconnected', 'suspended', T0 + 15 * MIN, T0 + 10 * MIN, 3, 'whatsapp:account:suspended'],
      ['suspended', 'connected', T0 + 22 * MIN, T0 + 10 * MIN, 4, 'whatsapp:account:resumed'],
    ]);
  });

  it('an event naming no account is reported, not silently dropped', () => {
    const u = applyAccountEvent(emptyAccountBoard(), ev(9, 'whatsapp:account:disconnected', T0, { phone: null, accountId: null }));
    expect(u.board.accounts).toEqual({});
    expect(u.ignored).toEqual([expect.stringMatching(/event 9 .*names no account/)]);
  });

  it(`an event older than a full history (${ACCOUNT_HISTORY_LIMIT} observations) is reported and changes nothing`, () => {
    const many = Array.from({ length: ACCOUNT_HISTORY_LIMIT + 5 }, (_, i) =>
      ev(100 + i, i % 2 ? 'whatsapp:account:connected' : 'whatsapp:account:disconnected', T0 + (i + 10) * MIN),
    );
    const board = accountStatusFromEvents(many);
    expect(board.accounts[A]!.history).toHaveLength(ACCOUNT_HISTORY_LIMIT);
    const u = applyAccountEvent(board, ev(1, 'whatsapp:account:connected', T0));
    expect(u.board).toBe(board);
    expect(u.ignored).toEqual([expect.stringMatching(/older than the 64 observations kept/)]);
  });
});

describe('shuffled arrival orders give the state of the time order', () => {
  const W = (id: number, type: string, at: number, o: EvOptions = {}) =>
    ev(id, type, at, { accountId: 'waba:4821', phone: null, name: null, ...o });
  const C = '+15557770000';
  const c = (id: number, type: string, at: number) =>
    ev(id, type, at, { phone: C, accountId: '15557770000@s.whatsapp.net', name: 'Clinic', occurredAt: null });
  // Three accounts, 22 events: reconnects, a suspension, a WABA number first seen without its phone,
  // events without a time of their own, two events at the same instant, and noise.
  const events: AccountEventInput[] = [
    ev(1, 'whatsapp:account:connected', T0, { name: 'Acme' }),
    ev(2, 'whatsapp:account:disconnected', T0 + 10 * MIN),
    ev(3, 'whatsapp:account:connected', T0 + 20 * MIN, { name: 'Acme' }),
    ev(4, 'whatsapp:account:suspended', T0 + 30 * MIN, { occurredAt: null }),
    ev(5, 'whatsapp:account:resumed', T0 + 40 * MIN, { occurredAt: null }),
    ev(6, 'whatsapp:account:disconnected', T0 + 50 * MIN),
    ev(7, 'whatsapp:account:disconnected', T0 + 55 * MIN),
    ev(8, 'whatsapp:account:connected', T0 + 50 * MIN, { receivedAt: T0 + 50 * MIN + 1_000 }),
    W(9, 'waba:account:active', T0 + 5 * MIN),
    W(10, 'waba:account:disabled', T0 + 25 * MIN, { phone: B, name: 'Acme WABA' }),
    W(11, 'waba:account:active', T0 + 35 * MIN),
    W(12, 'waba:account:disconnected', T0 + 45 * MIN, { phone: B }),
    W(13, 'waba:account:disabled', T0 + 46 * MIN),
    c(14, 'whatsapp:account:connected', T0 + 12 * MIN),
    c(15, 'whatsapp:account:suspended', T0 + 13 * MIN),
    c(16, 'whatsapp:account:resumed', T0 + 14 * MIN),
    c(17, 'whatsapp:account:suspended', T0 + 60 * MIN),
    c(18, 'whatsapp:account:resumed', T0 + 61 * MIN),
    ev(19, 'message:new', T0 + 62 * MIN),
    ev(20, 'chat:responsible:assigned', T0 + 63 * MIN),
    c(21, 'whatsapp:account:disconnected', T0 + 70 * MIN),
    c(22, 'whatsapp:account:connected', T0 + 75 * MIN),
  ];
  const timeOrder = [...events].sort(
    (x, y) => (x.occurredAt ?? x.receivedAt) - (y.occurredAt ?? y.receivedAt) || x.receivedAt - y.receivedAt,
  );
  const reference = accountStatusFromEvents(timeOrder);

  it('the time order gives the states worked out by hand', () => {
    expect(Object.keys(reference.accounts).sort()).toEqual([B, C, A].sort());
    expect(reference.accounts[A]).toMatchObject({ state: 'disconnected', since: T0 + 50 * MIN, name: 'Acme Support' });
    // ev 6 and ev 8 share an event time; 6 was received later (at+2 s vs at+1 s), so it is last.
    expect(reference.accounts[A]!.lastEvent).toEqual({ id: 7, type: 'whatsapp:account:disconnected', at: T0 + 55 * MIN });
    expect(reference.accounts[B]).toMatchObject({
      key: B,
      phone: B,
      accountId: 'waba:4821',
      name: 'Acme WABA',
      state: 'suspended',
      since: T0 + 46 * MIN,
      downSince: T0 + 45 * MIN,
    });
    expect(reference.accounts[C]).toMatchObject({ state: 'connected', since: T0 + 75 * MIN, downSince: null, name: 'Clinic' });
  });

  it('500 seeded permutations all give exactly the same board', () => {
    const random = mulberry32(20250302);
    let lastArrivalWouldDiffer = 0;
    for (let i = 0; i < 500; i++) {
      const order = shuffled(events, random);
      const board = accountStatusFromEvents(order);
      expect(board, `permutation ${i}: ${order.map((e) => e.id).join(',')}`).toEqual(reference);
      // Guard that the shuffles exercise lateness: "last arrival wins" would have got A wrong.
      const lastForA = order.filter((e) => e.accountPhone === A && accountStateForEventType(e.type)).at(-1)!;
      if (accountStateForEventType(lastForA.type) !== 'disconnected' || lastForA.id !== 7) lastArrivalWouldDiffer++;
    }
    expect(lastArrivalWouldDiffer).toBeGreaterThan(300);
  });

  it('a WABA number first seen by id is moved under its phone when one arrives, and the id row is to be deleted', () => {
    const first = applyAccountEvent(emptyAccountBoard(), W(9, 'waba:account:active', T0));
    expect(Object.keys(first.board.accounts)).toEqual(['waba:4821']);
    const second = applyAccountEvent(first.board, W(10, 'waba:account:disabled', T0 + MIN, { phone: B }));
    expect(Object.keys(second.board.accounts)).toEqual([B]);
    expect(second.removedKeys).toEqual(['waba:4821']);
    expect(second.transitions.map((t) => `${t.key} ${t.from}->${t.to}`)).toEqual([`${B} connected->suspended`]);
    const third = applyAccountEvent(second.board, W(11, 'waba:account:active', T0 + 2 * MIN));
    expect(Object.keys(third.board.accounts)).toEqual([B]);
    expect(third.board.accounts[B]!.state).toBe('connected');
  });
});

describe('the fixture payloads, normalized by the TimelinesAI provider', () => {
  const fixtures = Object.fromEntries(fixturePayloads().map((f) => [f.name, JSON.parse(f.body) as Record<string, unknown>]));
  const stored = (name: string, id: number, receivedAt: number): AccountEventInput => ({
    id,
    receivedAt,
    ...normalizeTimelinesV2(fixtures[name]!),
  });

  it('disconnected at disconnected_on, then connected at connected_on: down 1 h 7 min', () => {
    const receivedLater = Date.UTC(2025, 2, 2, 16, 0, 0);
    // The reconnect arrives first; the disconnection is redelivered late.
    const { board, transitions } = applyAll([
      stored('tl_account_connected.json', 2, receivedLater),
      stored('tl_account_disconnected.json', 1, receivedLater + 1),
    ]);
    expect(board.accounts['+15555550100']).toMatchObject({
      state: 'connected',
      since: Date.UTC(2025, 2, 2, 15, 10, 4),
      name: 'Acme Support',
      accountId: '15555550100@s.whatsapp.net',
    });
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['unknown->connected']);
    const inOrder = applyAll([
      stored('tl_account_disconnected.json', 1, receivedLater + 1),
      stored('tl_account_connected.json', 2, receivedLater),
    ]);
    const recovery = inOrder.transitions.at(-1)!;
    expect(recovery.at - recovery.downSince!).toBe(Date.UTC(2025, 2, 2, 15, 10, 4) - Date.UTC(2025, 2, 2, 14, 2, 51));
  });

  it('suspended and resumed are placed when received (their payloads carry no time of their own)', () => {
    const t = Date.UTC(2025, 2, 3, 9, 0, 0);
    const board = accountStatusFromEvents([stored('tl_account_suspended.json', 3, t), stored('tl_account_resumed.json', 4, t + 5 * MIN)]);
    expect(board.accounts['+15555550100']).toMatchObject({ state: 'connected', since: t + 5 * MIN });
  });
});

describe('GET /whatsapp_accounts catch-up', () => {
  const NOW = T0 + 3 * 60 * MIN;
  const row = (status: string, o: Record<string, unknown> = {}) => ({
    id: '15555550100@s.whatsapp.net',
    phone: A,
    connected_on: '2025-03-02 11:00:00 +0000',
    status,
    owner_name: 'Dana Owner',
    owner_email: 'dana.owner@example.com',
    account_name: 'Acme Support',
    ...o,
  });
  const known = (state: 'connected' | 'disconnected' | 'suspended') =>
    accountStatusFromEvents([
      ev(1, 'whatsapp:account:connected', T0),
      ...(state === 'disconnected' ? [ev(2, 'whatsapp:account:disconnected', T0 + 30 * MIN)] : []),
      ...(state === 'suspended' ? [ev(2, 'whatsapp:account:suspended', T0 + 30 * MIN, { occurredAt: null })] : []),
    ]);

  interface Case {
    name: string;
    board: AccountBoard;
    rows: unknown[];
    state: AccountState;
    since: number | null;
    transition: string | null;
    ignored?: RegExp;
  }
  const cases: Case[] = [
    {
      name: 'new account, active: connected since connected_on',
      board: emptyAccountBoard(),
      rows: [row('active')],
      state: 'connected',
      since: Date.UTC(2025, 2, 2, 11),
      transition: 'unknown->connected',
    },
    {
      name: 'new account, disconnected: since now',
      board: emptyAccountBoard(),
      rows: [row('disconnected')],
      state: 'disconnected',
      since: NOW,
      transition: 'unknown->disconnected',
    },
    {
      name: 'connected + "active": nothing changes',
      board: known('connected'),
      rows: [row('active')],
      state: 'connected',
      since: T0,
      transition: null,
    },
    {
      name: 'connected + "DISCONNECTED" (any case): an outage we missed',
      board: known('connected'),
      rows: [row('DISCONNECTED')],
      state: 'disconnected',
      since: NOW,
      transition: 'connected->disconnected',
    },
    {
      name: 'suspended + "disconnected": stays suspended (the API cannot tell them apart)',
      board: known('suspended'),
      rows: [row('disconnected')],
      state: 'suspended',
      since: T0 + 30 * MIN,
      transition: null,
    },
    {
      name: 'disconnected + "disconnected": nothing changes',
      board: known('disconnected'),
      rows: [row('disconnected')],
      state: 'disconnected',
      since: T0 + 30 * MIN,
      transition: null,
    },
    {
      name: 'disconnected + "Active" with connected_on after our last event: recovered at connected_on',
      board: known('disconnected'),
      rows: [row('Active', { connected_on: '2025-03-02 13:15:00 +0000' })],
      state: 'connected',
      since: Date.UTC(2025, 2, 2, 13, 15),
      transition: 'disconnected->connected',
    },
    {
      name: 'suspended + "active" with the old connected_on (a resume keeps it): recovered now',
      board: known('suspended'),
      rows: [row('active')],
      state: 'connected',
      since: NOW,
      transition: 'suspended->connected',
    },
    {
      name: 'an unexpected status is reported and changes nothing',
      board: known('connected'),
      rows: [row('banned')],
      state: 'connected',
      since: T0,
      transition: null,
      ignored: /status "banned", expected active or disconnected/,
    },
    {
      name: 'rows that are not accounts are reported',
      board: known('connected'),
      rows: ['nonsense', { status: 'active' }],
      state: 'connected',
      since: T0,
      transition: null,
      ignored: /\[0\] is not an object[\s\S]*\[1\] has neither a phone nor an id/,
    },
  ];
  it.each(cases)('$name', (c) => {
    const u = mergeApiSnapshot(c.board, c.rows, NOW);
    expect(u.board.accounts[A]).toMatchObject({ state: c.state, since: c.since });
    expect(u.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(c.transition ? [c.transition] : []);
    if (c.transition) expect(u.transitions[0]).toMatchObject({ source: 'api', eventId: null });
    if (c.ignored) expect(u.ignored.join('\n')).toMatch(c.ignored);
    else expect(u.ignored).toEqual([]);
  });

  it('a recovery found by the API says how long the account was down', () => {
    const u = mergeApiSnapshot(known('disconnected'), [row('active')], NOW);
    expect(u.transitions[0]).toMatchObject({ from: 'disconnected', to: 'connected', at: NOW, downSince: T0 + 30 * MIN });
  });

  it('an older event arriving after the API check does not undo it', () => {
    const afterApi = mergeApiSnapshot(known('connected'), [row('disconnected')], NOW).board;
    const late = applyAccountEvent(afterApi, ev(5, 'whatsapp:account:connected', NOW - 10 * MIN));
    expect(late.board.accounts[A]).toMatchObject({ state: 'disconnected', since: NOW, source: 'api' });
    expect(late.transitions).toEqual([]);
    expect(late.board.accounts[A]!.lastEvent?.id).toBe(5);
  });

  it('accounts missing from the list are left alone, and a snapshot in agreement changes nothing to persist', () => {
    const board = accountStatusFromEvents([
      ev(1, 'whatsapp:account:disconnected', T0),
      ev(2, 'waba:account:active', T0, { phone: B, accountId: 'waba:1' }),
    ]);
    const u = mergeApiSnapshot(board, [row('disconnected')], NOW);
    expect(u.board.accounts[B]).toEqual(board.accounts[B]);
    expect(u.changed).toEqual([]);
    expect(u.board.accounts[A]).toEqual(board.accounts[A]);
  });
});

describe('listing', () => {
  it('down accounts come first', () => {
    const board = accountStatusFromEvents([
      ev(1, 'whatsapp:account:connected', T0, { phone: '+15550000001', name: 'Alpha' }),
      ev(2, 'whatsapp:account:suspended', T0, { phone: '+15550000002', name: 'Beta' }),
      ev(3, 'whatsapp:account:disconnected', T0, { phone: '+15550000003', name: 'Gamma' }),
    ]);
    expect(listAccounts(board).map((a) => `${a.name}:${a.state}`)).toEqual(['Gamma:disconnected', 'Beta:suspended', 'Alpha:connected']);
  });
});

describe('many accounts: the linear merge gives what one account at a time gives (table)', () => {
  const NOW = T0 + 5 * 60 * MIN;
  type Kind = 'new' | 'connected' | 'disconnected' | 'suspended' | 'waba-twin' | 'id-only';
  const KINDS: Kind[] = ['new', 'connected', 'disconnected', 'suspended', 'waba-twin', 'id-only'];
  const STATUSES = ['active', 'Active', 'disconnected', 'DISCONNECTED', 'banned'];

  /** One account's events and API rows; accounts never share a phone or an id, so each can be checked alone. */
  function group(n: number, random: () => number) {
    const phone = `+1555${String(1_000_000 + n).padStart(7, '0')}`;
    const jid = `${phone.slice(1)}@s.whatsapp.net`;
    const kind = KINDS[n % KINDS.length]!;
    const id0 = n * 10;
    const events: AccountEventInput[] = [];
    const at = T0 + Math.floor(random() * 60) * MIN;
    if (kind === 'connected' || kind === 'disconnected' || kind === 'suspended') {
      events.push(ev(id0 + 1, 'whatsapp:account:connected', at, { phone, accountId: jid, name: `Account ${n}` }));
      if (kind !== 'connected') events.push(ev(id0 + 2, `whatsapp:account:${kind}`, at + 30 * MIN, { phone, accountId: jid, name: null }));
    }
    if (kind === 'waba-twin')
      events.push(ev(id0 + 1, 'waba:account:disabled', at, { phone: null, accountId: `waba:${n}`, name: `WABA ${n}` }));
    if (kind === 'id-only') events.push(ev(id0 + 1, 'waba:account:active', at, { phone: null, accountId: `waba:${n}`, name: null }));
    const rows: unknown[] = [];
    const status = STATUSES[Math.floor(random() * STATUSES.length)]!;
    if (kind === 'waba-twin')
      rows.push({ id: `waba:${n}`, phone, status, connected_on: '2025-03-02 13:00:00 +0000', account_name: `WABA ${n}` });
    else if (kind === 'id-only') rows.push({ id: `waba:${n}`, status, account_name: '' });
    else
      rows.push({ id: jid, phone, status, connected_on: '2025-03-02 11:00:00 +0000', account_name: random() < 0.5 ? `Renamed ${n}` : '' });
    // Some accounts appear twice in one listing; one in fifty rows is not an account at all.
    if (random() < 0.1) rows.push({ ...(rows[0] as object), status: STATUSES[Math.floor(random() * STATUSES.length)] });
    if (n % 50 === 0) rows.push('nonsense');
    return { events, rows };
  }

  /** Records are replaced, never edited: freezing them proves it (a write would throw). */
  const freezeRecords = (board: AccountBoard) => {
    for (const a of Object.values(board.accounts)) {
      for (const o of a.history) Object.freeze(o);
      Object.freeze(a.history);
      Object.freeze(a);
    }
    return board;
  };
  const noIndex = (lines: string[]) => lines.map((l) => l.replace(/whatsapp_accounts\[\d+\]/, 'whatsapp_accounts[i]')).sort();

  it.each([
    { accounts: 12, seed: 1 },
    { accounts: 600, seed: 2 },
    { accounts: 6_000, seed: 3 },
  ])('$accounts accounts (seed $seed): board, transitions, changes and reports match the per-account result', ({ accounts, seed }) => {
    const random = mulberry32(seed);
    const groups = Array.from({ length: accounts }, (_, n) => group(n, random));
    const board = freezeRecords(accountStatusFromEvents(groups.flatMap((g) => g.events)));
    const whole = mergeApiSnapshot(
      board,
      groups.flatMap((g) => g.rows),
      NOW,
    );

    const expectedAccounts: Record<string, unknown> = {};
    const expectedIgnored: string[] = [];
    const expectedRemoved: string[] = [];
    const expectedChanged = new Map<string, unknown>();
    const expectedTransitions = new Map<string, AccountTransition[]>();
    for (const g of groups) {
      const alone = mergeApiSnapshot(accountStatusFromEvents(g.events), g.rows, NOW);
      Object.assign(expectedAccounts, alone.board.accounts);
      expectedIgnored.push(...alone.ignored);
      expectedRemoved.push(...alone.removedKeys);
      for (const c of alone.changed) expectedChanged.set(c.key, c);
      for (const t of alone.transitions) expectedTransitions.set(t.key, [...(expectedTransitions.get(t.key) ?? []), t]);
    }
    const transitionsByKey = new Map<string, AccountTransition[]>();
    for (const t of whole.transitions) transitionsByKey.set(t.key, [...(transitionsByKey.get(t.key) ?? []), t]);
    expect(transitionsByKey).toEqual(expectedTransitions);
    expect(new Map(whole.changed.map((c) => [c.key, c]))).toEqual(expectedChanged);
    expect(whole.board.accounts).toEqual(expectedAccounts);
    expect(Object.keys(whole.board.accounts)).toHaveLength(Object.keys(expectedAccounts).length);
    expect(noIndex(whole.ignored)).toEqual(noIndex(expectedIgnored));
    expect([...whole.removedKeys].sort()).toEqual(expectedRemoved.sort());
    expect(new Set(whole.changed.map((c) => c.key)).size).toBe(whole.changed.length);
  });

  it('a listing merged in chunks (as the poller does) gives the same board, transitions and reports as in one go', () => {
    const random = mulberry32(7);
    const groups = Array.from({ length: 3_000 }, (_, n) => group(n, random));
    const rows = groups.flatMap((g) => g.rows);
    const once = mergeApiSnapshot(accountStatusFromEvents(groups.flatMap((g) => g.events)), rows, NOW);
    let b = accountStatusFromEvents(groups.flatMap((g) => g.events));
    const transitions: AccountTransition[] = [];
    const ignored: string[] = [];
    for (let i = 0; i < rows.length; i += 250) {
      const u = mergeApiSnapshot(b, rows.slice(i, i + 250), NOW, i);
      b = u.board;
      transitions.push(...u.transitions);
      ignored.push(...u.ignored);
    }
    expect(b.accounts).toEqual(once.board.accounts);
    expect(transitions).toEqual(once.transitions);
    expect(ignored).toEqual(once.ignored);
  });

  it('applying many events at once gives what applying them one by one gives, and undo puts the board back', () => {
    const random = mulberry32(11);
    const groups = Array.from({ length: 2_000 }, (_, n) => group(n, random));
    const first = groups.slice(0, 1_000).flatMap((g) => g.events);
    // The second half re-keys id-only accounts under a phone, redelivers events, and adds noise.
    const later: AccountEventInput[] = [
      ...groups.slice(1_000).flatMap((g) => g.events),
      ...first.filter((_, i) => i % 7 === 0),
      ...Array.from({ length: 200 }, (_, i) =>
        ev(900_000 + i, 'whatsapp:account:disconnected', T0 + 3 * 60 * MIN, {
          phone: `+1555${String(1_000_000 + i * 6 + 5).padStart(7, '0')}`,
          accountId: `waba:${i * 6 + 5}`,
        }),
      ),
      ev(999_999, 'message:new', T0),
      ev(999_998, 'whatsapp:account:connected', T0, { phone: null, accountId: null }),
    ];
    // The reference: one event at a time, as the service applied them before.
    const oneByOne = {
      board: freezeRecords(accountStatusFromEvents(first)),
      transitions: [] as AccountTransition[],
      ignored: [] as string[],
    };
    const changed = new Map<string, unknown>();
    const removed = new Set<string>();
    for (const e of later) {
      const u = applyAccountEvent(oneByOne.board, e);
      oneByOne.board = u.board;
      oneByOne.transitions.push(...u.transitions);
      oneByOne.ignored.push(...u.ignored);
      for (const k of u.removedKeys) {
        changed.delete(k);
        removed.add(k);
      }
      for (const c of u.changed) {
        changed.set(c.key, c);
        removed.delete(c.key);
      }
    }
    const board = freezeRecords(accountStatusFromEvents(first));
    const untouched = structuredClone(board.accounts);
    const batch = applyAccountEvents(board, later);
    expect(batch.board.accounts).toEqual(oneByOne.board.accounts);
    expect(batch.transitions).toEqual(oneByOne.transitions);
    expect(batch.transitionsByEvent.flat()).toEqual(oneByOne.transitions);
    expect(batch.transitionsByEvent).toHaveLength(later.length);
    expect(batch.ignored).toEqual(oneByOne.ignored);
    expect(new Map(batch.changed.map((c) => [c.key, c]))).toEqual(changed);
    expect(new Set(batch.removedKeys)).toEqual(removed);
    expect(removed.size).toBeGreaterThan(0);
    expect(accountStatusFromEvents([...first, ...later]).accounts).toEqual(oneByOne.board.accounts);
    // Saving failed: the service undoes the update, and the board is as it was (lookups by id too).
    batch.undo();
    expect(board.accounts).toEqual(untouched);
    expect(applyAccountEvents(board, later).board.accounts).toEqual(oneByOne.board.accounts);
  });

  it('undo of an API merge restores re-keyed and new accounts', () => {
    const board = accountStatusFromEvents([
      ev(1, 'waba:account:active', T0, { phone: null, accountId: 'waba:7', name: 'W' }),
      ev(2, 'whatsapp:account:connected', T0),
    ]);
    const before = structuredClone(board.accounts);
    const u = mergeApiSnapshot(
      board,
      [
        { id: 'waba:7', phone: B, status: 'disconnected' },
        { id: 'x@s.whatsapp.net', phone: '+15550009999', status: 'active' },
        { id: '15555550100@s.whatsapp.net', phone: A, status: 'disconnected' },
      ],
      NOW,
    );
    expect(Object.keys(board.accounts).sort()).toEqual([A, B, '+15550009999'].sort());
    expect(u.removedKeys).toEqual(['waba:7']);
    u.undo();
    expect(board.accounts).toEqual(before);
    // The id index follows the undo: the WABA account is found by its id again.
    expect(
      applyAccountEvent(board, ev(3, 'waba:account:disabled', T0 + MIN, { phone: null, accountId: 'waba:7' })).board.accounts['waba:7']!
        .state,
    ).toBe('suspended');
  });
});
