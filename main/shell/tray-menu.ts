// The tray menu as data: accounts, open, copy URL, send a test event, snooze, pause tunnel, start at login, quit (pure).
import type { MenuItemConstructorOptions } from 'electron';
import type { RendererRoute } from './renderer-route.js';
import type { TrayState } from './tray-state.js';

/**
 * The tray menu as plain data (pure, testable without Electron), and its translation to Electron's
 * menu template. Every clickable item carries a TrayAction; the shell decides nothing else.
 */

export type SnoozeMenuChoice = '1h' | '4h' | '8h' | 'tomorrow';

export type TrayAction =
  | { kind: 'open'; route: RendererRoute | null }
  | { kind: 'copy-webhook-url' }
  | { kind: 'send-test-event' }
  | { kind: 'snooze'; choice: SnoozeMenuChoice }
  | { kind: 'resume-alerts' }
  | { kind: 'set-tunnel-paused'; paused: boolean }
  | { kind: 'set-start-at-login'; on: boolean }
  | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action: TrayAction | null }
  | { type: 'checkbox'; label: string; checked: boolean; enabled: boolean; action: TrayAction | null }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] };

export interface TrayMenuOptions {
  startAtLogin: { supported: boolean; enabled: boolean };
  /** A test event sent from the tray is on its way: its item says so and waits (the result comes as a notification). */
  sendingTestEvent?: boolean;
  /** More accounts than this are summed up in one line (the window lists them all). */
  maxAccountLines?: number;
}

const SNOOZE_ITEMS: Array<{ choice: SnoozeMenuChoice; label: string }> = [
  { choice: '1h', label: 'For 1 hour' },
  { choice: '4h', label: 'For 4 hours' },
  { choice: '8h', label: 'For 8 hours' },
  { choice: 'tomorrow', label: 'Until tomorrow' },
];

const ACCOUNTS: RendererRoute = { screen: 'accounts' };

export function trayMenuModel(state: TrayState, options: TrayMenuOptions): TrayMenuItem[] {
  const max = options.maxAccountLines ?? 10;
  const items: TrayMenuItem[] = [];

  if (state.accounts.length === 0) {
    items.push({ type: 'normal', label: 'No WhatsApp accounts seen yet', enabled: false, action: null });
  } else {
    for (const a of state.accounts.slice(0, max)) {
      // Its own card on Accounts, brought into view.
      items.push({
        type: 'normal',
        label: a.label,
        enabled: true,
        action: { kind: 'open', route: { screen: 'accounts', account: a.key } },
      });
    }
    if (state.accounts.length > max) {
      items.push({
        type: 'normal',
        label: `…and ${state.accounts.length - max} more`,
        enabled: true,
        action: { kind: 'open', route: ACCOUNTS },
      });
    }
  }
  items.push({ type: 'normal', label: state.tunnel.label, enabled: false, action: null });
  items.push({ type: 'separator' });

  items.push({ type: 'normal', label: 'Open Hookwatch', enabled: true, action: { kind: 'open', route: null } });
  items.push({ type: 'normal', label: 'Copy webhook URL', enabled: true, action: { kind: 'copy-webhook-url' } });
  items.push(
    options.sendingTestEvent
      ? { type: 'normal', label: 'Sending a test event…', enabled: false, action: null }
      : { type: 'normal', label: 'Send a test event', enabled: true, action: { kind: 'send-test-event' } },
  );

  const snooze: TrayMenuItem[] = SNOOZE_ITEMS.map(({ choice, label }) => ({
    type: 'normal',
    label,
    enabled: true,
    action: { kind: 'snooze', choice },
  }));
  if (state.snoozedUntil !== null) {
    snooze.push({ type: 'separator' }, { type: 'normal', label: 'Resume alerts', enabled: true, action: { kind: 'resume-alerts' } });
  }
  items.push({ type: 'submenu', label: state.snoozeLabel ?? 'Snooze alerts', items: snooze });

  if (state.tunnel.available) {
    items.push({
      type: 'checkbox',
      label: 'Pause tunnel',
      checked: state.tunnel.paused,
      enabled: true,
      action: { kind: 'set-tunnel-paused', paused: !state.tunnel.paused },
    });
  } else {
    items.push({ type: 'checkbox', label: 'Pause tunnel (the tunnel is off)', checked: false, enabled: false, action: null });
  }
  items.push({
    type: 'checkbox',
    label: options.startAtLogin.supported ? 'Start at login' : 'Start at login (not supported here)',
    checked: options.startAtLogin.enabled,
    enabled: options.startAtLogin.supported,
    action: options.startAtLogin.supported ? { kind: 'set-start-at-login', on: !options.startAtLogin.enabled } : null,
  });
  items.push({ type: 'separator' });
  items.push({ type: 'normal', label: 'Quit Hookwatch', enabled: true, action: { kind: 'quit' } });
  return items;
}

/**
 * Windows and Linux read "&" in a menu label as a mnemonic marker ("&&" is a literal one); labels hold
 * account names from payloads, so escape it there. macOS shows labels as they are.
 */
export function menuLabel(text: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? text : text.replace(/&/g, '&&');
}

export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  run: (action: TrayAction) => void,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { type: 'submenu', label: menuLabel(item.label, platform), submenu: toMenuTemplate(item.items, run, platform) };
      case 'normal':
      case 'checkbox': {
        const action = item.action;
        const options: MenuItemConstructorOptions = { type: item.type, label: menuLabel(item.label, platform), enabled: item.enabled };
        if (item.type === 'checkbox') options.checked = item.checked;
        if (action) options.click = () => run(action);
        return options;
      }
    }
  });
}
