// The shell's decisions as pure functions, tested as tables. No Electron involved (none is imported).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopNoticeFor, escapeNotificationMarkup, type AlertForNotice } from '../../main/shell/desktop-notice.js';
import {
  autostartDesktopEntry,
  ElectronLoginItem,
  HIDDEN_ARG,
  LinuxAutostart,
  linuxAutostartPath,
  quoteExecArg,
} from '../../main/shell/login-item.js';
import {
  devRendererCsp,
  devRendererOrigin,
  isExternalLinkAllowed,
  isTrustedRendererUrl,
  isTrustedSenderFrame,
  RENDERER_CSP,
  rendererFileFor,
} from '../../main/shell/renderer-origin.js';
import { routeForAlert, routeHash } from '../../main/shell/renderer-route.js';
import { parseHash } from '../../renderer/src/lib/route.js';
import { clip, formatClock, formatDuration } from '../../main/shell/shell-format.js';
import { receiverPort } from '../../main/shell/startup.js';
import { trayIconFile } from '../../main/shell/tray-icon.js';
import { menuLabel, toMenuTemplate, trayMenuModel, type TrayAction, type TrayMenuItem } from '../../main/shell/tray-menu.js';
import { trayStateFrom, TOOLTIP_MAX, type TrayAccountInput, type TrayStateInput } from '../../main/shell/tray-state.js';
import { restoredBounds } from '../../main/shell/window-bounds.js';
import { tempDir } from '../support/harness.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const clock = { locale: 'en-GB', timeZone: 'UTC' };

function account(key: string, state: TrayAccountInput['state'], extra: Partial<TrayAccountInput> = {}): TrayAccountInput {
  return { key, phone: key.startsWith('+') ? key : null, name: null, state, since: NOW - 12 * MIN, ...extra };
}

function input(extra: Partial<TrayStateInput>): TrayStateInput {
  return { accounts: [], mutedAccounts: [], tunnel: null, snoozedUntil: null, now: NOW, clock, ...extra };
}

describe('tray state (the look table in main/shell/tray-state.ts)', () => {
  const up = { state: 'up', url: 'https://a.loca.lt' };
  it.each([
    ['no accounts, no tunnel', input({}), 'ok'],
    [
      'all connected, tunnel up',
      input({ accounts: [account('+15550001', 'connected'), account('+15550002', 'connected')], tunnel: up }),
      'ok',
    ],
    ['unknown accounts only (before their first event)', input({ accounts: [account('+15550001', 'unknown', { since: null })] }), 'ok'],
    [
      'one account disconnected',
      input({ accounts: [account('+15550001', 'connected'), account('+15550002', 'disconnected')], tunnel: up }),
      'down',
    ],
    ['one account suspended', input({ accounts: [account('+15550001', 'suspended')] }), 'down'],
    [
      'the only down account is muted',
      input({ accounts: [account('+15550001', 'disconnected')], mutedAccounts: ['+15550001'] }),
      'degraded',
    ],
    [
      'a muted and an unmuted account down',
      input({ accounts: [account('+15550001', 'disconnected'), account('+15550002', 'suspended')], mutedAccounts: ['+15550001'] }),
      'down',
    ],
    [
      'tunnel down, accounts fine',
      input({ accounts: [account('+15550001', 'connected')], tunnel: { state: 'down', url: null } }),
      'degraded',
    ],
    ['tunnel degraded', input({ tunnel: { state: 'degraded', url: 'https://a.loca.lt' } }), 'degraded'],
    ['tunnel reconnecting', input({ tunnel: { state: 'reconnecting', url: null } }), 'degraded'],
    ['tunnel connecting (starting up)', input({ tunnel: { state: 'connecting', url: null } }), 'ok'],
    ['tunnel paused by the user', input({ tunnel: { state: 'off', url: null } }), 'ok'],
    [
      'account down and tunnel down',
      input({ accounts: [account('+15550001', 'disconnected')], tunnel: { state: 'down', url: null } }),
      'down',
    ],
    ['snoozed does not hide an outage', input({ accounts: [account('+15550001', 'disconnected')], snoozedUntil: NOW + 60 * MIN }), 'down'],
  ])('%s → %s', (_name, i, look) => {
    expect(trayStateFrom(i).look).toBe(look);
  });

  it('tooltips say what is wrong in a few words', () => {
    expect(trayStateFrom(input({})).tooltip).toBe('Hookwatch: no WhatsApp accounts seen yet');
    expect(trayStateFrom(input({ accounts: [account('+15550001', 'connected'), account('+15550002', 'connected')] })).tooltip).toBe(
      'Hookwatch: all 2 accounts OK',
    );
    expect(
      trayStateFrom(
        input({
          accounts: [account('+15550001', 'connected'), account('+15550002', 'disconnected', { name: 'Sales' })],
          tunnel: { state: 'down', url: null },
        }),
      ).tooltip,
    ).toBe('Hookwatch: 1 of 2 accounts down: Sales (+15550002); tunnel down: events can be lost');
    expect(
      trayStateFrom(
        input({ accounts: [account('+15550001', 'connected')], tunnel: { state: 'off', url: null }, snoozedUntil: NOW + 150 * MIN }),
      ).tooltip,
    ).toBe('Hookwatch: account OK; tunnel paused; alerts snoozed until 14:30');
  });

  it('a tooltip never exceeds what Windows shows, however many accounts are down', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      account(`+1555000${String(i).padStart(4, '0')}`, 'disconnected', { name: `A rather long account name number ${i}` }),
    );
    const t = trayStateFrom(input({ accounts: many })).tooltip;
    expect(Array.from(t).length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(t.startsWith('Hookwatch: 40 of 40 accounts down: ')).toBe(true);
    expect(t.endsWith('…')).toBe(true);
  });

  it('lists down accounts first, says for how long (from the start of the outage) and marks muted ones', () => {
    const s = trayStateFrom(
      input({
        accounts: [
          account('+15550003', 'connected', { name: 'Zed' }),
          account('+15550001', 'unknown', { name: 'Alpha', since: null }),
          account('+15550002', 'suspended', { name: 'Beta', since: NOW - 5 * MIN, downSince: NOW - 95 * MIN }),
          account('jid-1@s.whatsapp.net', 'disconnected', { name: null, phone: null }),
        ],
        mutedAccounts: ['+15550002'],
      }),
    );
    expect(s.accounts.map((a) => a.label)).toEqual([
      'Beta (+15550002) — suspended for 1 h 35 min (muted)',
      'jid-1@s.whatsapp.net — disconnected for 12 min',
      'Alpha (+15550001) — no status yet',
      'Zed (+15550003) — connected for 12 min',
    ]);
  });

  it('a snooze shows only while it lasts', () => {
    expect(trayStateFrom(input({ snoozedUntil: NOW + 30 * MIN })).snoozeLabel).toBe('Alerts snoozed until 12:30');
    expect(trayStateFrom(input({ snoozedUntil: NOW + 24 * 60 * MIN })).snoozeLabel).toBe('Alerts snoozed until Sun 12:00');
    expect(trayStateFrom(input({ snoozedUntil: NOW - 1 })).snoozedUntil).toBeNull();
  });
});

function labels(items: TrayMenuItem[], indent = ''): string[] {
  return items.flatMap((i) => {
    if (i.type === 'separator') return [`${indent}---`];
    if (i.type === 'submenu') return [`${indent}${i.label} >`, ...labels(i.items, `${indent}  `)];
    const mark = i.type === 'checkbox' ? (i.checked ? '[x] ' : '[ ] ') : '';
    return [`${indent}${mark}${i.label}${i.enabled ? '' : ' (disabled)'}`];
  });
}

describe('tray menu model', () => {
  const loginOn = { startAtLogin: { supported: true, enabled: true } };

  it('has one line per account, then open, copy, send a test event, snooze, pause tunnel, start at login and quit', () => {
    const state = trayStateFrom(
      input({
        accounts: [account('+15550001', 'connected', { name: 'Support' }), account('+15550002', 'disconnected')],
        tunnel: { state: 'up', url: 'https://x.loca.lt' },
      }),
    );
    expect(labels(trayMenuModel(state, loginOn))).toEqual([
      '+15550002 — disconnected for 12 min',
      'Support (+15550001) — connected for 12 min',
      'Tunnel up (disabled)',
      '---',
      'Open Hookwatch',
      'Copy webhook URL',
      'Send a test event',
      'Snooze alerts >',
      '  For 1 hour',
      '  For 4 hours',
      '  For 8 hours',
      '  Until tomorrow',
      '[ ] Pause tunnel',
      '[x] Start at login',
      '---',
      'Quit Hookwatch',
    ]);
  });

  it('offers "Resume alerts" while snoozed, under a label that says until when', () => {
    const items = trayMenuModel(trayStateFrom(input({ snoozedUntil: NOW + 60 * MIN })), loginOn);
    const snooze = items.find((i) => i.type === 'submenu');
    expect(snooze && labels([snooze])).toEqual([
      'Alerts snoozed until 13:00 >',
      '  For 1 hour',
      '  For 4 hours',
      '  For 8 hours',
      '  Until tomorrow',
      '  ---',
      '  Resume alerts',
    ]);
    expect(snooze?.type === 'submenu' && snooze.items.at(-1)).toMatchObject({ action: { kind: 'resume-alerts' } });
  });

  it('without a tunnel, "Pause tunnel" is disabled and says the tunnel is off', () => {
    const items = trayMenuModel(trayStateFrom(input({ tunnel: null })), loginOn);
    expect(items.find((i) => i.type === 'checkbox' && /tunnel/i.test(i.label))).toEqual({
      type: 'checkbox',
      label: 'Pause tunnel (the tunnel is off)',
      checked: false,
      enabled: false,
      action: null,
    });
    expect(labels(items)).toContain('Tunnel is off (not set up) (disabled)');
  });

  it('a paused tunnel is a checked item whose action resumes it; a running one pauses', () => {
    const paused = trayMenuModel(trayStateFrom(input({ tunnel: { state: 'off', url: null } })), loginOn).find(
      (i) => i.type === 'checkbox' && i.label === 'Pause tunnel',
    );
    expect(paused).toMatchObject({ checked: true, enabled: true, action: { kind: 'set-tunnel-paused', paused: false } });
    const running = trayMenuModel(trayStateFrom(input({ tunnel: { state: 'up', url: 'https://x' } })), loginOn).find(
      (i) => i.type === 'checkbox' && i.label === 'Pause tunnel',
    );
    expect(running).toMatchObject({ checked: false, action: { kind: 'set-tunnel-paused', paused: true } });
  });

  it('sums up accounts beyond the limit in one line that opens the accounts screen', () => {
    const many = Array.from({ length: 14 }, (_, i) => account(`+1555000${String(i).padStart(4, '0')}`, 'connected'));
    const items = trayMenuModel(trayStateFrom(input({ accounts: many })), { ...loginOn, maxAccountLines: 10 });
    expect(items.filter((i) => i.type === 'normal' && /^\+1555/.test(i.label))).toHaveLength(10);
    expect(items[10]).toEqual({
      type: 'normal',
      label: '…and 4 more',
      enabled: true,
      action: { kind: 'open', route: { screen: 'accounts' } },
    });
  });

  it('each account line opens that number’s card; while a test event is on its way its item is disabled and says so', () => {
    const items = trayMenuModel(trayStateFrom(input({ accounts: [account('+15550001', 'connected', { name: 'Support' })] })), {
      ...loginOn,
      sendingTestEvent: true,
    });
    expect(items[0]).toMatchObject({ action: { kind: 'open', route: { screen: 'accounts', account: '+15550001' } } });
    expect(labels(items)).toContain('Sending a test event… (disabled)');
    expect(labels(items)).not.toContain('Send a test event');
  });

  it('"Start at login" is disabled where the system has no login items', () => {
    const items = trayMenuModel(trayStateFrom(input({})), { startAtLogin: { supported: false, enabled: false } });
    expect(labels(items)).toContain('[ ] Start at login (not supported here) (disabled)');
  });

  it('the Electron template runs each item’s action on click, and escapes "&" where it marks a mnemonic', () => {
    const ran: TrayAction[] = [];
    const items = trayMenuModel(trayStateFrom(input({ accounts: [account('+15550001', 'connected', { name: 'R&D' })] })), loginOn);
    const linux = toMenuTemplate(items, (a) => ran.push(a), 'linux');
    expect(linux[0]!.label).toBe('R&&D (+15550001) — connected for 12 min');
    expect(toMenuTemplate(items, () => {}, 'darwin')[0]!.label).toBe('R&D (+15550001) — connected for 12 min');
    const snooze = linux.find((i) => i.type === 'submenu')!;
    (snooze.submenu as Electron.MenuItemConstructorOptions[])[1]!.click!(undefined as never, undefined, undefined as never);
    linux.find((i) => i.label === 'Quit Hookwatch')!.click!(undefined as never, undefined, undefined as never);
    expect(ran).toEqual([{ kind: 'snooze', choice: '4h' }, { kind: 'quit' }]);
    expect(linux.find((i) => i.label === 'Tunnel is off (not set up)')!.click).toBeUndefined();
    expect(menuLabel('A & B', 'win32')).toBe('A && B');
  });
});

function alert(extra: Partial<AlertForNotice>): AlertForNotice {
  return {
    id: 7,
    severity: 'critical',
    kind: 'account-down',
    title: 'Account down',
    text: 'Sales (+15550002) disconnected',
    eventId: 42,
    notify: true,
    suppressed: null,
    ...extra,
  };
}

describe('which alerts become a desktop notification (the table in main/shell/desktop-notice.ts)', () => {
  const on = { enabled: true, silent: false };
  it.each([
    ['notify, not suppressed, notifications on', alert({}), on, true],
    ['notify=false (the core decided not to)', alert({ notify: false }), on, false],
    ['suppressed while muted', alert({ notify: true, suppressed: 'muted' }), on, false],
    ['suppressed by snooze', alert({ notify: false, suppressed: 'snoozed' }), on, false],
    ['desktop notifications switched off', alert({}), { enabled: false, silent: false }, false],
  ])('%s → %s', (_name, a, prefs, shown) => {
    expect(desktopNoticeFor(a, prefs, 'darwin') !== null).toBe(shown);
  });

  it('maps severity to urgency and keeps critical ones on screen', () => {
    expect(desktopNoticeFor(alert({ severity: 'critical' }), on, 'linux')).toMatchObject({ urgency: 'critical', timeoutType: 'never' });
    expect(desktopNoticeFor(alert({ severity: 'warning' }), on, 'linux')).toMatchObject({ urgency: 'normal', timeoutType: 'default' });
    expect(desktopNoticeFor(alert({ severity: 'recovery' }), on, 'linux')).toMatchObject({ urgency: 'normal', timeoutType: 'default' });
    expect(desktopNoticeFor(alert({ severity: 'info' }), on, 'linux')).toMatchObject({ urgency: 'low' });
    expect(desktopNoticeFor(alert({}), { enabled: true, silent: true }, 'linux')).toMatchObject({ silent: true });
  });

  it('routes a click to the event that raised the alert, else to the alert history', () => {
    expect(desktopNoticeFor(alert({ eventId: 42 }), on, 'darwin')!.route).toEqual({ screen: 'feed', eventId: 42 });
    expect(desktopNoticeFor(alert({ eventId: null }), on, 'darwin')!.route).toEqual({ screen: 'alerts' });
  });

  it('never lets payload text act as markup on Linux notification servers', () => {
    const n = desktopNoticeFor(alert({ text: 'Chat <b>"Tom & Co"</b> <a href="https://evil">x</a> assigned' }), on, 'linux')!;
    expect(n.body).toBe('Chat &lt;b&gt;"Tom &amp; Co"&lt;/b&gt; &lt;a href="https://evil"&gt;x&lt;/a&gt; assigned');
    expect(desktopNoticeFor(alert({ text: 'Tom & Co <3' }), on, 'darwin')!.body).toBe('Tom & Co <3');
    expect(escapeNotificationMarkup('<img src=x>')).toBe('&lt;img src=x&gt;');
  });

  it('cuts long text and folds whitespace', () => {
    const n = desktopNoticeFor(alert({ title: '  Many\n\nlines  ', text: 'x'.repeat(1000) }), on, 'darwin')!;
    expect(n.title).toBe('Many lines');
    expect(Array.from(n.body)).toHaveLength(300);
  });
});

describe('renderer routes', () => {
  it.each([
    [{ screen: 'feed', eventId: 12 } as const, '#/feed/12'],
    [{ screen: 'feed', eventId: null } as const, '#/feed'],
    [{ screen: 'alerts' } as const, '#/alerts'],
    [{ screen: 'accounts' } as const, '#/accounts'],
    [{ screen: 'accounts', account: '+15550001' } as const, '#/accounts/%2B15550001'],
  ])('%o → %s', (route, hash) => expect(routeHash(route)).toBe(hash));

  it('the window opens on the card the renderer reads from the same hash, whatever the key', () => {
    for (const account of ['+15550001', 'id:15550001@s.whatsapp.net', 'a/b c%d#e']) {
      expect(parseHash(routeHash({ screen: 'accounts', account }))).toEqual({ screen: 'accounts', eventId: null, account });
    }
    expect(parseHash(routeHash({ screen: 'feed', eventId: 12 }))).toEqual({ screen: 'feed', eventId: 12 });
  });

  it('an alert without a usable event id goes to the alert history', () => {
    expect(routeForAlert({ eventId: 5 })).toEqual({ screen: 'feed', eventId: 5 });
    for (const eventId of [undefined, null, 0, -1, 1.5]) expect(routeForAlert({ eventId })).toEqual({ screen: 'alerts' });
  });
});

describe('renderer origin and who may call main', () => {
  const dir = '/opt/hookwatch/dist/renderer';
  it.each([
    ['hookwatch://app/index.html', `${dir}/index.html`],
    ['hookwatch://app/', `${dir}/index.html`],
    ['hookwatch://app/index.html#/feed/3', `${dir}/index.html`],
    ['hookwatch://app/assets/index-abc.js', `${dir}/assets/index-abc.js`],
    ['hookwatch://app/assets/index-abc.css?v=1', `${dir}/assets/index-abc.css`],
  ])('serves %s from %s', (url, file) => {
    expect(rendererFileFor(url, dir)).toMatchObject({ ok: true, path: file });
  });

  it.each([
    'hookwatch://app/../../etc/passwd',
    'hookwatch://app/assets/..%2f..%2fsecret.js',
    'hookwatch://app/assets%5c..%5c..%5csecret.js',
    'hookwatch://app/%00index.html',
    'hookwatch://other/index.html',
    'file:///etc/passwd',
    'hookwatch://app/data.sqlite3',
    'hookwatch://app/%E0%A4%A',
  ])('refuses %s', (url) => {
    const r = rendererFileFor(url, dir);
    expect(r.ok).toBe(false);
    if (r.ok === false) expect(r.status === 404 || r.status === 400).toBe(true);
  });

  it('dot segments the URL parser folds stay inside the renderer folder', () => {
    for (const url of ['hookwatch://app/%2e%2e/%2e%2e/etc/passwd.txt', 'hookwatch://app/a/../../../etc/passwd.txt']) {
      const r = rendererFileFor(url, dir);
      expect(r.ok ? r.path : r.reason).toBe(`${dir}/etc/passwd.txt`);
    }
  });

  it.each([
    ['hookwatch://app/index.html', null, true],
    ['hookwatch://app/index.html#/feed/1', null, true],
    ['hookwatch://app/', null, true],
    ['hookwatch://app/other.html', null, false],
    ['hookwatch://evil/index.html', null, false],
    ['file:///opt/hookwatch/dist/renderer/index.html', null, false],
    ['https://example.com/', null, false],
    ['http://localhost:5173/', null, false],
    ['http://localhost:5173/', 'http://localhost:5173', true],
    ['http://localhost:5174/', 'http://localhost:5173', false],
    ['not a url', null, false],
  ])('%s with dev origin %s is ours: %s', (url, dev, ours) => {
    expect(isTrustedRendererUrl(url, dev)).toBe(ours);
  });

  it('only the top frame of our renderer may call; subframes and vanished frames may not', () => {
    expect(isTrustedSenderFrame({ url: 'hookwatch://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSenderFrame({ url: 'hookwatch://app/index.html', parent: {} })).toBe(false);
    expect(isTrustedSenderFrame({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSenderFrame(null)).toBe(false);
  });

  it('opens only plain https links in the system browser', () => {
    expect(isExternalLinkAllowed('https://app.timelines.ai/integrations/')).toBe(true);
    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com',
      'nonsense',
    ]) {
      expect(isExternalLinkAllowed(url)).toBe(false);
    }
  });

  it('the CSP allows our own files only; the dev CSP adds what Vite needs, for its origin only', () => {
    expect(RENDERER_CSP).toContain("default-src 'none'");
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toContain('unsafe');
    expect(RENDERER_CSP).toContain("connect-src 'none'");
    expect(devRendererCsp('http://localhost:5173')).toContain("connect-src 'self' ws://localhost:5173");
  });

  it('a dev server is accepted only unpackaged and only on loopback http', () => {
    expect(devRendererOrigin('http://localhost:5173/', false)).toBe('http://localhost:5173');
    expect(devRendererOrigin('http://127.0.0.1:5173', false)).toBe('http://127.0.0.1:5173');
    expect(devRendererOrigin('http://localhost:5173', true)).toBeNull();
    expect(devRendererOrigin('https://example.com', false)).toBeNull();
    expect(devRendererOrigin('http://192.168.1.5:5173', false)).toBeNull();
    expect(devRendererOrigin(undefined, false)).toBeNull();
  });
});

describe('window bounds', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1040 };
  const second = { x: 1920, y: 0, width: 1280, height: 1000 };
  it('keeps saved bounds on a display that still exists', () => {
    expect(restoredBounds({ x: 2000, y: 100, width: 900, height: 700 }, [primary, second])).toEqual({
      x: 2000,
      y: 100,
      width: 900,
      height: 700,
    });
  });
  it('drops the position when its display is gone, keeping a size that fits', () => {
    expect(restoredBounds({ x: 2000, y: 100, width: 2500, height: 700 }, [primary])).toEqual({ width: 1920, height: 700 });
  });
  it('defaults without saved bounds, and never goes below the minimum size', () => {
    expect(restoredBounds(null, [primary])).toEqual({ width: 1100, height: 760 });
    expect(restoredBounds({ x: 10, y: 10, width: 100, height: 100 }, [primary])).toEqual({ x: 10, y: 10, width: 640, height: 420 });
  });
});

describe('words and numbers', () => {
  it.each([
    [0, '0 s'],
    [59_000, '59 s'],
    [12 * MIN, '12 min'],
    [60 * MIN, '1 h'],
    [95 * MIN, '1 h 35 min'],
    [26 * 60 * MIN, '1 d 2 h'],
    [48 * 60 * MIN, '2 d'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('clocks show the weekday when not today, in the given zone', () => {
    expect(formatClock(NOW + 30 * MIN, NOW, clock)).toBe('12:30');
    expect(formatClock(NOW + 13 * 60 * MIN, NOW, clock)).toBe('Sun 01:00');
    expect(formatClock(NOW + 13 * 60 * MIN, NOW, { locale: 'en-GB', timeZone: 'America/New_York' })).toBe('20:00');
  });

  it('clips without splitting a character', () => {
    expect(clip('😀😀😀', 2)).toBe('😀…');
    expect(clip('short', 10)).toBe('short');
  });

  it('HOOKWATCH_PORT: a port number or the default', () => {
    expect(receiverPort(undefined)).toBe(8789);
    expect(receiverPort('')).toBe(8789);
    expect(receiverPort('0')).toBe(0);
    expect(receiverPort('9000')).toBe(9000);
    for (const bad of ['-1', '65536', 'abc', '80.5']) expect(() => receiverPort(bad)).toThrow(/HOOKWATCH_PORT must be a port number/);
  });
});

describe('tray pictures', () => {
  it.each([
    ['ok', { platform: 'darwin' as const, systemUiDark: true }, 'tray-okTemplate.png'],
    ['down', { platform: 'win32' as const, systemUiDark: true }, 'tray-down-dark.png'],
    ['down', { platform: 'win32' as const, systemUiDark: false }, 'tray-down-light.png'],
    ['degraded', { platform: 'linux' as const, systemUiDark: false, desktop: 'KDE' }, 'tray-degraded-light.png'],
    ['degraded', { platform: 'linux' as const, systemUiDark: false, desktop: 'ubuntu:GNOME' }, 'tray-degraded-dark.png'],
    ['ok', { platform: 'linux' as const, systemUiDark: true, desktop: 'XFCE' }, 'tray-ok-dark.png'],
  ] as const)('%s on %o → %s (a file that exists)', (look, panel, file) => {
    expect(trayIconFile(look, panel)).toBe(file);
    expect(existsSync(join(import.meta.dirname, '../../assets/tray', file))).toBe(true);
  });
});

describe('start at login', () => {
  it('quotes desktop-entry Exec arguments', () => {
    expect(quoteExecArg('/opt/Hookwatch/hookwatch')).toBe('/opt/Hookwatch/hookwatch');
    expect(quoteExecArg('/home/me/My Apps/Hookwatch.AppImage')).toBe('"/home/me/My Apps/Hookwatch.AppImage"');
    expect(quoteExecArg('/tmp/a"b$c`d\\e')).toBe('"/tmp/a\\"b\\$c\\`d\\\\e"');
  });

  it('Linux: writes and removes the XDG autostart entry, starting hidden', () => {
    const tmp = tempDir();
    try {
      const file = linuxAutostartPath({ XDG_CONFIG_HOME: join(tmp.dir, 'config') }, '/home/nobody');
      expect(file).toBe(join(tmp.dir, 'config/autostart/hookwatch.desktop'));
      const item = new LinuxAutostart(file, ['/home/me/Apps/Hookwatch.AppImage']);
      expect(item.isEnabled()).toBe(false);
      item.setEnabled(true);
      expect(item.isEnabled()).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(autostartDesktopEntry(['/home/me/Apps/Hookwatch.AppImage']));
      expect(readFileSync(file, 'utf8')).toContain(`Exec=/home/me/Apps/Hookwatch.AppImage ${HIDDEN_ARG}\n`);
      new LinuxAutostart(file, ['/home/me/New Place/Hookwatch.AppImage']).setEnabled(true);
      expect(readFileSync(file, 'utf8')).toContain(`Exec="/home/me/New Place/Hookwatch.AppImage" ${HIDDEN_ARG}\n`);
      item.setEnabled(false);
      expect(item.isEnabled()).toBe(false);
      expect(linuxAutostartPath({ XDG_CONFIG_HOME: 'relative/ignored' }, '/home/me')).toBe('/home/me/.config/autostart/hookwatch.desktop');
    } finally {
      tmp.cleanup();
    }
  });

  it('Windows passes --hidden (and the app folder when unpackaged); macOS passes no args', () => {
    const calls: unknown[] = [];
    const app = { getLoginItemSettings: () => ({ openAtLogin: true }), setLoginItemSettings: (s: unknown) => void calls.push(s) };
    new ElectronLoginItem(app, 'win32', ['C:\\dev\\hookwatch']).setEnabled(true);
    new ElectronLoginItem(app, 'darwin').setEnabled(false);
    expect(calls).toEqual([{ openAtLogin: true, args: ['C:\\dev\\hookwatch', HIDDEN_ARG] }, { openAtLogin: false }]);
  });
});
