// The hardened BrowserWindow: sandbox, CSP, blocked navigation, remembered bounds.
import { BrowserWindow, screen, shell, type WebContents, type WebPreferences } from 'electron';
import { sendToRenderer, SHELL_NAVIGATE_KIND, type RendererMessage } from './ipc-bridge.js';
import { isExternalLinkAllowed, RENDERER_INDEX_URL } from './renderer-origin.js';
import { routeHash, type RendererRoute } from './renderer-route.js';
import type { ShellSettings } from './settings-store.js';
import { MIN_WINDOW_SIZE, restoredBounds } from './window-bounds.js';

/** The window's web preferences: the renderer gets no Node, no Electron, only the preload's bridge. */
export function windowWebPreferences(preload: string, isPackaged: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: !isPackaged,
  };
}

/**
 * No navigation away from the renderer and no new windows. An https link the user clicks opens in the
 * system browser; anything else is dropped. (In-page hash changes are not navigations for these events,
 * so the renderer's own routing is unaffected.)
 */
export function hardenWebContents(
  contents: WebContents,
  openExternal: (url: string) => void = (url) => void shell.openExternal(url),
): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (isExternalLinkAllowed(url)) openExternal(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export interface MainWindowOptions {
  settings: Pick<ShellSettings, 'windowBounds' | 'setWindowBounds'>;
  preloadPath: string;
  /** Linux and Windows window icon (macOS uses the bundle's). */
  iconPath?: string | undefined;
  /** The Vite dev server origin, developers only; else the renderer comes from RENDERER_INDEX_URL. */
  devOrigin: string | null;
  isPackaged: boolean;
  log?: (line: string) => void;
}

/**
 * The dashboard window. Closing it destroys it (the renderer's memory is given back; Hookwatch keeps
 * running in the tray) and the next "Open" builds a new one.
 */
export class MainWindow {
  private win: BrowserWindow | null = null;
  private loaded = false;

  constructor(private readonly o: MainWindowOptions) {}

  get window(): BrowserWindow | null {
    return this.win;
  }

  urlFor(route: RendererRoute | null): string {
    const base = this.o.devOrigin ? `${this.o.devOrigin}/` : RENDERER_INDEX_URL;
    return route ? `${base}${routeHash(route)}` : base;
  }

  /** Shows the window (building it if needed), on `route` when given. */
  show(route: RendererRoute | null = null): void {
    const win = this.win;
    if (!win || win.isDestroyed()) {
      this.create(route);
      return;
    }
    if (route) {
      if (this.loaded) this.send({ kind: SHELL_NAVIGATE_KIND, data: route });
      // Still loading: its page has not subscribed yet, so load it again at the route.
      else void win.loadURL(this.urlFor(route)).catch((err: unknown) => this.o.log?.(`window: ${(err as Error).message}`));
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  send(message: RendererMessage): boolean {
    const win = this.win;
    if (!win || win.isDestroyed() || !this.loaded) return false;
    return sendToRenderer(win.webContents, message, this.o.devOrigin);
  }

  destroy(): void {
    if (this.win && !this.win.isDestroyed()) {
      this.saveBounds(this.win);
      this.win.destroy();
    }
    this.win = null;
    this.loaded = false;
  }

  private saveBounds(win: BrowserWindow): void {
    // Normal bounds: a maximized or minimized window remembers where it will restore to.
    this.o.settings.setWindowBounds(win.getNormalBounds());
  }

  private create(route: RendererRoute | null): void {
    const workAreas = [screen.getPrimaryDisplay().workArea, ...screen.getAllDisplays().map((d) => d.workArea)];
    const bounds = restoredBounds(this.o.settings.windowBounds, workAreas);
    const win = new BrowserWindow({
      ...bounds,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      title: 'Hookwatch',
      autoHideMenuBar: true,
      ...(this.o.iconPath ? { icon: this.o.iconPath } : {}),
      webPreferences: windowWebPreferences(this.o.preloadPath, this.o.isPackaged),
    });
    this.win = win;
    this.loaded = false;
    hardenWebContents(win.webContents);
    win.once('ready-to-show', () => {
      win.show();
      win.focus();
    });
    win.webContents.on('did-finish-load', () => {
      if (this.win === win) this.loaded = true;
    });
    // A new document (a reload) has not subscribed yet; the renderer's own hash routing is same-document.
    win.webContents.on('did-start-navigation', (details) => {
      if (this.win === win && details.isMainFrame && !details.isSameDocument) this.loaded = false;
    });
    win.webContents.on('render-process-gone', (_event, details) => this.o.log?.(`the window's renderer is gone (${details.reason})`));
    win.on('close', () => this.saveBounds(win));
    win.on('closed', () => {
      if (this.win === win) {
        this.win = null;
        this.loaded = false;
      }
    });
    void win
      .loadURL(this.urlFor(route))
      .catch((err: unknown) => this.o.log?.(`window: could not load the dashboard: ${(err as Error).message}`));
  }
}
