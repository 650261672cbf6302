import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_EVENT_TYPES, parseEventTypeList } from '../../main/core/providers/timelines/event-types.js';
import { planTimelinesSync, type TimelinesSyncInput, type TimelinesSyncPlan } from '../../main/core/providers/timelines/sync.js';
import type { TimelinesWebhook } from '../../main/core/providers/timelines/api.js';
import { RegistrationInputError, urlCarriesSecret } from '../../main/core/providers/webhook-url.js';
import { whatsableSetupInstructions, whatsableWebhookUrl } from '../../main/core/providers/whatsable/setup.js';

const SECRET = 'Qm9vbXNlY3JldC1ob29rd2F0Y2gtMDAwMDAwMDAwMA';
const OLD_SECRET = 'T2xkU2VjcmV0LWhvb2t3YXRjaC0xMTExMTExMTExMQ';
const PUBLIC = 'https://quiet-fox-12.loca.lt';
const TARGET = `${PUBLIC}/hooks/${SECRET}`;
const OLD = `https://sleepy-owl-99.loca.lt/hooks/${SECRET}`;

let nextId = 100;
function hook(eventType: string, url: string, extra: Partial<TimelinesWebhook> = {}): TimelinesWebhook {
  return { id: nextId++, eventType, url, enabled: true, errorsCounter: 0, ...extra };
}

/** A compact view of a plan's steps: `op eventType #id {changes}` in order. */
function steps(plan: TimelinesSyncPlan): string[] {
  return plan.steps.map((s) => {
    switch (s.op) {
      case 'create':
        return `create ${s.eventType}`;
      case 'keep':
        return `keep ${s.eventType} #${s.webhookId}`;
      case 'delete':
        return `delete ${s.eventType} #${s.webhookId} ${s.reason}`;
      case 'update':
        return `update ${s.eventType} #${s.webhookId} ${Object.keys(s.changes).sort().join('+')}`;
    }
  });
}

const D = DEFAULT_SYNC_EVENT_TYPES;

interface Case {
  name: string;
  existing: () => TimelinesWebhook[];
  input?: Partial<TimelinesSyncInput>;
  /** Expected steps; `#n` stands for the id of existing[n]. */
  expect: string[];
  othersCount?: number;
  unchosen?: number[];
  overLimitBy?: number;
}

const cases: Case[] = [
  {
    name: 'empty workspace: one create per default type, account outages first',
    existing: () => [],
    expect: D.map((t) => `create ${t}`),
    othersCount: 0,
  },
  {
    name: 'everything already current: keep all, change nothing',
    existing: () => D.map((t) => hook(t, TARGET)),
    expect: D.map((t, i) => `keep ${t} #${i}`),
  },
  {
    name: 'tunnel URL changed: update the URL only',
    existing: () => [hook('whatsapp:account:disconnected', OLD)],
    input: { eventTypes: ['whatsapp:account:disconnected'] },
    expect: ['update whatsapp:account:disconnected #0 url'],
  },
  {
    name: 'disabled at the current URL: re-enable only',
    existing: () => [hook('chat:responsible:assigned', TARGET, { enabled: false })],
    input: { eventTypes: ['chat:responsible:assigned'] },
    expect: ['update chat:responsible:assigned #0 enabled'],
  },
  {
    name: 'old URL and disabled: one update with both fields',
    existing: () => [hook('chat:responsible:assigned', OLD, { enabled: false })],
    input: { eventTypes: ['chat:responsible:assigned'] },
    expect: ['update chat:responsible:assigned #0 enabled+url'],
  },
  {
    name: 'our duplicates: keep the current one, delete the stale one first',
    existing: () => [hook('whatsapp:account:suspended', OLD), hook('whatsapp:account:suspended', TARGET)],
    input: { eventTypes: ['whatsapp:account:suspended'] },
    expect: ['delete whatsapp:account:suspended #0 duplicate', 'keep whatsapp:account:suspended #1'],
  },
  {
    name: 'our duplicates, both stale: keep the enabled one, then the oldest',
    existing: () => [
      hook('whatsapp:account:resumed', OLD, { enabled: false }),
      hook('whatsapp:account:resumed', OLD),
      hook('whatsapp:account:resumed', OLD),
    ],
    input: { eventTypes: ['whatsapp:account:resumed'] },
    expect: [
      'delete whatsapp:account:resumed #0 duplicate',
      'delete whatsapp:account:resumed #2 duplicate',
      'update whatsapp:account:resumed #1 url',
    ],
  },
  {
    name: 'exact URL but disabled beats enabled at a stale URL',
    existing: () => [hook('chat:responsible:unassigned', OLD), hook('chat:responsible:unassigned', TARGET, { enabled: false })],
    input: { eventTypes: ['chat:responsible:unassigned'] },
    expect: ['delete chat:responsible:unassigned #0 duplicate', 'update chat:responsible:unassigned #1 enabled'],
  },
  {
    name: "someone else's webhook of the same type is left alone; ours is created beside it",
    existing: () => [
      hook('whatsapp:account:disconnected', 'https://hooks.zapier.com/hooks/catch/123/abc/'),
      hook('whatsapp:account:disconnected', 'https://crm.example.com/tl', { enabled: false }),
    ],
    input: { eventTypes: ['whatsapp:account:disconnected'] },
    expect: ['create whatsapp:account:disconnected'],
    othersCount: 2,
  },
  {
    name: 'the secret only as a prefix, in the query, or after another segment is not ours',
    existing: () => [
      hook('chat:responsible:assigned', `https://x.example.com/hooks/${SECRET}x`),
      hook('chat:responsible:assigned', `https://x.example.com/cb?s=${SECRET}`),
      hook('chat:responsible:assigned', `https://x.example.com/${SECRET}`),
      hook('chat:responsible:assigned', `https://x.example.com/hooks/${SECRET.slice(0, -1)}`),
    ],
    input: { eventTypes: ['chat:responsible:assigned'] },
    expect: ['create chat:responsible:assigned'],
    othersCount: 4,
  },
  {
    name: 'our webhook with the provider suffix is ours and gets the plain URL',
    existing: () => [hook('whatsapp:account:connected', `${OLD}/timelines`)],
    input: { eventTypes: ['whatsapp:account:connected'] },
    expect: ['update whatsapp:account:connected #0 url'],
  },
  {
    name: 'a webhook with a former secret is ours: its URL is updated to the new secret',
    existing: () => [hook('whatsapp:account:connected', `${PUBLIC}/hooks/${OLD_SECRET}`)],
    input: { eventTypes: ['whatsapp:account:connected'], formerSecrets: [OLD_SECRET] },
    expect: ['update whatsapp:account:connected #0 url'],
  },
  {
    name: 'without formerSecrets, a webhook with an old secret is treated as foreign',
    existing: () => [hook('whatsapp:account:connected', `${PUBLIC}/hooks/${OLD_SECRET}`)],
    input: { eventTypes: ['whatsapp:account:connected'] },
    expect: ['create whatsapp:account:connected'],
    othersCount: 1,
  },
  {
    name: 'ours for a type not chosen is left alone by default',
    existing: () => [hook('message:new', OLD), hook('whatsapp:account:disconnected', TARGET)],
    input: { eventTypes: ['whatsapp:account:disconnected'] },
    expect: ['keep whatsapp:account:disconnected #1'],
    unchosen: [0],
  },
  {
    name: 'ours for a type not chosen is deleted with removeUnchosen',
    existing: () => [hook('message:new', OLD), hook('whatsapp:account:disconnected', TARGET)],
    input: { eventTypes: ['whatsapp:account:disconnected'], removeUnchosen: true },
    expect: ['delete message:new #0 not-chosen', 'keep whatsapp:account:disconnected #1'],
    unchosen: [],
  },
  {
    name: 'order of application: deletes, then updates and keeps, then creates',
    existing: () => [
      hook('chat:responsible:assigned', OLD),
      hook('whatsapp:account:suspended', TARGET),
      hook('chat:responsible:assigned', TARGET),
    ],
    input: { eventTypes: ['whatsapp:account:disconnected', 'whatsapp:account:suspended', 'chat:responsible:assigned'] },
    expect: [
      'delete chat:responsible:assigned #0 duplicate',
      'keep whatsapp:account:suspended #1',
      'keep chat:responsible:assigned #2',
      'create whatsapp:account:disconnected',
    ],
  },
  {
    name: 'seven foreign webhooks: the default six would need 13, three over the default limit',
    existing: () => Array.from({ length: 7 }, (_, i) => hook('message:new', `https://other.example.com/${i}`)),
    expect: D.map((t) => `create ${t}`),
    othersCount: 7,
    overLimitBy: 3,
  },
  {
    name: 'ten webhooks, six of them ours at a stale URL: updating in place needs no new slot',
    existing: () => [
      ...Array.from({ length: 4 }, (_, i) => hook('message:new', `https://other.example.com/${i}`)),
      ...D.map((t) => hook(t, OLD)),
    ],
    input: { eventTypes: D },
    expect: D.map((t, i) => `update ${t} #${i + 4} url`),
    othersCount: 4,
    overLimitBy: 0,
  },
  {
    name: 'a trailing slash and a path prefix on the public URL are handled',
    existing: () => [hook('whatsapp:account:disconnected', `https://proxy.example.com/hw/hooks/${SECRET}`)],
    input: { publicUrl: 'https://proxy.example.com/hw/', eventTypes: ['whatsapp:account:disconnected'] },
    expect: ['keep whatsapp:account:disconnected #0'],
  },
  {
    name: 'repeated event types in the input are planned once',
    existing: () => [],
    input: { eventTypes: ['message:new', 'message:new'] },
    expect: ['create message:new'],
  },
];

describe('planTimelinesSync', () => {
  it.each(cases)('$name', (c) => {
    const existing = c.existing();
    const plan = planTimelinesSync({ existing, publicUrl: PUBLIC, secret: SECRET, ...c.input });
    const expected = c.expect.map((line) => line.replace(/#(\d+)/, (_, n) => `#${existing[Number(n)]!.id}`));
    expect(steps(plan)).toEqual(expected);
    if (c.othersCount !== undefined) expect(plan.othersCount).toBe(c.othersCount);
    if (c.unchosen !== undefined) expect(plan.unchosen.map((w) => w.id)).toEqual(c.unchosen.map((n) => existing[n]!.id));
    if (c.overLimitBy !== undefined) expect(plan.overLimitBy).toBe(c.overLimitBy);
    // Every create and URL update points at exactly <public>/hooks/<secret>.
    for (const s of plan.steps) {
      if (s.op === 'create') expect(s.url).toBe(plan.targetUrl);
      if (s.op === 'update' && s.changes.url !== undefined) expect(s.changes.url).toBe(plan.targetUrl);
    }
  });

  it('never plans a change to a webhook that does not carry our secret', () => {
    const foreign = [
      hook('whatsapp:account:disconnected', 'https://a.example.com/x', { enabled: false }),
      hook('chat:responsible:assigned', 'https://b.example.com/hooks/not-our-secret-at-all-000'),
      hook('whatsapp:account:disconnected', 'https://a.example.com/x'),
    ];
    const ours = [hook('whatsapp:account:disconnected', OLD), hook('whatsapp:account:disconnected', OLD)];
    const plan = planTimelinesSync({ existing: [...foreign, ...ours], publicUrl: PUBLIC, secret: SECRET, removeUnchosen: true });
    const touched = plan.steps.flatMap((s) => (s.op === 'create' ? [] : [s.webhookId]));
    expect(touched.length).toBeGreaterThan(0);
    for (const f of foreign) expect(touched).not.toContain(f.id);
  });

  it('builds the target URL as <public>/hooks/<secret>', () => {
    expect(planTimelinesSync({ existing: [], publicUrl: `${PUBLIC}/`, secret: SECRET }).targetUrl).toBe(TARGET);
  });

  it.each([
    ['an old event name', { eventTypes: ['chat:assigned'] }, /old event name.*'chat:responsible:assigned'/],
    ['an unknown event type', { eventTypes: ['whatsapp:account:banned'] }, /not a TimelinesAI event type/],
    ['no event types', { eventTypes: [] }, /choose at least one/],
    ['a localhost URL', { publicUrl: 'http://127.0.0.1:4747' }, /cannot reach from the internet.*public URL/],
    ['a LAN URL', { publicUrl: 'https://192.168.1.20' }, /cannot reach/],
    ['a *.localhost URL', { publicUrl: 'http://abc.localhost:9000' }, /cannot reach/],
    ['not a URL', { publicUrl: 'quiet-fox-12.loca.lt' }, /not a URL/],
    ['a query string', { publicUrl: `${PUBLIC}/?x=1` }, /without \?query/],
    ['an ftp URL', { publicUrl: 'ftp://example.com' }, /https:\/\//],
    ['a short secret', { secret: 'abc' }, /hookwatch secret --rotate/],
    ['a secret with a slash', { secret: `${SECRET}/x` }, /hookwatch secret --rotate/],
    ['a bad former secret', { formerSecrets: ['x'] }, /hookwatch secret --rotate/],
  ] as const)('refuses %s with a message that says what to do', (_name, input, message) => {
    expect(() => planTimelinesSync({ existing: [], publicUrl: PUBLIC, secret: SECRET, ...input } as TimelinesSyncInput)).toThrow(
      RegistrationInputError,
    );
    expect(() => planTimelinesSync({ existing: [], publicUrl: PUBLIC, secret: SECRET, ...input } as TimelinesSyncInput)).toThrow(message);
  });

  it('accepts a loopback public URL when asked (tests with a local tunnel server)', () => {
    const plan = planTimelinesSync({ existing: [], publicUrl: 'http://abc.localhost:9000', secret: SECRET, allowLocalUrl: true });
    expect(plan.targetUrl).toBe(`http://abc.localhost:9000/hooks/${SECRET}`);
  });

  it('never quotes the secret in an input error', () => {
    try {
      planTimelinesSync({ existing: [], publicUrl: `not a url/hooks/${SECRET}`, secret: SECRET });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain(SECRET);
    }
  });
});

describe('parseEventTypeList', () => {
  it.each([
    ['default', [...D]],
    ['default,messages', [...D, 'message:new']],
    ['messages default', ['message:new', ...D]],
    ['account', D.slice(0, 4)],
    ['assignment', D.slice(4)],
    ['chat:assigned, chat:unassigned', ['chat:responsible:assigned', 'chat:responsible:unassigned']],
    ['WHATSAPP:ACCOUNT:DISCONNECTED,whatsapp:account:disconnected', ['whatsapp:account:disconnected']],
    ['call:incoming:missed', ['call:incoming:missed']],
  ])('%s', (text, expected) => {
    expect(parseEventTypeList(text)).toEqual(expected);
  });

  it.each([[''], [' , '], ['default,nonsense'], ['message']])('refuses %j', (text) => {
    expect(() => parseEventTypeList(text)).toThrow(RegistrationInputError);
  });
});

describe('urlCarriesSecret', () => {
  it.each([
    [`${PUBLIC}/hooks/${SECRET}`, true],
    [`${PUBLIC}/hooks/${SECRET}/`, true],
    [`${PUBLIC}/hooks/${SECRET}/whatsable`, true],
    [`${PUBLIC}/prefix/hooks/${SECRET}`, true],
    [`${PUBLIC}/hooks/${SECRET}?x=1`, true],
    [`${PUBLIC}/Hooks/${SECRET}`, false],
    [`${PUBLIC}/hooks/${SECRET.toLowerCase()}`, false],
    [`${PUBLIC}/hooks/x/${SECRET}`, false],
    ['not a url', false],
  ])('%s -> %s', (url, expected) => {
    expect(urlCarriesSecret(url, [SECRET])).toBe(expected);
  });
});

describe('whatsableSetupInstructions', () => {
  it('gives the URL to paste and the dashboard steps', () => {
    const url = whatsableWebhookUrl(PUBLIC, SECRET);
    expect(url).toBe(`${TARGET}/whatsable`);
    const how = whatsableSetupInstructions(url);
    expect(how.url).toBe(url);
    expect(how.urlRedacted).toBe(`${PUBLIC}/hooks/{secret}/whatsable`);
    expect(how.steps.some((s) => s.includes('Operations > Webhooks'))).toBe(true);
    expect(how.steps.some((s) => s.includes(url))).toBe(true);
    expect(how.notes.join(' ')).not.toMatch(/http:\/\/, not https/);
  });

  it('warns about http and refuses what is not a URL', () => {
    expect(whatsableSetupInstructions(`http://example.com/hooks/${SECRET}`).notes[0]).toMatch(/not https/);
    expect(() => whatsableSetupInstructions('example.com')).toThrow(RegistrationInputError);
    expect(() => whatsableWebhookUrl('http://localhost:4747', SECRET)).toThrow(/cannot reach/);
  });
});
