// A secret rotated by another connection (`hookwatch secret --rotate` in another process) while the receiver is
// busy: the receiver checks the stored secret at most every 2 ms while requests match, and at once on a miss.
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/core/paths.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { postJson, startCore } from '../support/harness.js';

let h: Awaited<ReturnType<typeof startCore>>;
let other: HookwatchStore;
async function start(receiver: { secretCheckMs?: number } = {}) {
  h = await startCore({ receiver });
  other = HookwatchStore.open(databasePath(h.dataDir), { durability: 'normal', mustExist: true });
}
afterEach(async () => {
  other.close();
  await h.stop();
});

const body = (n: number) => ({ event_type: 'message:received:new', message: { message_uid: `rot-${n}`, text: 'hi' } });

describe('a secret rotated elsewhere while requests arrive', () => {
  it('the new URL works at once, amid requests on the old one; the old one stops within moments', async () => {
    await start();
    const oldUrl = h.url;
    // Keep the receiver busy on the old URL, so its last check of the stored secret is always recent.
    const busy = Array.from({ length: 20 }, (_, i) => postJson(oldUrl, body(i)));
    const secret = other.rotateWebhookSecret();
    const newUrl = oldUrl.replace(/\/hooks\/[^/]+$/, `/hooks/${secret}`);
    expect(newUrl).not.toBe(oldUrl);
    const [fresh] = await Promise.all([postJson(newUrl, body(100)), ...busy]);
    expect(fresh.status).toBe(200);
    await new Promise((r) => setTimeout(r, 10));
    expect((await postJson(oldUrl, body(101))).status).toBe(404);
    expect((await postJson(newUrl, body(102))).status).toBe(200);
    // What the new URL delivered is stored; nothing the old URL sent after the rotation is.
    expect(['rot-100', 'rot-101', 'rot-102'].map((uid) => h.core.store.countEventsByMessageUidPrefix(uid))).toEqual([1, 0, 1]);
  });

  it('a request on the new URL checks the stored secret at once, even right after a check', async () => {
    // A check that would hold for a minute: only the check on a miss can let the new URL in.
    await start({ secretCheckMs: 60_000 });
    expect((await postJson(h.url, body(1))).status).toBe(200);
    const secret = other.rotateWebhookSecret();
    const newUrl = h.url.replace(/\/hooks\/[^/]+$/, `/hooks/${secret}`);
    expect((await postJson(newUrl, body(2))).status).toBe(200);
    // And the miss that fetched the new secret retired the old one.
    expect((await postJson(h.url, body(3))).status).toBe(404);
  });
});
