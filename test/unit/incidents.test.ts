// Folding alerts into incidents: the decision table, and a flapping number kept as one incident with its count (real SQLite).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FLAP_MS, foldAlert } from '../../main/core/alerts/incidents.js';
import { AlertService } from '../../main/core/alerts/service.js';
import type { StoredAlert } from '../../main/core/store/alerts.js';
import { HookwatchStore } from '../../main/core/store/store.js';

let id = 0;
const alert = (kind: StoredAlert['kind'], at: number, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  id: ++id,
  at,
  severity: kind.endsWith('recovered') ? 'recovery' : 'critical',
  kind,
  accountKey: '+15555550101',
  title: kind,
  text: kind,
  notify: true,
  suppressed: null,
  acknowledgedAt: null,
  ...extra,
});

/** Runs alerts through foldAlert against a single subject's latest incident, like the service does. */
function run(alerts: StoredAlert[]) {
  const saved: Array<ReturnType<typeof foldAlert>> = [];
  let latest: Parameters<typeof foldAlert>[0] = null;
  let nextId = 1;
  for (const a of alerts) {
    const c = foldAlert(latest, a);
    saved.push(c);
    if (c) latest = { ...c.incident, id: c.incident.id ?? nextId++ };
  }
  return { saved, latest, count: nextId - 1 };
}

describe('foldAlert', () => {
  it.each([
    ['an assignment is not an incident', [alert('chat-assigned', 1)], [null]],
    ['a recovery without an outage changes nothing', [alert('account-recovered', 1)], [null]],
    ['down opens, recovered resolves', [alert('account-down', 1000), alert('account-recovered', 5000)], ['opened', 'resolved']],
    ['down twice updates', [alert('account-down', 1000), alert('account-down', 2000)], ['opened', 'updated']],
    [
      'down again within the flap window reopens',
      [alert('account-down', 1000), alert('account-recovered', 2000), alert('account-down', 2000 + FLAP_MS)],
      ['opened', 'resolved', 'reopened'],
    ],
    [
      'down again after the flap window opens a new one',
      [alert('account-down', 1000), alert('account-recovered', 2000), alert('account-down', 2001 + FLAP_MS)],
      ['opened', 'resolved', 'opened'],
    ],
  ] as const)('%s', (_name, alerts, actions) => {
    expect(run([...alerts]).saved.map((c) => c?.action ?? null)).toEqual(actions);
  });

  it('a flapping number is one incident with its flap count, resolved with its duration', () => {
    const t = 1_000_000;
    const { latest, count } = run([
      alert('account-down', t),
      alert('account-recovered', t + 60_000),
      alert('account-down', t + 120_000),
      alert('account-recovered', t + 180_000),
      alert('account-flapping', t + 200_000, { count: 4 }),
      alert('account-down', t + 240_000),
      alert('account-recovered', t + 600_000),
    ]);
    expect(count).toBe(1);
    expect(latest).toMatchObject({ flaps: 4 + 1, alerts: 7, openedAt: t, resolvedAt: t + 600_000 });
  });
});

describe('foldAlert: an incident’s times are when the change happened', () => {
  const t = 50_000_000;
  const H = 3_600_000;

  it('a disconnection told 3 h late opens 3 h ago; its recovery, told late too, resolves when it happened', () => {
    const { latest } = run([
      alert('account-down', t + 3 * H, { occurredAt: t }),
      alert('account-recovered', t + 3 * H + 1000, { occurredAt: t + 2 * H }),
    ]);
    expect(latest).toMatchObject({ openedAt: t, resolvedAt: t + 2 * H, updatedAt: t + 3 * H + 1000 });
  });

  it('without a time of its own, or with one ahead of ours, an alert counts from when it was raised', () => {
    expect(run([alert('account-down', t)]).latest).toMatchObject({ openedAt: t });
    expect(run([alert('account-down', t, { occurredAt: t + H })]).latest).toMatchObject({ openedAt: t });
  });

  it('kept in order: a recovery dated before the outage resolves it at its opening, never before', () => {
    const { latest } = run([
      alert('account-down', t, { occurredAt: t - H }),
      alert('account-recovered', t + 1000, { occurredAt: t - 2 * H }),
    ]);
    expect(latest).toMatchObject({ openedAt: t - H, resolvedAt: t - H });
  });

  it('a new outage dated before the last one ended starts when that one ended, and counts as its flap', () => {
    const { saved, latest } = run([
      alert('account-down', t, { occurredAt: t }),
      alert('account-recovered', t + H, { occurredAt: t + H }),
      alert('account-down', t + 2 * H, { occurredAt: t + H - 60_000 }),
    ]);
    expect(saved.map((c) => c?.action)).toEqual(['opened', 'resolved', 'reopened']);
    expect(latest).toMatchObject({ openedAt: t, resolvedAt: null, flaps: 1 });
  });

  it('the flap window is measured between the changes, not between the deliveries that told of them', () => {
    // Recovered at t + H, down again 2 min later: a flap, though the second alert was raised an hour later.
    const { saved } = run([
      alert('account-down', t, { occurredAt: t }),
      alert('account-recovered', t + H, { occurredAt: t + H }),
      alert('account-down', t + 2 * H, { occurredAt: t + H + 120_000 }),
    ]);
    expect(saved.map((c) => c?.action)).toEqual(['opened', 'resolved', 'reopened']);
  });
});

describe('the alert service records incidents with its alerts', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores one incident for a flapping tunnel, in the same database', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwatch-incidents-'));
    const store = HookwatchStore.open(join(dir, 'hookwatch.sqlite3'));
    let now = 1_800_000_000_000;
    const service = new AlertService(
      store,
      () => {},
      () => now,
    );
    service.start();
    try {
      for (let i = 0; i < 3; i++) {
        service.tunnelChanged('down', now);
        now += 5 * 60_000; // past the grace: the next decision warns
        service.updateSettings({});
        service.tunnelChanged('up', now);
        now += 60_000;
      }
      const alerts = store.listAlerts({ limit: 100 }).filter((a) => a.kind.startsWith('tunnel-'));
      expect(alerts.map((a) => a.kind)).toEqual(Array(3).fill(['tunnel-recovered', 'tunnel-down']).flat());
      const incidents = store.incidents.list({ state: 'all' });
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({ kind: 'tunnel', alerts: 6, flaps: 2 });
      expect(incidents[0]!.resolvedAt).not.toBeNull();
    } finally {
      service.stop();
      store.close();
    }
  });
});
