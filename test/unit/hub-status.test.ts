// The hub part of the one overall status (main/contract/status.ts): a hub's backlog and a follower's distance behind.
import { describe, expect, it } from 'vitest';
import { overallStatus, type StatusInputs } from '../../main/contract/status.js';

const base: StatusInputs = {
  accounts: [{ key: '+15555550100', label: 'Sales (+15555550100)', state: 'connected', since: 0 }],
  tunnel: null,
  failingWebhooks: [],
  catchup: null,
};
const MIN = 60_000;

describe('the hub part of the status', () => {
  it('a hub with everything published, or a short backlog, is ok and says so', () => {
    const at = 10 * MIN;
    const all = overallStatus({ ...base, hub: { role: 'hub', hub: 'nats://hub:4222', backlog: 0, oldestWaitingAt: null, at } });
    expect(all.level).toBe('ok');
    expect(all.parts.find((p) => p.kind === 'hub')).toMatchObject({ level: 'ok', text: 'hub nats://hub:4222: all published', since: null });
    const short = overallStatus({ ...base, hub: { role: 'hub', hub: 'nats://hub:4222', backlog: 12, oldestWaitingAt: at - 4 * MIN, at } });
    expect(short.level).toBe('ok');
    expect(short.parts.find((p) => p.kind === 'hub')).toMatchObject({ level: 'ok', text: 'hub nats://hub:4222: 12 waiting to publish' });
  });

  it('a backlog older than 5 minutes is degraded (the team is not getting events) and says since when', () => {
    const at = 10 * MIN;
    const s = overallStatus({ ...base, hub: { role: 'hub', hub: 'nats://hub:4222', backlog: 340, oldestWaitingAt: at - 6 * MIN, at } });
    expect(s.level).toBe('degraded');
    expect(s.parts.find((p) => p.kind === 'hub')).toMatchObject({ level: 'degraded', since: at - 6 * MIN, link: { screen: 'health' } });
    expect(s.summary).toContain('hub nats://hub:4222: 340 waiting to publish');
  });

  it('a follower says how far behind it is, and changes no level', () => {
    const s = overallStatus({ ...base, hub: { role: 'follower', hub: 'tls://hub:4222', behind: 7 } });
    expect(s.level).toBe('ok');
    expect(s.parts.find((p) => p.kind === 'hub')?.text).toBe('following tls://hub:4222, 7 behind');
    const unknown = overallStatus({ ...base, hub: { role: 'follower', hub: 'tls://hub:4222', behind: null } });
    expect(unknown.parts.find((p) => p.kind === 'hub')?.text).toBe('following tls://hub:4222, how far behind not known yet');
    expect(overallStatus({ ...base, hub: null }).parts.some((p) => p.kind === 'hub')).toBe(false);
  });
});
