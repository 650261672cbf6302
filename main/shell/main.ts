// The Electron shell's entry. It only adapts: everything Hookwatch decides or stores is in main/core.
import { app, dialog, safeStorage } from 'electron';
import { createHookwatchService } from '../core/api/create.js';
import { HookwatchCore } from '../core/core.js';
import { HIDDEN_ARG } from './login-item.js';
import { devRendererOrigin } from './renderer-origin.js';
import { openShellSettings, ShellSettingsError } from './settings-store.js';
import { HookwatchShell, registerRendererScheme } from './shell.js';
import { APP_ID, receiverPort } from './startup.js';
import { ShellTokenSource } from './token-source.js';
import { tunnelControlOf } from './tunnel-control.js';

const log = (line: string) => process.stderr.write(`hookwatch: ${line}\n`);

function startFailure(err: unknown, port: number | null): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `Port ${port} on 127.0.0.1 is already in use: is \`hookwatch serve\` or another Hookwatch running? Stop it, or start Hookwatch with HOOKWATCH_PORT set to another port.`;
  return (err as Error).message;
}

registerRendererScheme();

if (!app.requestSingleInstanceLock()) {
  // Another Hookwatch is running: it opens its window (its 'second-instance' handler) and this one leaves.
  app.quit();
} else {
  // Held for the app's lifetime: a Tray that is garbage-collected disappears from the panel.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only held, never read: see above
  let shell: HookwatchShell | null = null;
  let showWhenStarted = false;
  // A second launch while this one is still starting: remember it.
  const early = () => {
    showWhenStarted = true;
  };
  app.on('second-instance', early);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  const startedAtLogin =
    process.argv.includes(HIDDEN_ARG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);

  void app.whenReady().then(async () => {
    const dataDir = app.getPath('userData');
    let core: HookwatchCore | null = null;
    let port: number | null = null;
    try {
      port = receiverPort(process.env.HOOKWATCH_PORT);
      const settings = openShellSettings({ cwd: dataDir, log });
      // The token kept encrypted in the shell's settings (or the environment variable); the core asks for
      // it before each API call, so a token saved later takes effect without a restart.
      const tokenSource = new ShellTokenSource({ settings, safeStorage, log });
      core = await HookwatchCore.start({
        dataDir,
        port,
        log,
        timelines: { tokenSource },
        // Like `hookwatch serve --register`: the public URL through localtunnel, and TimelinesAI's webhooks
        // kept pointed at it whenever a token is saved.
        tunnel: { enabled: true },
        register: {},
        // Writes stay on the main thread (the default) here for sure: the writer thread is an ESM worker,
        // and loading one from inside app.asar is not proven in Electron.
        writerThread: false,
      });
      // The same wiring `hookwatch serve`'s dashboard uses (main/core/api/create.ts); only where the
      // first-run screen's token goes differs: kept encrypted with safeStorage (refused where it cannot be).
      const service = createHookwatchService(core, {
        tokenStore: {
          storage: 'encrypted',
          save: async (token) => {
            try {
              await tokenSource.saveToken(token);
              return { ok: true };
            } catch (err) {
              return { ok: false, reason: (err as Error).message };
            }
          },
        },
        log,
      });
      shell = HookwatchShell.start({
        core,
        service,
        settings,
        tunnel: tunnelControlOf(core),
        appRoot: app.getAppPath(),
        startHidden: startedAtLogin && !showWhenStarted,
        devOrigin: devRendererOrigin(process.env.HOOKWATCH_RENDERER_DEV_URL, app.isPackaged),
        isPackaged: app.isPackaged,
        locale: app.getLocale(),
        log,
      });
      app.off('second-instance', early);
      log(`started: receiver on 127.0.0.1:${core.receiver.port}, desktop settings in ${settings.path}`);
    } catch (err) {
      const message = err instanceof ShellSettingsError ? err.message : startFailure(err, port);
      log(`could not start: ${message}`);
      dialog.showErrorBox('Hookwatch could not start', message);
      await core?.stop().catch(() => {});
      app.exit(1);
    }
  });
}
