// The TimelinesAI client keeps one token of its burst as slack: against the rate-enforcing stand-in, a held-up first request costs no 429.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMELINES_RATE_BURST, TimelinesApiClient } from '../../main/core/providers/timelines/api.js';
import { StaticTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { ChatsWorld } from '../support/timelines-chats.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tl-5b1c7a6e-3f0d-4c55-9a8e-0d6f3b2c1a90';
/** How much later than the others the first request of a burst reaches the server (a new connection's handshake). */
const FIRST_HELD_MS = 45;

let api: TimelinesStandIn;

beforeEach(async () => {
  api = await TimelinesStandIn.start({ token: TOKEN });
});
afterEach(async () => {
  await api.close();
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
});

/**
 * One clock for both sides, moved only by the client's waits: the server (30 req/s, burst 10, counted at
 * arrival) sees each request when it was sent, except the first, which arrives FIRST_HELD_MS late. Real HTTP.
 */
async function run(burst: number | undefined, requests: number): Promise<{ refused: number; waitedMs: number }> {
  let now = 1_000_000;
  let arrivals = 0;
  const world = new ChatsWorld({ enforceRate: true, now: () => now + (arrivals++ === 0 ? FIRST_HELD_MS : 0) }).attach(api);
  world.addChat({ id: 1 });
  const client = new TimelinesApiClient({
    tokenSource: new StaticTokenSource(TOKEN),
    baseUrl: api.baseUrl,
    timeoutMs: 5_000,
    random: () => 0,
    sleep: async (ms) => {
      now += ms;
    },
    now: () => now,
    ...(burst === undefined ? {} : { burst }),
  });
  const start = now;
  for (let i = 0; i < requests; i++) await client.getJson('/chats/1/messages', {});
  return { refused: world.rateLimited, waitedMs: now - start };
}

describe('the TimelinesAI client against the rate-enforcing stand-in (real HTTP, one controlled clock)', () => {
  it('spending the whole documented burst meets a 429 when the first request is held up, and a second of waiting', async () => {
    const r = await run(TIMELINES_RATE_BURST, 40);
    expect(r.refused).toBeGreaterThan(0);
    expect(api.requests.filter((q) => q.status === 429)).toHaveLength(r.refused);
    expect(r.waitedMs).toBeGreaterThanOrEqual(1000);
  });

  it('by default it keeps one token as slack: no 429, and 40 requests take their 1/30 s slots (31 waits) and no more', async () => {
    const r = await run(undefined, 40);
    expect(r.refused).toBe(0);
    expect(api.requests.map((q) => q.status)).toEqual(Array(40).fill(200));
    expect(r.waitedMs).toBeCloseTo((31 * 1000) / 30, 0);
  });
});
