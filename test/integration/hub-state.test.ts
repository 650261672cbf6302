// A follower applies the hub's account-state and incident messages with its own alert choices: two real cores and a real nats-server.
import { describe, expect, it } from 'vitest';
import { hubTestBed } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

describe.skipIf(!natsServerAvailable)('a follower applies the hub account checks and tunnel incidents', () => {
  it("an outage the hub found with its API check becomes the follower's own account card and alert; a muted account stays quiet", async () => {
    const nats = await bed.nats();
    const hub = await bed.core({ hub: { url: nats.url, workspace: 'acme' } });
    const followerDir = bed.tempDir();
    const follower = await bed.core({ follow: { url: nats.url, name: 'dana' } }, followerDir);
    // The follower's own choice: one of the two accounts is muted here (not on the hub).
    follower.alerts.setMuted('+15555550101', true);

    // The hub learns both accounts from GET /whatsapp_accounts (no webhook event: the follower cannot derive this).
    hub.alerts.apiAccounts([
      { id: 'acc-1', phone: '+15555550100', status: 'active', account_name: 'Sales' },
      { id: 'acc-2', phone: '+15555550101', status: 'active', account_name: 'Support' },
    ]);
    await eventually('the follower knows both accounts', () => follower.alerts.accounts().length === 2);
    hub.alerts.apiAccounts([
      { id: 'acc-1', phone: '+15555550100', status: 'disconnected' },
      { id: 'acc-2', phone: '+15555550101', status: 'disconnected' },
    ]);
    await eventually('both accounts down at the follower', () => follower.alerts.accounts().every((a) => a.state === 'disconnected'));
    const cards = follower.alerts.accounts();
    expect(cards.map((a) => [a.key, a.name, a.state]).sort()).toEqual([
      ['+15555550100', 'Sales', 'disconnected'],
      ['+15555550101', 'Support', 'disconnected'],
    ]);
    await eventually('its own alerts', () => follower.store.listAlerts({}).filter((a) => a.kind === 'account-down').length === 2);
    const down = follower.store.listAlerts({}).filter((a) => a.kind === 'account-down');
    const byAccount = Object.fromEntries(down.map((a) => [a.accountKey, a]));
    expect(byAccount['+15555550100']).toMatchObject({ severity: 'critical', notify: true, suppressed: null });
    expect(byAccount['+15555550101']).toMatchObject({ notify: false, suppressed: 'muted' });

    // Recovery, and a restart of the follower: nothing is applied twice (the messages are claimed in hub_inbox).
    hub.alerts.apiAccounts([{ id: 'acc-1', phone: '+15555550100', status: 'active' }]);
    await eventually('recovered at the follower', () =>
      follower.alerts.accounts().some((a) => a.key === '+15555550100' && a.state === 'connected'),
    );
    const alertsBefore = follower.store.listAlerts({}).length;
    expect(follower.store.listAlerts({}).filter((a) => a.kind === 'account-recovered')).toHaveLength(1);
    await follower.stop();
    const again = await bed.core({ follow: { url: nats.url, name: 'dana' } }, followerDir);
    await eventually('following again', () => again.hub?.status().follower?.state === 'following');
    await eventually('caught up', () => again.hub?.status().follower?.behind === 0);
    expect(again.store.listAlerts({}).length).toBe(alertsBefore);
  }, 60_000);

  it("the hub's tunnel going down warns the follower at once, and its recovery says so", async () => {
    const nats = await bed.nats();
    const hub = await bed.core({ hub: { url: nats.url } });
    const follower = await bed.core({ follow: { url: nats.url, name: 'sam' } });
    const grace = hub.alerts.settings().tunnelDownGraceSeconds * 1000;
    // The hub's tunnel went down longer ago than the grace: the hub warns now.
    hub.alerts.tunnelChanged('down', Date.now() - grace - 5000);
    hub.alerts.tunnelChanged('down');
    await eventually('hub warned', () => hub.store.listAlerts({}).some((a) => a.kind === 'tunnel-down'));
    await eventually('the follower warned', () => follower.store.listAlerts({}).some((a) => a.kind === 'tunnel-down'));
    hub.alerts.tunnelChanged('up');
    await eventually('the follower heard it is back', () => follower.store.listAlerts({}).some((a) => a.kind === 'tunnel-recovered'));
    expect(
      follower.store
        .listAlerts({})
        .filter((a) => a.kind.startsWith('tunnel-'))
        .map((a) => a.kind),
    ).toEqual(expect.arrayContaining(['tunnel-down', 'tunnel-recovered']));
  }, 60_000);
});
