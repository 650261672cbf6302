// The shell's entry (main/shell/main.ts) with the `electron` module faked: single-instance lock, start-up
// with a real core in a temp user-data folder, a second launch, quitting.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule());

import { fake, FakeBrowserWindow, FakeTray, menuItem, resetFakeElectron } from './fake-electron.js';
import { tempDir } from '../support/harness.js';

async function waitFor(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let tmp: ReturnType<typeof tempDir>;
let signalsBefore: { SIGINT: NodeJS.SignalsListener[]; SIGTERM: NodeJS.SignalsListener[] };
const savedEnv = { ...process.env };

/** main.ts does its work when imported: a fresh module instance per test (its imports stay shared). */
let run = 0;
const importMain = () => import(/* @vite-ignore */ `../../main/shell/main.js?run=${++run}`);

beforeEach(() => {
  resetFakeElectron();
  tmp = tempDir('hookwatch-main-');
  fake.app.userData = join(tmp.dir, 'userData');
  fake.app.appPath = join(tmp.dir, 'app');
  mkdirSync(join(fake.app.appPath, 'dist/renderer'), { recursive: true });
  writeFileSync(join(fake.app.appPath, 'dist/renderer/index.html'), '<!doctype html><title>Hookwatch</title>');
  process.env.HOOKWATCH_PORT = '0';
  process.env.XDG_CONFIG_HOME = join(tmp.dir, 'config');
  delete process.env.HOOKWATCH_TIMELINES_TOKEN;
  signalsBefore = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
});

afterEach(async () => {
  // main.ts quits the app on SIGINT/SIGTERM; in this worker those belong to the test runner.
  for (const s of ['SIGINT', 'SIGTERM'] as const)
    for (const l of process.listeners(s)) if (!signalsBefore[s].includes(l)) process.off(s, l as () => void);
  if (FakeTray.instances.length > 0 && !fake.app.quitted) {
    fake.app.quit();
    await waitFor(() => fake.app.quitted, 'the app to quit');
  }
  process.env = { ...savedEnv };
  tmp.cleanup();
});

describe('main entry (Electron is faked)', () => {
  it('Electron is faked: a second Hookwatch leaves at once when another holds the single-instance lock', async () => {
    fake.app.lockAvailable = false;
    await importMain();
    expect(fake.app.quitCalls).toBe(1);
    fake.app.becomeReady();
    await new Promise((r) => setTimeout(r, 50));
    expect(FakeTray.instances).toHaveLength(0);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('Electron is faked: with the lock it registers the renderer scheme, starts the core and the tray, and a second launch shows the window', async () => {
    await importMain();
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'hookwatch', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(FakeTray.instances).toHaveLength(0); // nothing before the app is ready
    fake.app.becomeReady();
    await waitFor(() => FakeTray.instances.length === 1, 'the tray');
    expect(FakeBrowserWindow.instances).toHaveLength(1); // a normal start opens the window
    expect(FakeBrowserWindow.instances[0]!.webContents.loadedUrls).toEqual(['hookwatch://app/index.html']);
    FakeBrowserWindow.instances[0]!.userClose();
    fake.app.emit('second-instance', {}, [], '/');
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    expect(fake.errorBoxes).toEqual([]);

    menuItem(FakeTray.instances[0]!.menu!.template, 'Quit Hookwatch').click!();
    await waitFor(() => fake.app.quitted, 'the app to quit');
  });

  it('Electron is faked: started at login (--hidden) it stays in the tray', async () => {
    const argv = process.argv;
    process.argv = [...argv, '--hidden'];
    try {
      await importMain();
      fake.app.becomeReady();
      await waitFor(() => FakeTray.instances.length === 1, 'the tray');
      expect(FakeBrowserWindow.instances).toHaveLength(0);
    } finally {
      process.argv = argv;
    }
  });

  it('Electron is faked: a start-up failure is shown in a dialog that says what to do, and the app exits', async () => {
    process.env.HOOKWATCH_PORT = 'eighty';
    await importMain();
    fake.app.becomeReady();
    await waitFor(() => fake.app.exitCodes.length === 1, 'the exit');
    expect(fake.app.exitCodes).toEqual([1]);
    expect(fake.errorBoxes).toEqual([
      { title: 'Hookwatch could not start', content: "HOOKWATCH_PORT must be a port number (0-65535), got 'eighty'" },
    ]);
    expect(FakeTray.instances).toHaveLength(0);
  });
});
