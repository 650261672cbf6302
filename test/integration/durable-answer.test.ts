// The receiver answers 200 only after the write-ahead log holding the delivery is synced (the sync is held by the test).
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, startCore } from '../support/harness.js';
import { timelinesMessage } from '../support/payloads.js';

let running: Awaited<ReturnType<typeof startCore>> | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

/** Holds every sync of the core's store until the test lets it run (the real fdatasync) or fails it. */
function holdSyncs(core: Awaited<ReturnType<typeof startCore>>['core']) {
  const held: Array<{ run: () => void; fail: (err: Error) => void }> = [];
  const real = core.store.syncWal.bind(core.store);
  core.store.syncWal = () =>
    new Promise<void>((resolve, reject) => held.push({ run: () => void real()!.then(resolve, reject), fail: reject }));
  return held;
}

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('durable before 200, with the sync off the event loop (durability full, a real database file)', () => {
  it('a webhook is committed at once but answered only when its sync has finished', async () => {
    running = await startCore({ durability: 'full' });
    const held = holdSyncs(running.core);
    let answered: number | null = null;
    const post = postJson(running.url, timelinesMessage('durable-1', 'hello')).then((r) => (answered = r.status));
    await until('the sync to start', () => held.length === 1);
    expect(running.core.store.counts().events).toBe(1);
    // The event loop is free meanwhile: the receiver answers a request that writes nothing (its reachability probe).
    const probe = await fetch(new URL('/__hookwatch/probe/abcdefgh12', running.url));
    expect(probe.status).toBe(200);
    expect(answered).toBeNull();
    held[0]!.run();
    await post;
    expect(answered).toBe(200);
  });

  it('a sync the disk refuses is answered 503 with Retry-After, and the provider retry is stored as a redelivery', async () => {
    running = await startCore({ durability: 'full' });
    const held = holdSyncs(running.core);
    const first = fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: timelinesMessage('durable-2', 'hi'),
    });
    await until('the sync to start', () => held.length === 1);
    held[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const res = await first;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const retry = postJson(running.url, timelinesMessage('durable-2', 'hi'));
    await until('the retry to be synced', () => held.length === 2);
    held[1]!.run();
    const again = await retry;
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
    expect(running.core.store.counts().events).toBe(1);
  });
});
