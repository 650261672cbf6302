// The Electron shell's entry. It only adapts: everything Hookwatch decides or stores is in main/core.
import { app, BrowserWindow, dialog } from 'electron';
import { HookwatchCore } from '../core/core.js';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: HookwatchCore | null = null;
  let window: BrowserWindow | null = null;

  const showWindow = () => {
    if (window) {
      window.show();
      window.focus();
      return;
    }
    window = new BrowserWindow({
      width: 1100,
      height: 760,
      title: 'Hookwatch',
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    window.on('closed', () => (window = null));
    const url = core?.receiver.localUrl ?? '';
    // Until the dashboard lands, the window says where webhooks go; plain text, no HTML from outside.
    void window.loadURL(`data:text/plain;charset=utf-8,${encodeURIComponent(`Hookwatch is receiving webhooks at\n\n${url}`)}`);
  };

  app.on('second-instance', showWindow);
  app.on('window-all-closed', () => {
    /* stay running: Hookwatch keeps receiving in the background */
  });
  app.on('before-quit', (event) => {
    if (!core) return;
    event.preventDefault();
    const c = core;
    core = null;
    void c.stop().finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    try {
      core = await HookwatchCore.start({ dataDir: app.getPath('userData') });
    } catch (err) {
      dialog.showErrorBox('Hookwatch could not start', (err as Error).message);
      app.exit(1);
      return;
    }
    showWindow();
  });
}
