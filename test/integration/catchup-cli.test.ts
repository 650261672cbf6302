/**
 * Catch-up through the built CLI: `hookwatch serve` stopped, messages added to the TimelinesAI
 * stand-in meanwhile (every request and answer validated against the spec), `serve` started again:
 * each message recovered exactly once, one of them also arriving as a webhook afterwards; and
 * `hookwatch catch-up` by hand with --since, its bad values, and no token. The minimum gap is
 * shortened with HOOKWATCH_CATCHUP_MIN_GAP_MS so a test need not stay off for a minute.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/core/paths.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { postJson, runHookwatch, spawnServe, tempDir } from '../support/harness.js';
import { ChatsWorld } from '../support/timelines-chats.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tl-8e0f1d2c-6a5b-4c3d-9e8f-7a6b5c4d3e2f';

let api: TimelinesStandIn;
let world: ChatsWorld;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  api = await TimelinesStandIn.start({ token: TOKEN });
  world = new ChatsWorld().attach(api);
  tmp = tempDir();
});

afterEach(async () => {
  await api.close();
  tmp.cleanup();
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
});

function env(token: string = TOKEN): NodeJS.ProcessEnv {
  return { HOOKWATCH_TIMELINES_TOKEN: token, HOOKWATCH_TIMELINES_API_URL: api.baseUrl, HOOKWATCH_CATCHUP_MIN_GAP_MS: '0' };
}

async function stop(s: Awaited<ReturnType<typeof spawnServe>>): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
}

function storedByUid(): Map<string, Array<{ type: string; shape: string }>> {
  const store = HookwatchStore.open(databasePath(tmp.dir), { mustExist: true });
  try {
    const map = new Map<string, Array<{ type: string; shape: string }>>();
    for (const e of store.listEvents({ type: 'message', limit: 100_000 })) {
      if (!e.messageUid) continue;
      map.set(e.messageUid, [...(map.get(e.messageUid) ?? []), { type: e.type, shape: e.shape }]);
    }
    return map;
  } finally {
    store.close();
  }
}

/** A message webhook as TimelinesAI sends it (the webhook spec's top-level shape). */
function messageWebhook(chatId: number, uid: string, at: number) {
  return {
    event_type: 'message:received:new',
    chat: { chat_id: chatId, full_name: `Chat ${chatId}`, is_group: false, phone: `+1555${String(chatId).padStart(7, '0')}` },
    whatsapp_account: { full_name: 'Dana Levi', email: 'dana@example.com', phone: '+972501111111' },
    message: {
      message_uid: uid,
      direction: 'received',
      text: `message ${uid}`,
      timestamp: new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' +0000',
      sender: { full_name: 'x' },
      recipient: { full_name: 'y' },
    },
  };
}

describe('catch-up through the CLI', () => {
  it('serve stopped, messages sent meanwhile, serve started: all recovered exactly once, one line for the gap, a late webhook not stored twice', async () => {
    const first = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-dashboard'], env());
    await stop(first);
    expect(first.output()).not.toMatch(/^catch-up:/m);

    // While it is off: five messages in three chats, one sent by us.
    const at = Date.now() - 1500;
    const gapMessages: Array<[number, string, boolean]> = [
      [21, 'gap-1', false],
      [21, 'gap-2', true],
      [22, 'gap-3', false],
      [22, 'gap-4', false],
      [23, 'gap-5', false],
    ];
    gapMessages.forEach(([chat, uid, fromMe], i) => world.addMessage(chat, { uid, at: at + i * 100, from_me: fromMe }));
    // A chat quiet since long before: never read.
    world.addMessage(90, { uid: 'old-1', at: Date.now() - 3 * 86_400_000, from_me: false });

    const second = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-dashboard'], env());
    try {
      await expect
        .poll(() => second.output(), { timeout: 20_000 })
        .toMatch(/^catch-up: offline \d\d:\d\d–\d\d:\d\d UTC, 5 messages recovered from 3 chats$/m);
      expect(second.output().match(/^catch-up:/gm)).toHaveLength(1);
      // The webhook for one of them still arrives (TimelinesAI retried it): a redelivery.
      const late = await postJson(second.url, messageWebhook(22, 'gap-3', at + 200));
      expect(late.status).toBe(200);
      expect(late.json.events[0]).toMatchObject({ duplicate: true });
    } finally {
      await stop(second);
    }
    expect(second.output()).not.toContain(TOKEN);
    const stored = storedByUid();
    for (const [, uid, fromMe] of gapMessages) {
      expect(stored.get(uid), uid).toEqual([{ type: fromMe ? 'message:sent:new' : 'message:received:new', shape: 'timelines.catchup' }]);
    }
    expect(stored.has('old-1')).toBe(false);
    expect(api.requests.filter((r) => r.path === '/chats/90/messages')).toEqual([]);

    // A third start: the gap is caught up already, nothing is read again.
    const before = api.requests.filter((r) => r.path.startsWith('/chats')).length;
    const third = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-dashboard'], env());
    try {
      // Only what came after the caught-up gap is read (the second run and the stop before this start): nothing new in it.
      await expect
        .poll(() => third.output(), { timeout: 20_000 })
        .toMatch(/^catch-up: offline .*, nothing missed \(\d+ chats? checked\)$/m);
      expect(third.output().match(/^catch-up:/gm)).toHaveLength(1);
    } finally {
      await stop(third);
    }
    expect(storedByUid().size).toBe(stored.size);
    expect(api.requests.filter((r) => r.path.startsWith('/chats')).length).toBeGreaterThan(before);
  });

  it('hookwatch catch-up --since recovers by hand, exactly once when run twice, with progress and exit codes', async () => {
    const s = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-dashboard'], env());
    await stop(s);
    const now = Date.now();
    for (let i = 0; i < 4; i++) world.addMessage(31 + (i % 2), { uid: `hand-${i}`, at: now - (8 - i) * 60_000, from_me: false });

    const run1 = await runHookwatch(['catch-up', '--data', tmp.dir, '--since', '10m'], env());
    expect(run1.code).toBe(0);
    // Progress goes to stderr, at most a line a second, nothing else.
    expect(run1.stderr).toMatch(/^catch-up: listing chats/);
    for (const line of run1.stderr.trimEnd().split('\n')) expect(line).toMatch(/^catch-up: .*messages recovered, \d+ requests$/);
    expect(run1.stdout).toMatch(/^catch-up: requested \d\d:\d\d–\d\d:\d\d UTC, 4 messages recovered from 2 chats\n$/);

    const iso = new Date(now - 15 * 60_000).toISOString();
    const run2 = await runHookwatch(['catch-up', '--data', tmp.dir, '--since', iso, '--chats', '5'], env());
    expect(run2.code).toBe(0);
    expect(run2.stdout).toMatch(/nothing missed \(2 chats checked\)/);
    const stored = storedByUid();
    for (let i = 0; i < 4; i++) expect(stored.get(`hand-${i}`)).toHaveLength(1);

    // Without a token: the gap is kept as not recovered, the reason said, exit 1.
    const noToken = await runHookwatch(['catch-up', '--data', tmp.dir, '--since', '10m'], env(''));
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/catch-up needs a TimelinesAI token in HOOKWATCH_TIMELINES_TOKEN/);
    expect(noToken.stdout).toMatch(/could not be recovered: no TimelinesAI token is set/);
  });

  it('bad values say what is allowed (exit 2); --help lists the flags; no data folder is a clear error', async () => {
    const days = await runHookwatch(['catch-up', '--data', tmp.dir, '--days', '0'], env());
    expect(days.code).toBe(2);
    expect(days.stderr).toMatch(/--days must be a whole number from 1 to 30, got '0'/);
    const since = await runHookwatch(['catch-up', '--data', tmp.dir, '--since', 'yesterday'], env());
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since takes an ISO time .* or an age like 30m, 2h, 7d/);
    const chats = await runHookwatch(['catch-up', '--data', tmp.dir, '--chats', 'many'], env());
    expect(chats.code).toBe(2);
    expect(chats.stderr).toMatch(/--chats must be a whole number from 1 to 10000/);
    const serveFlag = await runHookwatch(['serve', '--data', tmp.dir, '--catchup-days', '99', '--no-tunnel'], env());
    expect(serveFlag.code).toBe(2);
    expect(serveFlag.stderr).toMatch(/--catchup-days must be a whole number from 1 to 30/);
    const help = await runHookwatch(['catch-up', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--since ISO\|30m\|2h\|7d/);
    expect(help.stdout).toMatch(/--days N/);
    const missing = await runHookwatch(['catch-up', '--data', `${tmp.dir}/nothing-here`], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/hookwatch: /);
  });
});
