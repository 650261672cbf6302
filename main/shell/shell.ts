// HookwatchShell: the Electron app around the core (tray, window, notifications, IPC).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, powerMonitor, protocol, session } from 'electron';
import type { HookwatchApi, HookwatchNotification } from '../contract/api.js';
import type { AlertService } from '../core/alerts/service.js';
import type { StoredAlert } from '../core/store/store.js';
import { registerApiIpc } from './ipc-bridge.js';
import { loginItemFor, type LoginItem } from './login-item.js';
import { DesktopNotifier } from './notifier.js';
import { devRendererCsp, isTrustedRendererUrl, rendererFileFor, RENDERER_RESPONSE_HEADERS, RENDERER_SCHEME } from './renderer-origin.js';
import type { RendererRoute } from './renderer-route.js';
import type { ShellSettings } from './settings-store.js';
import { TrayController } from './tray.js';
import type { TrayAction } from './tray-menu.js';
import { sendTestEventFromTray } from './tray-test-event.js';
import type { TrayStateInput } from './tray-state.js';
import type { TunnelControl } from './tunnel-control.js';
import { MainWindow } from './window.js';

/** What the shell uses of HookwatchCore (which satisfies it). */
export interface ShellCore {
  readonly alerts: Pick<AlertService, 'onAlert' | 'onAccountsChanged' | 'accounts' | 'settings' | 'snooze'>;
  stop(): Promise<void>;
}

/** What the shell uses of HookwatchService (main/core/api/service.ts). */
export interface ShellService {
  readonly api: HookwatchApi;
  subscribe(listener: (notification: HookwatchNotification) => void): () => void;
  close(): void;
}

export interface ShellOptions {
  core: ShellCore;
  service: ShellService;
  settings: ShellSettings;
  tunnel: TunnelControl | null;
  /** app.getAppPath(): dist/, assets/ and package.json are under it (in app.asar when packaged). */
  appRoot: string;
  /** Started at login: stay in the tray. */
  startHidden: boolean;
  devOrigin: string | null;
  isPackaged: boolean;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  locale?: string;
  now?: () => number;
  log?: (line: string) => void;
  /** The tray's "down for 12 min" and snooze end are redrawn this often (default one minute). */
  refreshIntervalMs?: number;
  /** How long quitting waits for the core to finish its writes before exiting anyway. */
  stopTimeoutMs?: number;
}

/**
 * Registers the renderer's scheme as a privileged, standard, secure one. Electron only accepts this
 * before the app is ready, so main.ts calls it first thing.
 */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves dist/renderer on the renderer scheme, every response with the renderer's CSP. */
export async function rendererResponse(url: string, rendererDir: string): Promise<Response> {
  const target = rendererFileFor(url, rendererDir);
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { ...RENDERER_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
  if (!target.ok) return text(target.status, 'Not found');
  try {
    return new Response(await readFile(target.path), {
      status: 200,
      headers: { ...RENDERER_RESPONSE_HEADERS, 'Content-Type': target.contentType },
    });
  } catch {
    return target.path.endsWith('index.html')
      ? text(404, 'The Hookwatch dashboard is not built. Run `npm run build` (it builds dist/renderer), then start Hookwatch again.')
      : text(404, 'Not found');
  }
}

/**
 * The desktop shell: tray, window, notifications, IPC, settings. It adapts and decides nothing: the tray's
 * look and menu, which alerts notify and who may call the API are pure functions (tray-state.ts,
 * tray-menu.ts, desktop-notice.ts, renderer-origin.ts), and everything else is the core's.
 */
export class HookwatchShell {
  readonly window: MainWindow;
  readonly tray: TrayController;
  readonly notifier: DesktopNotifier;
  readonly loginItem: LoginItem;
  private readonly o: ShellOptions & { platform: NodeJS.Platform; now: () => number; log: (line: string) => void };
  private readonly cleanups: Array<() => void> = [];
  private stopping: Promise<void> | null = null;
  private stopped = false;
  /** A test event sent from the tray is on its way (the tray menu says so). */
  private sendingTestEvent = false;

  static start(options: ShellOptions): HookwatchShell {
    return new HookwatchShell(options);
  }

  private constructor(options: ShellOptions) {
    const o = (this.o = {
      ...options,
      platform: options.platform ?? process.platform,
      now: options.now ?? Date.now,
      log: options.log ?? (() => {}),
    });
    const rendererDir = join(o.appRoot, 'dist', 'renderer');

    this.hardenSession(rendererDir);
    this.cleanups.push(registerApiIpc({ ipcMain, api: o.service.api, devOrigin: o.devOrigin, log: o.log }));

    this.window = new MainWindow({
      settings: o.settings,
      preloadPath: join(o.appRoot, 'dist', 'preload', 'index.cjs'),
      iconPath: o.platform === 'darwin' ? undefined : join(o.appRoot, 'assets', 'app', 'icon-256.png'),
      devOrigin: o.devOrigin,
      isPackaged: o.isPackaged,
      log: o.log,
    });

    this.notifier = new DesktopNotifier({
      prefs: () => o.settings.notifications,
      open: (route) => this.openWindow(route),
      platform: o.platform,
      iconPath: o.platform === 'darwin' ? undefined : join(o.appRoot, 'assets', 'app', 'icon-256.png'),
      log: o.log,
    });

    this.loginItem = loginItemFor({
      platform: o.platform,
      app,
      env: o.env ?? process.env,
      execPath: process.execPath,
      unpackagedAppPath: o.isPackaged ? null : o.appRoot,
    });
    this.syncStartAtLogin();

    this.tray = new TrayController({
      iconDir: join(o.appRoot, 'assets', 'tray'),
      read: () => this.trayInput(),
      menuOptions: () => ({
        startAtLogin: { supported: this.loginItem.supported, enabled: this.loginItem.supported && this.loginItem.isEnabled() },
        sendingTestEvent: this.sendingTestEvent,
      }),
      run: (action) => void this.run(action),
      onActivate: () => this.openWindow(null),
      platform: o.platform,
      env: o.env ?? process.env,
    });

    const refresh = () => this.tray.refresh();
    this.cleanups.push(o.service.subscribe((n) => this.window.send(n)));
    this.cleanups.push(
      o.core.alerts.onAlert((alert: StoredAlert) => {
        this.notifier.showAlert({ ...alert, eventId: alert.eventId ?? null });
        refresh();
      }),
    );
    this.cleanups.push(o.core.alerts.onAccountsChanged(refresh));
    if (o.tunnel) this.cleanups.push(o.tunnel.onChange(refresh));
    const timer = setInterval(refresh, o.refreshIntervalMs ?? 60_000);
    timer.unref?.();
    this.cleanups.push(() => clearInterval(timer));

    // After sleep the tunnel's socket is usually dead while it still looks open: check it now rather
    // than at the next scheduled probe.
    const onResume = () => {
      if (!o.tunnel) return;
      o.tunnel.recheck().catch((err: unknown) => o.log(`tunnel re-check after wake failed: ${(err as Error).message}`));
    };
    powerMonitor.on('resume', onResume);
    this.cleanups.push(() => powerMonitor.off('resume', onResume));
    const onShutdown = () => app.quit();
    powerMonitor.on('shutdown', onShutdown);
    this.cleanups.push(() => powerMonitor.off('shutdown', onShutdown));

    const onSecondInstance = () => this.openWindow(null);
    const onActivate = () => this.openWindow(null);
    const stayInTray = () => {
      /* closing the last window keeps Hookwatch running in the tray */
    };
    const onBeforeQuit = (event: Electron.Event) => this.onBeforeQuit(event);
    app.on('second-instance', onSecondInstance);
    app.on('activate', onActivate);
    app.on('window-all-closed', stayInTray);
    app.on('before-quit', onBeforeQuit);
    this.cleanups.push(() => {
      app.off('second-instance', onSecondInstance);
      app.off('activate', onActivate);
      app.off('window-all-closed', stayInTray);
    });

    if (o.platform === 'darwin') app.dock?.hide();
    if (!o.startHidden) this.openWindow(null);
  }

  openWindow(route: RendererRoute | null): void {
    if (this.stopped || this.stopping) return;
    this.window.show(route);
  }

  /** Runs one tray action. Failures are logged and shown; they never throw into Electron's menu code. */
  async run(action: TrayAction): Promise<void> {
    try {
      switch (action.kind) {
        case 'open':
          this.openWindow(action.route);
          return;
        case 'copy-webhook-url': {
          const setup = await this.o.service.api.getSetup();
          // The URL holds the webhook secret: to the clipboard because the user asked, never to a log.
          clipboard.writeText(setup.publicUrl ?? setup.webhookUrl);
          return;
        }
        case 'send-test-event':
          // The result (each hop, or where it stopped) comes back as a notification; clicking it opens the event.
          // Meanwhile the menu says it is sending, and a second click cannot start another.
          if (this.sendingTestEvent) return;
          this.sendingTestEvent = true;
          this.tray.refresh();
          try {
            await sendTestEventFromTray({
              api: this.o.service.api,
              open: (r) => this.openWindow(r),
              iconPath: this.o.platform === 'darwin' ? undefined : join(this.o.appRoot, 'assets', 'app', 'icon-256.png'),
            });
          } finally {
            this.sendingTestEvent = false;
            this.tray.refresh();
          }
          return;
        case 'snooze':
          this.o.core.alerts.snooze(action.choice);
          break;
        case 'resume-alerts':
          this.o.core.alerts.snooze(null);
          break;
        case 'set-tunnel-paused':
          if (!this.o.tunnel) return;
          await this.o.tunnel.setEnabled(!action.paused);
          break;
        case 'set-start-at-login':
          this.loginItem.setEnabled(action.on);
          this.o.settings.setStartAtLogin(action.on);
          break;
        case 'quit':
          app.quit();
          return;
      }
      this.tray.refresh();
    } catch (err) {
      const message = (err as Error).message;
      this.o.log(`tray action ${action.kind} failed: ${message}`);
      void dialog.showMessageBox({ type: 'error', title: 'Hookwatch', message: 'That did not work', detail: message }).catch(() => {});
    }
  }

  /** Stops everything once: tray, window, IPC, then the core (which finishes its writes). */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      for (const c of this.cleanups.splice(0).reverse()) {
        try {
          c();
        } catch (err) {
          this.o.log(`shutdown: ${(err as Error).message}`);
        }
      }
      this.tray.destroy();
      this.window.destroy();
      this.o.service.close();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.o.stopTimeoutMs ?? 15_000);
      });
      try {
        const outcome = await Promise.race([this.o.core.stop().then(() => 'stopped' as const), timeout]);
        if (outcome === 'timeout') this.o.log('the core did not stop in time; quitting anyway');
      } catch (err) {
        this.o.log(`the core did not stop cleanly: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
        this.stopped = true;
      }
    })();
    return this.stopping;
  }

  private onBeforeQuit(event: Electron.Event): void {
    if (this.stopped) return;
    // Hold the quit until the core has written what it received; then quit for real.
    event.preventDefault();
    void this.shutdown().finally(() => app.quit());
  }

  private trayInput(): TrayStateInput {
    const settings = this.o.core.alerts.settings();
    return {
      accounts: this.o.core.alerts.accounts(),
      mutedAccounts: settings.mutedAccounts,
      tunnel: this.o.tunnel?.status() ?? null,
      snoozedUntil: settings.snoozedUntil,
      now: this.o.now(),
      clock: { locale: this.o.locale, timeZone: settings.timeZone },
    };
  }

  /**
   * The OS is the truth for login items (the user can remove one in System Settings), the settings file
   * mirrors it. On Linux the autostart file is rewritten when the app moved (an updated AppImage).
   */
  private syncStartAtLogin(): void {
    if (!this.loginItem.supported) return;
    try {
      const enabled = this.loginItem.isEnabled();
      if (enabled && this.o.platform === 'linux') this.loginItem.setEnabled(true);
      if (enabled !== this.o.settings.startAtLogin) this.o.settings.setStartAtLogin(enabled);
    } catch (err) {
      this.o.log(`start at login: ${(err as Error).message}`);
    }
  }

  private hardenSession(rendererDir: string): void {
    const ses = session.defaultSession;
    // The dashboard needs no camera, microphone, location, notifications (main shows those) or anything
    // else, except writing to the clipboard (its Copy buttons), and only for our own page.
    const clipboardWrite = (permission: string, url: string) =>
      permission === 'clipboard-sanitized-write' && isTrustedRendererUrl(url, this.o.devOrigin ?? null);
    ses.setPermissionRequestHandler((contents, permission, callback) => callback(clipboardWrite(permission, contents.getURL())));
    ses.setPermissionCheckHandler((contents, permission) => clipboardWrite(permission, contents?.getURL() ?? ''));
    protocol.handle(RENDERER_SCHEME, (request) => rendererResponse(request.url, rendererDir));
    this.cleanups.push(() => protocol.unhandle(RENDERER_SCHEME));
    const dev = this.o.devOrigin;
    if (dev) {
      ses.webRequest.onHeadersReceived({ urls: [`${dev}/*`] }, (details, callback) => {
        callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [devRendererCsp(dev)] } });
      });
    }
  }
}
