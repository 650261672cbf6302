import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePayloads, postJson, startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
beforeAll(async () => (env = await startCore()));
afterAll(() => env.stop());

const body = (name: string, phone = '+15555550100') =>
  fixturePayloads()
    .find((p) => p.name === name)!
    .body.split('+15555550100')
    .join(phone)
    .split('15555550100@')
    .join(`${phone.slice(1)}@`);

async function post(text: string) {
  const res = await postJson(env.url, text);
  expect(res.status).toBe(200);
  return res.json.events[0] as { id: number; duplicate: boolean; deliveries: number };
}

describe('redelivery or a new occurrence (events keyed by a body hash)', () => {
  it('a retry of an account event is one event with two deliveries', async () => {
    const a = await post(body('tl_account_suspended.json', '+15555550301'));
    const b = await post(body('tl_account_suspended.json', '+15555550301'));
    expect(b).toEqual({ ...a, duplicate: true, deliveries: 2 });
  });

  it('suspended, resumed, suspended again: the second suspension is a new event, not a retry', async () => {
    const first = await post(body('tl_account_suspended.json', '+15555550302'));
    await post(body('tl_account_resumed.json', '+15555550302'));
    const again = await post(body('tl_account_suspended.json', '+15555550302'));
    expect(again.duplicate).toBe(false);
    expect(again.id).not.toBe(first.id);
    // ...and a retry of that second suspension is again a duplicate of it.
    expect(await post(body('tl_account_suspended.json', '+15555550302'))).toMatchObject({ id: again.id, duplicate: true, deliveries: 2 });
    const stored = env.core.store.listEvents({ account: '+15555550302', type: 'whatsapp:account:suspended' });
    expect(stored.map((e) => e.deliveryCount)).toEqual([2, 1]);
  });

  it('messages of the same account in between do not turn a retry into a new event', async () => {
    const first = await post(body('tl_account_disconnected.json', '+15555550303'));
    await post(body('tl_message_new.json', '+15555550303'));
    expect(await post(body('tl_account_disconnected.json', '+15555550303'))).toMatchObject({ id: first.id, duplicate: true });
  });

  it("another account's events do not count", async () => {
    const first = await post(body('tl_account_suspended.json', '+15555550304'));
    await post(body('tl_account_resumed.json', '+15555550305'));
    expect(await post(body('tl_account_suspended.json', '+15555550304'))).toMatchObject({ id: first.id, duplicate: true });
  });

  it('the same body long after its last delivery is a new event', async () => {
    const first = await post(body('tl_account_suspended.json', '+15555550306'));
    env.core.store.rawForTests
      .prepare('UPDATE events SET last_delivered_at = last_delivered_at - 7 * 3600 * 1000 WHERE id = ?')
      .run(first.id);
    const later = await post(body('tl_account_suspended.json', '+15555550306'));
    expect(later.duplicate).toBe(false);
    expect(later.id).not.toBe(first.id);
  });

  it('chat reassigned back and forth with identical bodies gives one event per assignment', async () => {
    const assigned = body('tl_chat_assigned.json').replace('4811201', '4811999').replace('4811201', '4811999');
    const unassigned = body('tl_chat_unassigned.json').replace('4811201', '4811999').replace('4811201', '4811999');
    const a1 = await post(assigned);
    await post(unassigned);
    const a2 = await post(assigned);
    expect(a2.duplicate).toBe(false);
    expect(a2.id).not.toBe(a1.id);
  });
});
