import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePayloads, postJson, startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
beforeAll(async () => (env = await startCore()));
afterAll(() => env.stop());

const message = (uid: string, text: string, timestamp = '2025-03-02 15:20:11 +0000') => {
  const body = JSON.parse(fixturePayloads().find((p) => p.name === 'tl_message_new.json')!.body);
  body.message.message_uid = uid;
  body.message.text = text;
  body.message.timestamp = timestamp;
  return JSON.stringify(body);
};

async function post(text: string) {
  const res = await postJson(env.url, text);
  expect(res.status).toBe(200);
  return res.json.events[0] as { id: number; duplicate: boolean; deliveries: number };
}

describe('same dedupe key, compared by content (events keyed by a provider id)', () => {
  it('same key and same content is a redelivery: duplicate, one event with two deliveries', async () => {
    const a = await post(message('uid-same-1', 'first words'));
    const b = await post(message('uid-same-1', 'first words'));
    expect(b).toMatchObject({ id: a.id, duplicate: true, deliveries: 2 });
    expect(env.core.store.listEvents({ search: 'first words' }).map((e) => e.id)).toEqual([a.id]);
  });

  it('same key with another text is its own event, linked to the earlier one, never folded', async () => {
    const a = await post(message('uid-diff-1', 'original wording'));
    const b = await post(message('uid-diff-1', 'edited wording'));
    expect(b.duplicate).toBe(false);
    expect(b.id).not.toBe(a.id);
    const stored = env.core.store.listEvents({ chat: '4811201' }).filter((e) => e.messageUid === 'uid-diff-1');
    expect(stored.map((e) => e.text).sort()).toEqual(['edited wording', 'original wording']);
    const later = stored.find((e) => e.id === b.id)!;
    expect(later.details.sameKeyAs).toBe(a.id);
    // A retry of the second body folds onto the second event, not the first.
    expect(await post(message('uid-diff-1', 'edited wording'))).toMatchObject({ id: b.id, duplicate: true, deliveries: 2 });
    // ...and a retry of the first onto the first.
    expect(await post(message('uid-diff-1', 'original wording'))).toMatchObject({ id: a.id, duplicate: true, deliveries: 2 });
  });

  it('same key with another time is its own event too', async () => {
    const a = await post(message('uid-time-1', 'same text', '2025-03-02 15:20:11 +0000'));
    const b = await post(message('uid-time-1', 'same text', '2025-03-02 16:20:11 +0000'));
    expect(b.duplicate).toBe(false);
    expect(b.id).not.toBe(a.id);
  });
});
