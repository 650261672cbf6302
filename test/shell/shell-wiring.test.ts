// The desktop shell's wiring, with the `electron` module faked (Electron cannot run here) and everything
// else real: a HookwatchCore with its SQLite file and HTTP receiver on 127.0.0.1, the API service,
// electron-store settings in a temp folder. Events are POSTed to the real receiver; the test watches
// what the shell does to the fake tray, notifications, window, clipboard and IPC.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // electron-store imports `electron`; loaded by Node itself, the real package must not try to download Electron.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule());

import {
  fake,
  fakeEvent,
  FakeBrowserWindow,
  FakeNotification,
  FakeTray,
  menuItem,
  menuLabels,
  resetFakeElectron,
  type MenuItemTemplate,
} from './fake-electron.js';
import { createHookwatchService } from '../../main/core/api/create.js';
import { API_EVENT_CHANNEL, API_INVOKE_CHANNEL, IpcSenderRefused } from '../../main/shell/ipc-bridge.js';
import { openShellSettings } from '../../main/shell/settings-store.js';
import { HookwatchShell, type ShellOptions } from '../../main/shell/shell.js';
import type { TunnelControl, TunnelView } from '../../main/shell/tunnel-control.js';
import { fixturePayloads, postJson, startCore, tempDir } from '../support/harness.js';

const fixture = (name: string) => JSON.parse(fixturePayloads().find((p) => p.name === name)!.body);
const OURS = { url: 'hookwatch://app/index.html', parent: null };

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

class FakeTunnel implements TunnelControl {
  current: TunnelView = { state: 'up', url: 'https://quiet-fox.loca.lt' };
  enabledCalls: boolean[] = [];
  rechecks = 0;
  private listeners = new Set<(s: TunnelView) => void>();
  status() {
    return { ...this.current };
  }
  async setEnabled(on: boolean) {
    this.enabledCalls.push(on);
    this.move(on ? { state: 'connecting', url: null } : { state: 'off', url: null });
  }
  async recheck() {
    this.rechecks++;
  }
  onChange(listener: (s: TunnelView) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  move(s: TunnelView) {
    this.current = s;
    for (const l of this.listeners) l(this.status());
  }
}

interface Harness {
  shell: HookwatchShell;
  settings: ReturnType<typeof openShellSettings>;
  core: Awaited<ReturnType<typeof startCore>>['core'];
  url: string;
  appRoot: string;
  configHome: string;
  logs: string[];
  tray: () => FakeTray;
  menu: () => MenuItemTemplate[];
  stop: () => Promise<void>;
}

let running: Harness | null = null;

async function startShell(options: Partial<ShellOptions> = {}): Promise<Harness> {
  const c = await startCore();
  const tmp = tempDir('hookwatch-shell-');
  const appRoot = join(tmp.dir, 'app');
  mkdirSync(join(appRoot, 'dist/renderer/assets'), { recursive: true });
  writeFileSync(
    join(appRoot, 'dist/renderer/index.html'),
    '<!doctype html><title>Hookwatch</title><script type="module" src="./assets/main.js"></script>',
  );
  writeFileSync(join(appRoot, 'dist/renderer/assets/main.js'), 'console.log("renderer")');
  const configHome = join(tmp.dir, 'config');
  const service = createHookwatchService(c.core, { batchMs: 5 });
  const settings = openShellSettings({ cwd: join(tmp.dir, 'userData') });
  const logs: string[] = [];
  const shell = HookwatchShell.start({
    core: c.core,
    service,
    settings,
    tunnel: null,
    appRoot,
    startHidden: true,
    devOrigin: null,
    isPackaged: true,
    platform: 'linux',
    env: { XDG_CONFIG_HOME: configHome },
    locale: 'en-GB',
    log: (l) => logs.push(l),
    refreshIntervalMs: 3_600_000,
    ...options,
  });
  let stopped = false;
  const h: Harness = {
    shell,
    settings,
    core: c.core,
    url: c.url,
    appRoot,
    configHome,
    logs,
    tray: () => FakeTray.instances[0]!,
    menu: () => FakeTray.instances[0]!.menu!.template,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await shell.shutdown();
      await c.stop();
      tmp.cleanup();
    },
  };
  running = h;
  return h;
}

beforeEach(() => resetFakeElectron());
afterEach(async () => {
  await running?.stop();
  running = null;
});

const picture = (h: Harness) => basename(h.tray().image.path);

describe('tray (Electron is faked)', () => {
  it('Electron is faked: the tray icon, tooltip and account lines follow the accounts’ states', async () => {
    const h = await startShell();
    expect(picture(h)).toBe('tray-ok-light.png');
    expect(h.tray().tooltip).toBe('Hookwatch: no WhatsApp accounts seen yet');
    expect(menuLabels(h.menu())[0]).toBe('No WhatsApp accounts seen yet (disabled)');

    expect((await postJson(h.url, fixture('tl_account_disconnected.json'))).status).toBe(200);
    await waitFor(() => picture(h) === 'tray-down-light.png', 'the tray to turn red');
    expect(h.tray().tooltip).toBe('Hookwatch: 1 of 1 account down: Acme Support (+15555550100)');
    expect(menuLabels(h.menu())[0]).toMatch(/^Acme Support \(\+15555550100\) — disconnected for \d+ d/);

    const up = fixture('tl_account_connected.json');
    up.whatsapp_account.connected_on = '2025-03-02 14:40:51 +0000';
    await postJson(h.url, up);
    await waitFor(() => picture(h) === 'tray-ok-light.png', 'the tray to turn green again');
    expect(h.tray().tooltip).toBe('Hookwatch: account OK');
    expect(menuLabels(h.menu())[0]).toMatch(/^Acme Support \(\+15555550100\) — connected for/);
    // Its line opens the window on that number's own card.
    menuItem(h.menu(), /^Acme Support/).click!();
    expect(FakeBrowserWindow.instances[0]!.webContents.loadedUrls).toEqual([
      `hookwatch://app/index.html#/accounts/${encodeURIComponent('+15555550100')}`,
    ]);
  });

  it('Electron is faked: the menu has open, copy, send a test event, snooze, pause tunnel, start at login and quit', async () => {
    const h = await startShell();
    expect(menuLabels(h.menu())).toEqual([
      'No WhatsApp accounts seen yet (disabled)',
      'Tunnel is off (not set up) (disabled)',
      '---',
      'Open Hookwatch',
      'Copy webhook URL',
      'Send a test event',
      'Snooze alerts',
      '  For 1 hour',
      '  For 4 hours',
      '  For 8 hours',
      '  Until tomorrow',
      '[ ] Pause tunnel (the tunnel is off) (disabled)',
      '[ ] Start at login',
      '---',
      'Quit Hookwatch',
    ]);
  });

  it('Electron is faked: "Snooze alerts" snoozes in the core, and "Resume alerts" ends it', async () => {
    const h = await startShell();
    const before = Date.now();
    menuItem(h.menu(), 'For 4 hours').click!();
    await waitFor(() => h.core.alerts.settings().snoozedUntil !== null, 'the snooze');
    const until = h.core.alerts.settings().snoozedUntil!;
    expect(until).toBeGreaterThanOrEqual(before + 4 * 3_600_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 4 * 3_600_000);
    await waitFor(() => menuLabels(h.menu()).some((l) => l.startsWith('Alerts snoozed until')), 'the menu to say it');
    expect(menuLabels(h.menu())).toContain('  Resume alerts');
    expect(h.tray().tooltip).toMatch(/alerts snoozed until/);

    menuItem(h.menu(), 'Resume alerts').click!();
    await waitFor(() => h.core.alerts.settings().snoozedUntil === null, 'the snooze to end');
    await waitFor(() => !menuLabels(h.menu()).includes('  Resume alerts'), 'the menu to drop "Resume alerts"');
  });

  it('Electron is faked: "Copy webhook URL" writes the receiver’s URL (with its secret) to the clipboard, and to no log', async () => {
    const h = await startShell();
    menuItem(h.menu(), 'Copy webhook URL').click!();
    await waitFor(() => fake.clipboard.length === 1, 'the clipboard');
    expect(fake.clipboard[0]).toBe(h.core.receiver.localUrl);
    expect(fake.clipboard[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/.+/);
    const secret = fake.clipboard[0]!.split('/hooks/')[1]!;
    expect(h.logs.join('\n')).not.toContain(secret);
  });

  it('Electron is faked: "Start at login" writes the autostart entry and mirrors it in the settings', async () => {
    const h = await startShell();
    menuItem(h.menu(), 'Start at login').click!();
    const entry = join(h.configHome, 'autostart/hookwatch.desktop');
    await waitFor(() => existsSync(entry), 'the autostart entry');
    expect(readFileSync(entry, 'utf8')).toMatch(/^Exec=.* --hidden$/m);
    await waitFor(() => menuItem(h.menu(), 'Start at login').checked === true, 'the checkbox');
    menuItem(h.menu(), 'Start at login').click!();
    await waitFor(() => !existsSync(entry), 'the entry to go');
  });

  it('Electron is faked: "Quit" stops the core (its receiver stops answering) and then lets the app quit', async () => {
    const h = await startShell();
    const url = h.url;
    expect((await postJson(url, fixture('tl_account_connected.json'))).status).toBe(200);
    menuItem(h.menu(), 'Quit Hookwatch').click!();
    expect(fake.app.quitted).toBe(false); // held until the core has finished its writes
    await waitFor(() => fake.app.quitted, 'the app to quit');
    expect(fake.app.quitCalls).toBe(2);
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(() => h.core.store.listAlerts({ limit: 1 })).toThrow(/not open/i);
    expect(h.tray().destroyed).toBe(true);
    expect(fake.ipcMain.handlers.has(API_INVOKE_CHANNEL)).toBe(false);
  });

  it('Electron is faked: closing the last window keeps Hookwatch running in the tray', async () => {
    const h = await startShell({ startHidden: false });
    const win = FakeBrowserWindow.instances[0]!;
    win.userClose();
    fake.app.emit('window-all-closed', fakeEvent());
    expect(fake.app.quitCalls).toBe(0);
    expect(h.tray().destroyed).toBe(false);
    menuItem(h.menu(), 'Open Hookwatch').click!();
    await waitFor(() => FakeBrowserWindow.instances.length === 2, 'a new window');
  });
});

describe('"Send a test event" in the tray (Electron is faked)', () => {
  it('Electron is faked: it sends a marked test event to the real receiver and shows each hop as a notification; a click opens the event', async () => {
    const h = await startShell();
    menuItem(h.menu(), 'Send a test event').click!();
    await waitFor(() => FakeNotification.instances.length === 1, 'the notification');
    const n = FakeNotification.instances[0]!;
    expect(n.shown).toBe(true);
    // No tunnel in this shell: it went straight to the local receiver, and the notification says what that means.
    expect(n.options.title).toBe('Test event stored (sent locally)');
    expect(n.options.body).toMatch(/^receiver answered \d+ ms, stored \d+ ms\. The tunnel is not up, so it went straight to the receiver/);
    const stored = h.core.store.listEvents({ limit: 5 }).filter((e) => e.type === 'hookwatch:test');
    expect(stored).toHaveLength(1);
    expect(h.core.store.listAlerts({ limit: 10 })).toHaveLength(0);
    n.userClick();
    expect(FakeBrowserWindow.instances[0]!.webContents.loadedUrls).toEqual([`hookwatch://app/index.html#/feed/${stored[0]!.id}`]);
    expect(JSON.stringify(n.options) + h.logs.join('\n')).not.toContain(h.core.receiver.webhookPath);
  });

  it('Electron is faked: with the receiver gone, the notification says where it stopped and what to do; a click opens Setup', async () => {
    const h = await startShell();
    await h.core.receiver.stop();
    menuItem(h.menu(), 'Send a test event').click!();
    await waitFor(() => FakeNotification.instances.length === 1, 'the notification');
    const n = FakeNotification.instances[0]!;
    expect(n.options.title).toBe('Test event failed');
    expect(n.options.body).toBe('It could not be sent: receiver is not listening. Setup shows the webhook URL and the steps.');
    n.userClick();
    expect(FakeBrowserWindow.instances[0]!.webContents.loadedUrls).toEqual(['hookwatch://app/index.html#/setup']);
  });

  it('Electron is faked: while it is on its way the item says "Sending a test event…" and is disabled; a second click sends nothing', async () => {
    const h = await startShell();
    const item = menuItem(h.menu(), 'Send a test event');
    item.click!();
    item.click!(); // the old menu's item, clicked again before the menu was rebuilt
    await waitFor(() => menuLabels(h.menu()).includes('Sending a test event… (disabled)'), 'the sending state');
    await waitFor(() => FakeNotification.instances.length === 1, 'the notification');
    await waitFor(() => menuLabels(h.menu()).includes('Send a test event'), 'the item back');
    expect(h.core.store.listEvents({ limit: 5 }).filter((e) => e.type === 'hookwatch:test')).toHaveLength(1);
    expect(FakeNotification.instances).toHaveLength(1);
  });

  it('Electron is faked: where the system shows no notifications, a message box gives the result', async () => {
    const h = await startShell();
    FakeNotification.supported = false;
    menuItem(h.menu(), 'Send a test event').click!();
    await waitFor(() => fake.messageBoxes.length === 1, 'the message box');
    expect(fake.messageBoxes[0]).toMatchObject({
      message: 'Test event stored (sent locally)',
      detail: expect.stringMatching(/stored \d+ ms/),
    });
    expect(FakeNotification.instances).toHaveLength(0);
  });
});

describe('tunnel (Electron is faked)', () => {
  it('Electron is faked: "Pause tunnel" pauses and resumes it, and the tray follows its state', async () => {
    const tunnel = new FakeTunnel();
    const h = await startShell({ tunnel });
    expect(menuLabels(h.menu())).toContain('Tunnel up (disabled)');
    menuItem(h.menu(), 'Pause tunnel').click!();
    await waitFor(() => menuItem(h.menu(), 'Pause tunnel').checked === true, 'the paused checkbox');
    expect(tunnel.enabledCalls).toEqual([false]);
    expect(h.tray().tooltip).toMatch(/tunnel paused/);
    menuItem(h.menu(), 'Pause tunnel').click!();
    await waitFor(() => tunnel.enabledCalls.length === 2, 'the resume');
    expect(tunnel.enabledCalls).toEqual([false, true]);

    tunnel.move({ state: 'down', url: null });
    expect(picture(h)).toBe('tray-degraded-light.png');
    expect(h.tray().tooltip).toMatch(/tunnel down: events can be lost/);
  });

  it('Electron is faked: after the computer wakes, the tunnel is re-checked', async () => {
    const tunnel = new FakeTunnel();
    await startShell({ tunnel });
    expect(tunnel.rechecks).toBe(0);
    fake.powerMonitor.emit('resume');
    expect(tunnel.rechecks).toBe(1);
  });

  it('Electron is faked: waking without a tunnel does nothing, and a failing re-check is logged', async () => {
    const tunnel = new FakeTunnel();
    tunnel.recheck = async () => {
      throw new Error('no network yet');
    };
    const h = await startShell({ tunnel });
    fake.powerMonitor.emit('resume');
    await waitFor(() => h.logs.some((l) => /re-check after wake failed: no network yet/.test(l)), 'the log line');
  });
});

describe('notifications (Electron is faked)', () => {
  it('Electron is faked: one native notification per alert that should notify, none for a suppressed one', async () => {
    const h = await startShell();
    const down = await postJson(h.url, fixture('tl_account_disconnected.json'));
    await waitFor(() => FakeNotification.instances.length === 1, 'the notification');
    const n = FakeNotification.instances[0]!;
    expect(n.shown).toBe(true);
    expect(n.options).toMatchObject({ urgency: 'critical', timeoutType: 'never', silent: false });
    expect(n.options.title).toMatch(/Acme Support|\+15555550100/);
    const stored = h.core.store.listAlerts({ limit: 10 });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ notify: true, suppressed: null, eventId: down.json.events[0].id });

    // A muted account: the alert is kept, but not shown.
    h.core.alerts.setMuted('+15555550777', true);
    const other = fixture('tl_account_disconnected.json');
    other.whatsapp_account.phone = '+15555550777';
    other.whatsapp_account.id = '15555550777@s.whatsapp.net';
    await postJson(h.url, other);
    await waitFor(() => h.core.store.listAlerts({ limit: 10 }).length === 2, 'the muted alert to be stored');
    expect(h.core.store.listAlerts({ limit: 1 })[0]).toMatchObject({ accountPhone: '+15555550777', notify: false, suppressed: 'muted' });
    expect(FakeNotification.instances).toHaveLength(1);
  });

  it('Electron is faked: with desktop notifications switched off in the settings, alerts are kept but not shown', async () => {
    const h = await startShell();
    h.settings.setNotifications({ enabled: false });
    await postJson(h.url, fixture('tl_account_disconnected.json'));
    await waitFor(() => h.core.store.listAlerts({ limit: 10 }).length === 1, 'the alert');
    await waitFor(() => picture(h) === 'tray-down-light.png', 'the tray');
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('Electron is faked: clicking a notification opens the window on the event that raised the alert', async () => {
    const h = await startShell();
    expect(FakeBrowserWindow.instances).toHaveLength(0); // started at login: tray only
    const down = await postJson(h.url, fixture('tl_account_disconnected.json'));
    const eventId = down.json.events[0].id as number;
    await waitFor(() => FakeNotification.instances.length === 1, 'the notification');
    FakeNotification.instances[0]!.userClick();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.webContents.loadedUrls).toEqual([`hookwatch://app/index.html#/feed/${eventId}`]);

    // With the window open and loaded, the next click is a navigation request on the event channel.
    win.webContents.finishLoad('hookwatch://app/index.html');
    const again = fixture('tl_account_suspended.json');
    const suspended = await postJson(h.url, again);
    await waitFor(() => FakeNotification.instances.length === 2, 'the second notification');
    FakeNotification.instances[1]!.userClick();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const navigation = win.webContents.sent.filter((s) => (s.message as { kind: string }).kind === 'navigate');
    expect(navigation).toEqual([
      { channel: API_EVENT_CHANNEL, message: { kind: 'navigate', data: { screen: 'feed', eventId: suspended.json.events[0].id } } },
    ]);
    expect(win.visible).toBe(true);
    expect(win.focused).toBeGreaterThan(0);
  });
});

describe('window and IPC (Electron is faked)', () => {
  it('Electron is faked: the window is sandboxed, isolated, without Node, and loads our renderer through the preload', async () => {
    const h = await startShell({ startHidden: false });
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      devTools: false,
      preload: join(h.appRoot, 'dist/preload/index.cjs'),
    });
    expect(win.webContents.loadedUrls).toEqual(['hookwatch://app/index.html']);
  });

  it('Electron is faked: new windows are denied and navigation away is blocked; https links go to the system browser', async () => {
    await startShell({ startHidden: false });
    const wc = FakeBrowserWindow.instances[0]!.webContents;
    expect(wc.windowOpenHandler!({ url: 'https://app.timelines.ai/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const nav = fakeEvent();
    wc.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.defaultPrevented).toBe(true);
    const nav2 = fakeEvent();
    wc.emit('will-navigate', nav2, 'file:///home/me/.ssh/id_rsa');
    expect(nav2.defaultPrevented).toBe(true);
    await waitFor(() => fake.openedExternal.length === 2, 'the system browser');
    expect(fake.openedExternal).toEqual(['https://app.timelines.ai/', 'https://evil.example/']);
    const webview = fakeEvent();
    wc.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    let granted: boolean | null = null;
    fake.permissionRequestHandler!(wc, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    // The Copy buttons may write to the clipboard from our own page, and from no other.
    let ours: boolean | null = null;
    fake.permissionRequestHandler!({ getURL: () => 'hookwatch://app/index.html#/setup' }, 'clipboard-sanitized-write', (g) => (ours = g));
    expect(ours).toBe(true);
    let foreign: boolean | null = null;
    fake.permissionRequestHandler!({ getURL: () => 'https://evil.example/' }, 'clipboard-sanitized-write', (g) => (foreign = g));
    expect(foreign).toBe(false);
  });

  it('Electron is faked: the API answers our window over one channel, and refuses any other frame', async () => {
    const h = await startShell();
    const posted = await postJson(h.url, fixture('tl_account_disconnected.json'));
    const answer = (await fake.ipcMain.invokeFrom(OURS, API_INVOKE_CHANNEL, 'listEvents', [{}])) as {
      ok: boolean;
      result: { events: Array<{ id: number }> };
    };
    expect(answer.ok).toBe(true);
    expect(answer.result.events.map((e) => e.id)).toContain(posted.json.events[0].id);
    expect([...fake.ipcMain.handlers.keys()]).toEqual([API_INVOKE_CHANNEL]);

    for (const frame of [
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///tmp/index.html', parent: null },
      { url: 'hookwatch://app/index.html', parent: {} },
      null,
    ]) {
      await expect(fake.ipcMain.invokeFrom(frame, API_INVOKE_CHANNEL, 'listEvents', [{}])).rejects.toBeInstanceOf(IpcSenderRefused);
    }
    expect(h.logs.filter((l) => /refused an API call/.test(l))).toEqual([
      'refused an API call from https://evil.example',
      'refused an API call from file://',
      'refused an API call from hookwatch://app (a subframe)',
      'refused an API call from a frame that is gone',
    ]);
    expect(await fake.ipcMain.invokeFrom(OURS, API_INVOKE_CHANNEL, 'constructor', [])).toMatchObject({ ok: false, status: 404 });
    expect(await fake.ipcMain.invokeFrom(OURS, API_INVOKE_CHANNEL, 'getEvent', 'not an array')).toMatchObject({ ok: false, status: 400 });
  });

  it('Electron is faked: notifications reach our loaded window only, never a page that is not ours', async () => {
    const h = await startShell({ startHidden: false });
    const wc = FakeBrowserWindow.instances[0]!.webContents;
    wc.finishLoad('hookwatch://app/index.html');
    await postJson(h.url, fixture('tl_account_connected.json'));
    await waitFor(() => wc.sent.some((s) => (s.message as { kind: string }).kind === 'events'), 'the events notification');
    expect(wc.sent.every((s) => s.channel === API_EVENT_CHANNEL)).toBe(true);

    wc.sent.length = 0;
    wc.mainFrame.url = 'https://evil.example/';
    const other = fixture('tl_account_connected.json');
    other.whatsapp_account.phone = '+15555550999';
    await postJson(h.url, other);
    await new Promise((r) => setTimeout(r, 100));
    expect(wc.sent).toEqual([]);
  });

  it('Electron is faked: the renderer scheme serves dist/renderer with the CSP header, and nothing outside it', async () => {
    await startShell();
    const handler = fake.protocolHandlers.get('hookwatch')!;
    const index = await handler({ url: 'hookwatch://app/index.html#/feed' });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await index.text()).toContain('<title>Hookwatch</title>');
    const script = await handler({ url: 'hookwatch://app/assets/main.js' });
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const url of [
      'hookwatch://app/../../userData/shell-settings.json',
      'hookwatch://app/assets/..%2f..%2f..%2fuserData%2fshell-settings.json',
      'hookwatch://app/missing.js',
    ]) {
      const r = await handler({ url });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-security-policy')).toBeTruthy();
    }
  });

  it('Electron is faked: a second launch opens the window; on macOS there is no Dock icon', async () => {
    await startShell({ platform: 'darwin' });
    expect(fake.app.dockHidden).toBe(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    fake.app.emit('second-instance', fakeEvent(), [], '/');
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(basename(FakeTray.instances[0]!.image.path)).toBe('tray-okTemplate.png');
    expect(FakeTray.instances[0]!.image.template).toBe(true);
  });
});
