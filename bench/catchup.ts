// Catch-up benchmark: 10,000 messages across 200 chats missed in a gap, read back from the
// spec-validating TimelinesAI stand-in (which enforces 30 req/s + burst 10 like the real API)
// through the real client into a real SQLite file. Reports time and requests against the floor:
// the fewest requests the API allows (chat pages + one message page per 50 messages of a chat)
// at 30 requests/s. Target: within 1.2× of it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCatchup } from '../main/core/catchup/engine.js';
import { storeCheckpoints, storeSink } from '../main/core/catchup/store-sink.js';
import { clientGetJson, timelinesCatchupApi } from '../main/core/catchup/timelines-adapter.js';
import { TimelinesApiClient } from '../main/core/providers/timelines/api.js';
import { StaticTokenSource } from '../main/core/providers/timelines/token-source.js';
import { HookwatchStore } from '../main/core/store/store.js';
import { ChatsWorld } from '../test/support/timelines-chats.js';
import { PUBLIC_API_SPEC_PATH, TimelinesStandIn } from '../test/support/timelines-standin.js';
import { round } from './common.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'bench-token-0123456789';
const RATE = 30;

/** Compiled into dist/, the stand-in's path to the spec (relative to its source folder) is one level short. */
function specPath(): string {
  if (existsSync(PUBLIC_API_SPEC_PATH)) return PUBLIC_API_SPEC_PATH;
  return resolve(ROOT, '..', relative(ROOT, PUBLIC_API_SPEC_PATH));
}

export interface CatchupBenchOptions {
  chats?: number;
  messages?: number;
  log?: (line: string) => void;
}

export async function benchCatchup(options: CatchupBenchOptions = {}) {
  const chats = options.chats ?? 200;
  const messages = options.messages ?? 10_000;
  const log = options.log ?? (() => {});
  const api = await TimelinesStandIn.start({ token: TOKEN, specPath: specPath() });
  const world = new ChatsWorld({ enforceRate: true }).attach(api);
  const dir = mkdtempSync(join(tmpdir(), 'hookwatch-bench-catchup-'));
  const store = HookwatchStore.open(join(dir, 'hookwatch.db'));
  try {
    const now = Date.now();
    const gap = { start: now - 9 * 3600_000, end: now - 10 * 60_000, reason: 'offline' as const, reasons: ['offline' as const] };
    // Spread the messages evenly over the chats and over the gap.
    const perChat = new Array<number>(chats).fill(Math.floor(messages / chats));
    for (let i = 0; i < messages % chats; i++) perChat[i]!++;
    perChat.forEach((n, c) => {
      for (let i = 0; i < n; i++) {
        world.addMessage(1000 + c, {
          uid: `b${c}-${i}`,
          at: gap.start + Math.round(((i + 0.5) * (gap.end - gap.start)) / n),
          from_me: i % 4 === 0,
        });
      }
    });
    const floorRequests = Math.ceil(chats / 50) + perChat.reduce((s, n) => s + Math.max(1, Math.ceil(n / 50)), 0);
    const floorSeconds = floorRequests / RATE;

    const client = new TimelinesApiClient({ tokenSource: new StaticTokenSource(TOKEN), baseUrl: api.baseUrl, timeoutMs: 15_000 });
    log(`catch-up: ${messages} messages in ${chats} chats; floor ${floorRequests} requests ≈ ${round(floorSeconds, 1)} s at ${RATE}/s…`);
    const started = performance.now();
    const outcome = await runCatchup({
      gap,
      api: timelinesCatchupApi(clientGetJson(client)),
      sink: storeSink(store),
      checkpoints: storeCheckpoints(store),
    });
    const seconds = (performance.now() - started) / 1000;
    const stored = store.listEvents({ type: 'message', limit: 100_000 }).length;
    const ratio = round(seconds / floorSeconds, 2);
    const result = {
      chats,
      messages,
      status: outcome.status,
      recovered: outcome.recovered,
      stored,
      seconds: round(seconds, 2),
      httpRequests: api.requests.length,
      refusedWith429: world.rateLimited,
      floorRequests,
      floorSeconds: round(floorSeconds, 2),
      ratio,
      specViolations: api.violations.length + api.responseViolations.length,
      summary: [
        `| catch-up: ${messages.toLocaleString('en')} messages across ${chats} chats from the API stand-in | ${round(seconds, 1)} s, ${api.requests.length} requests (${world.rateLimited} refused with 429); floor ${floorRequests} requests ≈ ${round(floorSeconds, 1)} s at ${RATE}/s; ${stored.toLocaleString('en')} stored | ≤ 1.2× floor | ${ratio}× ${ratio <= 1.2 && stored === messages ? '✓' : '✗'} |`,
      ],
    };
    return result;
  } finally {
    store.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node dist/bench/catchup.js` runs it alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const r = await benchCatchup({ log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
