/**
 * An incident counts from when the change happened, not from when Hookwatch heard of it: a real core
 * (SQLite file, receiver on 127.0.0.1) takes TimelinesAI's account webhooks delivered hours late, as after
 * a laptop's sleep, and its incident, its alerts and the number's uptime all use the events' own times.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { accountWebhook, postJson, startCore } from '../support/harness.js';

const H = 3_600_000;
const PHONE = '+15555550100';
let env: Awaited<ReturnType<typeof startCore>> | null = null;

afterEach(async () => {
  await env?.stop();
  env = null;
});

describe('incident times', () => {
  it('a disconnection and its recovery delivered late: the incident spans the events’ own times, and so does the uptime', async () => {
    env = await startCore();
    const now = Math.floor(Date.now() / 1000) * 1000;
    const connectedAt = now - 24 * H;
    const downAt = now - 3 * H;
    const upAt = now - 1 * H;
    expect((await postJson(env.url, accountWebhook('connected', connectedAt))).status).toBe(200);
    expect((await postJson(env.url, accountWebhook('disconnected', downAt))).status).toBe(200);

    const [open] = env.core.store.incidents.list({ state: 'open' });
    expect(open).toMatchObject({ kind: 'account', subject: PHONE, openedAt: downAt, resolvedAt: null });
    const [down] = env.core.store.listAlerts({ limit: 10 }).filter((a) => a.kind === 'account-down');
    expect(down!.occurredAt).toBe(downAt);
    expect(down!.at).toBeGreaterThanOrEqual(now); // raised when it arrived, hours after

    expect((await postJson(env.url, accountWebhook('connected', upAt))).status).toBe(200);
    const [resolved] = env.core.store.incidents.list({ state: 'resolved' });
    expect(resolved).toMatchObject({ openedAt: downAt, resolvedAt: upAt });
    expect(env.core.store.incidents.accountHistory(PHONE, now, connectedAt).downMs7d).toBe(2 * H);
  });
});
