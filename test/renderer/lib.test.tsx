// @vitest-environment jsdom
import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { EventDetailView, EventSummary } from '../../main/contract/api.js';
import { eventNote, outagesFromHistory } from '../../main/core/api/views.js';
import { csvField as csvCell } from '../../main/core/api/export.js';
import { uptimeShare } from '../../main/core/api/sources.js';
import { replayCurl, shellQuote } from '../../renderer/src/lib/curl.js';
import { describeFilter, matchesFilter, searchTerms } from '../../renderer/src/lib/filter.js';
import { findAggregationHtml, percent, prettyBody } from '../../renderer/src/lib/format.js';
import { duration, relativeTime, TIME } from '../../renderer/src/lib/time.js';
import { parseEventBlock } from '../../renderer/src/transport/http.js';
import { apiProxy } from '../../renderer/src/transport/proxy.js';

const base: EventSummary = {
  id: 1,
  receivedAt: 0,
  occurredAt: null,
  provider: 'timelines',
  type: 'message:new',
  group: 'message',
  accountPhone: '+15555550100',
  accountId: '15555550100@s.whatsapp.net',
  accountName: 'Acme Support',
  chatId: '4811201',
  chatName: 'Zoë Müller',
  chatPhone: '+15555550123',
  direction: 'received',
  text: 'Is my order shipped? Café au lait',
  note: null,
  deliveryCount: 1,
  recovered: false,
};

describe('which live events a filter lets through (the store’s rules, in the page)', () => {
  test.each([
    [{}, true],
    [{ provider: 'timelines' as const }, true],
    [{ provider: 'whatsable' as const }, false],
    [{ group: 'message' as const }, true],
    [{ group: 'account' as const }, false],
    [{ type: 'message:new' }, true],
    [{ type: 'message:received:new' }, false],
    [{ type: 'message:new', group: 'account' as const }, true],
    [{ account: '+15555550100' }, true],
    [{ account: '15555550100@s.whatsapp.net' }, true],
    [{ account: '+15555550999' }, false],
    [{ chat: '4811201' }, true],
    [{ chat: '4811202' }, false],
    [{ search: 'ship' }, true],
    [{ search: 'SHIPPED order' }, true],
    [{ search: 'cafe' }, true],
    [{ search: 'zoe mull' }, true],
    [{ search: 'hipped' }, false],
    [{ search: 'shipped tea' }, false],
    [{ search: '15555550123' }, true],
    [{ search: 'acme' }, true],
  ])('%j → %s', (filter, expected) => {
    expect(matchesFilter(base, filter)).toBe(expected);
  });

  test('search words are folded like the FTS tokenizer: case, accents, punctuation', () => {
    expect(searchTerms('  Zoë, "MÜLLER"!  ')).toEqual(['zoe', 'muller']);
    expect(searchTerms('***')).toEqual([]);
  });

  test('the filter reads as words', () => {
    expect(describeFilter({})).toBe('all events');
    expect(describeFilter({ provider: 'whatsable', group: 'message', search: ' order ' })).toBe(
      'provider whatsable, message events, matching “order”',
    );
  });
});

describe('relative times', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0, 0);
  test.each([
    [now, 'just now'],
    [now - 4_000, 'just now'],
    [now - 42_000, '42 s ago'],
    [now - 5 * TIME.MINUTE, '5 min ago'],
    [now - 3 * TIME.HOUR - 10, '3 h ago'],
    [now - 2 * TIME.DAY, '2 d ago'],
    [now + 12_000, 'just now'],
    [now + 2 * TIME.HOUR, 'in 2 h'],
  ])('%d', (at, text) => {
    expect(relativeTime(at, now)).toBe(text);
  });

  test('older than a week shows the date', () => {
    expect(relativeTime(now - 30 * TIME.DAY, now)).toMatch(/2025/);
  });

  test('durations', () => {
    expect(duration(45_000)).toBe('45 s');
    expect(duration(3 * TIME.HOUR + 5 * TIME.MINUTE)).toBe('3 h 5 min');
    expect(duration(2 * TIME.DAY + 4 * TIME.HOUR)).toBe('2 d 4 h');
  });
});

describe('copy as curl', () => {
  const request: EventDetailView['request'] = {
    method: 'POST',
    path: '/hooks/{secret}/timelines',
    forcedProvider: 'timelines',
    contentType: 'application/json',
    headers: {},
    bodyText: `{"text":"it's done; $(rm -rf ~) \`x\` \\"q\\""}`,
    bodyTruncated: false,
  };

  test('the body survives the shell exactly, whatever quotes and $() it holds', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `printf %s ${shellQuote(request.bodyText!)}`], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(out).toBe(request.bodyText);
  });

  test('it targets the same provider path of the user’s own URL', () => {
    const curl = replayCurl('http://127.0.0.1:8789/hooks/SECRET', request)!;
    expect(
      curl.startsWith(
        "curl -sS -X POST 'http://127.0.0.1:8789/hooks/SECRET/timelines' -H 'Content-Type: application/json' --data-binary '",
      ),
    ).toBe(true);
    expect(replayCurl('http://127.0.0.1:8789/hooks/SECRET', { ...request, forcedProvider: null })).toContain(
      "'http://127.0.0.1:8789/hooks/SECRET'",
    );
  });

  test('an incomplete body is not offered for replay', () => {
    expect(replayCurl('http://x/hooks/s', { ...request, bodyTruncated: true })).toBeNull();
    expect(replayCurl('http://x/hooks/s', { ...request, bodyText: null })).toBeNull();
  });
});

describe('formatting', () => {
  test('bodies are indented when they are JSON and kept as they came when not', () => {
    expect(prettyBody('{"a":[1]}').text).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyBody('not json').text).toBe('not json');
  });

  test('the v1 aggregation HTML is found wherever it sits, as a string', () => {
    expect(findAggregationHtml({ chat: {}, aggregation: '<p>x</p>', messages: [{ aggregation: '<b>y</b>' }] })).toEqual([
      '<p>x</p>',
      '<b>y</b>',
    ]);
  });

  test('shares', () => {
    expect(percent(null)).toBe('–');
    expect(percent(0)).toBe('0 %');
    expect(percent(1)).toBe('100 %');
    expect(percent(0.017)).toBe('1.7 %');
    expect(percent(0.0004)).toBe('< 0.1 %');
  });

  test('CSV cells: quotes doubled, formulas defused', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    // One export for CLI and dashboard: phone numbers are not formulas and stay as they are.
    expect(csvCell('+15555550123')).toBe('+15555550123');
    expect(csvCell('+cmd|calc')).toBe("'+cmd|calc");
    // Terminal escapes from a message body never reach whoever looks at the file in a terminal.
    expect(csvCell('hi \u001b[31mred\u009b')).toBe('hi \uFFFD[31mred\uFFFD');
  });

  test('a line for events without text, from their details', () => {
    expect(eventNote({ responsible: { name: 'Alex Agent', email: 'a@x' }, labels: ['sales'] })).toBe(
      'assigned to Alex Agent · labels: sales',
    );
    expect(eventNote({ status: 'disconnected' })).toBe('status: disconnected');
    expect(eventNote({ call: { status: 'missed', isVideo: true, durationSeconds: null } })).toBe('video call missed');
    expect(eventNote({})).toBeNull();
  });
});

describe('the transport pieces', () => {
  test('the typed proxy forwards any method by name with its arguments', async () => {
    const calls: unknown[] = [];
    const api = apiProxy(async (method, args) => {
      calls.push([method, args]);
      return { method };
    });
    await expect(api.listEvents({ limit: 3 })).resolves.toEqual({ method: 'listEvents' });
    await api.snoozeAlerts(null);
    expect(calls).toEqual([
      ['listEvents', [{ limit: 3 }]],
      ['snoozeAlerts', [null]],
    ]);
    // Awaiting the proxy itself must not treat it as a promise.
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
  });

  test('server-sent event blocks become notifications; comments and unknown kinds do not', () => {
    expect(parseEventBlock('event: alert\ndata: {"id":1}')).toEqual({ kind: 'alert', data: { id: 1 } });
    expect(parseEventBlock(': keep-alive')).toBeNull();
    expect(parseEventBlock('event: nonsense\ndata: {}')).toBeNull();
    expect(parseEventBlock('event: alert\ndata: {broken')).toBeNull();
  });
});

describe('account outages for the 7-day strip (from the account tracker’s observations)', () => {
  const H = TIME.HOUR;
  const now = 100 * TIME.DAY;
  const obs = (at: number, state: 'connected' | 'disconnected' | 'suspended' | 'unknown') => ({ at, state });
  test.each([
    ['never down', [obs(now - 50 * H, 'connected')], []],
    [
      'down, then back',
      [obs(now - 50 * H, 'disconnected'), obs(now - 48 * H, 'connected')],
      [{ from: now - 50 * H, to: now - 48 * H, state: 'disconnected' }],
    ],
    ['still down', [obs(now - 5 * H, 'connected'), obs(now - 2 * H, 'suspended')], [{ from: now - 2 * H, to: null, state: 'suspended' }]],
    [
      'a disconnection that becomes a suspension: two spans, one after the other',
      [obs(now - 10 * H, 'disconnected'), obs(now - 8 * H, 'suspended'), obs(now - 6 * H, 'connected')],
      [
        { from: now - 10 * H, to: now - 8 * H, state: 'disconnected' },
        { from: now - 8 * H, to: now - 6 * H, state: 'suspended' },
      ],
    ],
    [
      'repeated down reports are one outage',
      [obs(now - 10 * H, 'disconnected'), obs(now - 9 * H, 'disconnected'), obs(now - 1 * H, 'connected')],
      [{ from: now - 10 * H, to: now - H, state: 'disconnected' }],
    ],
    ['older than 7 days: left out', [obs(now - 9 * TIME.DAY, 'disconnected'), obs(now - 8 * TIME.DAY, 'connected')], []],
    [
      'began before the window, ended inside: kept',
      [obs(now - 8 * TIME.DAY, 'disconnected'), obs(now - 6 * TIME.DAY, 'connected')],
      [{ from: now - 8 * TIME.DAY, to: now - 6 * TIME.DAY, state: 'disconnected' }],
    ],
    [
      'unknown says nothing',
      [obs(now - 3 * H, 'disconnected'), obs(now - 2 * H, 'unknown')],
      [{ from: now - 3 * H, to: null, state: 'disconnected' }],
    ],
  ])('%s', (_name, history, expected) => {
    expect(outagesFromHistory(history, now)).toEqual(expected);
  });
});

describe('tunnel uptime over 24 hours (from the tunnel state log)', () => {
  const now = 10 * TIME.DAY;
  test.each([
    ['no log', [], null],
    ['up all day (since before the window)', [{ at: now - 2 * TIME.DAY, state: 'up' }], 1],
    [
      'down for the last 6 hours',
      [
        { at: now - 2 * TIME.DAY, state: 'up' },
        { at: now - 6 * TIME.HOUR, state: 'down' },
      ],
      0.75,
    ],
    ['degraded still delivers', [{ at: now - 2 * TIME.DAY, state: 'degraded' }], 1],
    [
      'only known for the last 12 hours, half of it up',
      [
        { at: now - 12 * TIME.HOUR, state: 'reconnecting' },
        { at: now - 6 * TIME.HOUR, state: 'up' },
      ],
      0.5,
    ],
  ])('%s', (_name, log, expected) => {
    expect(uptimeShare(log, now)).toBe(expected);
  });
});
