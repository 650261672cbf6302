import { afterEach, describe, expect, it } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { TunnelSettingsError } from '../../main/core/tunnel/index.js';
import { tempDir } from '../support/harness.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

// A tunnel server address where nothing listens, on loopback: the tunnel keeps failing (with backoff), and no
// traffic leaves this machine.
const NOWHERE = 'http://127.0.0.1:9';

describe('tunnel preferences', () => {
  it('are validated, applied to the running tunnel, and used again at the next start', async () => {
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {}, tunnel: { host: NOWHERE } });
    // What the screen starts from is what the running tunnel uses (here: the host given at start, and the
    // name picked at random on this first run and kept).
    expect(core.tunnelPreferences()).toEqual({ host: NOWHERE, subdomain: expect.stringMatching(/^hw-[a-z0-9]{12}$/) });
    expect(() => core.setTunnelPreferences({ subdomain: 'Bad_Name' })).toThrow(TunnelSettingsError);
    // Changing only the subdomain keeps the host in use.
    expect(core.setTunnelPreferences({ subdomain: 'first-name' })).toEqual({ host: NOWHERE, subdomain: 'first-name' });
    expect(core.setTunnelPreferences({ host: NOWHERE, subdomain: 'acme-support' })).toEqual({ host: NOWHERE, subdomain: 'acme-support' });
    expect(core.tunnel!.current.requestedSubdomain).toBe('acme-support');
    await core.stop();

    // Started again without naming a host or subdomain (as the desktop app does): the saved ones apply.
    const again = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {}, tunnel: { enabled: true } });
    expect(again.tunnel!.current.requestedSubdomain).toBe('acme-support');
    expect(again.tunnelPreferences()).toEqual({ host: NOWHERE, subdomain: 'acme-support' });
    // A null host means the public service again (the setting only; nothing is contacted here).
    await again.tunnel!.stop();
    // A null subdomain means a new random name, kept like the first one.
    expect(again.setTunnelPreferences({ host: null, subdomain: null })).toEqual({
      host: 'https://localtunnel.me',
      subdomain: expect.stringMatching(/^hw-[a-z0-9]{12}$/),
    });
    expect(again.tunnel!.current.state).toBe('off'); // a stopped tunnel only records the change
    await again.stop();
  });
});
