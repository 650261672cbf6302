/** Issue 10 item 4: a test event sent without a tunnel goes straight to the local receiver, is stored, and raises no alert. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookwatchService } from '../../main/core/api/create.js';
import { runHookwatch, startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
beforeAll(async () => (env = await startCore()));
afterAll(() => env.stop());

describe('send a test event (local only: no tunnel in this core)', () => {
  it('reaches the receiver, is stored as a marked hookwatch:test event, and each hop has its time', async () => {
    const service = createHookwatchService(env.core);
    try {
      const alertsBefore = env.core.store.listAlerts({ limit: 100 }).length;
      const r = await service.api.sendTestEvent();
      expect(r).toMatchObject({ ok: true, via: 'local', problem: null });
      expect(r.hops.map((h) => h.hop)).toEqual(['receiver answered', 'stored']);
      for (const h of r.hops) expect(h.at).toBeGreaterThanOrEqual(r.sentAt);
      const stored = env.core.store.getEvent(r.eventId!)!;
      expect(stored.type).toBe('hookwatch:test');
      expect(stored.request.body!.toString()).toContain('"hookwatch_test":true');
      expect(JSON.stringify(r)).not.toContain(env.core.receiver.webhookPath);
      // Two test events are two events (each has its own id), and none raised an alert.
      const again = await service.api.sendTestEvent();
      expect(again.eventId).not.toBe(r.eventId);
      expect(env.core.store.listAlerts({ limit: 100 }).length).toBe(alertsBefore);
    } finally {
      service.close();
    }
  });

  it('says plainly when the receiver is not there', async () => {
    const { sendTestEvent } = await import('../../main/core/test-event.js');
    const r = await sendTestEvent({ url: 'http://127.0.0.1:9/hooks/x', via: 'local' });
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/local receiver did not answer.*is Hookwatch running/);
  });

  it('hookwatch test --url posts a test event to a running receiver', async () => {
    const r = await runHookwatch(['test', '--url', env.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/receiver answered/);
    expect(r.stdout).toMatch(/stored/);
    expect(r.stdout).not.toContain(env.core.receiver.webhookPath);
    expect(r.stdout).toMatch(/^ok: stored as event \d+ \(type hookwatch:test; it raises no alert\)$/m);
  });

  it('hookwatch test --help says what --url takes', async () => {
    const r = await runHookwatch(['test', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}--url URL +the webhook URL serve printed: its "public:" line goes through the tunnel/m);
  });
});
