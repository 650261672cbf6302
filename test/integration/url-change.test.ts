/**
 * Issue 10 item 1: when the public URL changes, a warning tells the person to paste the new WhatsAble
 * URL; the Copy action carries the secret-bearing URL, the stored and printed text never does.
 * The tunnel is a stand-in supervisor here (test name says so); the real supervisor's change event is
 * covered by the tunnel tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookwatchService } from '../../main/core/api/create.js';
import { decideAlerts, initialAlertRulesState, defaultAlertSettings } from '../../main/core/alerts/rules.js';
import { alertLine } from '../../main/core/cli/commands-alerts.js';
import { startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
beforeAll(async () => (env = await startCore()));
afterAll(() => env.stop());

describe('webhook-url-changed', () => {
  it('decideAlerts: a public-URL change is one notified warning', () => {
    const d = decideAlerts({
      now: 1_000,
      settings: defaultAlertSettings(),
      state: initialAlertRulesState(),
      signals: [{ kind: 'public-url', from: 'https://a.example', to: 'https://b.example', at: 1_000 }],
    });
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]).toMatchObject({ kind: 'webhook-url-changed', severity: 'warning', notify: true, suppressed: null });
    expect(d.alerts[0]!.text).toContain('https://b.example');
  });

  it('(stand-in tunnel) the alert is stored without the secret and listed with the full WhatsAble URL to copy', async () => {
    const { core } = env;
    const secretPath = core.receiver.webhookPath;
    const supervisor = { current: { state: 'up' as const, url: 'https://new-sub.example', at: Date.now() }, onStateChange: () => () => {} };
    const service = createHookwatchService(core, { tunnelSupervisor: supervisor });
    try {
      expect((await service.api.getSetup()).urlChangedAt).toBeNull();
      core.alerts.publicUrlChanged('https://old-sub.example', 'https://new-sub.example');
      const stored = core.store.listAlerts({ limit: 10 }).find((a) => a.kind === 'webhook-url-changed')!;
      expect(stored).toBeDefined();
      expect(stored.text).toContain('https://new-sub.example');
      expect(stored.text).not.toContain(secretPath);
      expect(alertLine(stored)).not.toContain(secretPath);
      const view = await service.api.listAlerts({});
      if (!view.available) throw new Error('alerts unavailable');
      const listed = view.alerts.find((a) => a.kind === 'webhook-url-changed')!;
      expect(listed.copyText).toBe(`https://new-sub.example${secretPath}/whatsable`);
      expect((await service.api.getSetup()).urlChangedAt).toBe(stored.at);
      await service.api.acknowledgeAlert(listed.id);
      expect((await service.api.getSetup()).urlChangedAt).toBeNull();
    } finally {
      service.close();
    }
  });
});
