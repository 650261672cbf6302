// The shell's settings (electron-store, real files in a temp folder) and the encrypted provider token.
// Electron is faked; electron-store and its schema validation are the real ones.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // electron-store imports `electron`. Loaded by Node itself (not through Vitest's mock), the real
  // package would try to download Electron from GitHub; with this set it only returns a path string.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule());

import { fake, resetFakeElectron } from './fake-electron.js';
import { openShellSettings, SHELL_SETTINGS_LAYOUT, ShellSettingsError } from '../../main/shell/settings-store.js';
import { ShellTokenSource, TokenStorageError } from '../../main/shell/token-source.js';
import { tempDir } from '../support/harness.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  resetFakeElectron();
  tmp = tempDir('hookwatch-shell-settings-');
});
afterEach(() => tmp.cleanup());

const file = () => join(tmp.dir, 'shell-settings.json');
const onDisk = () => JSON.parse(readFileSync(file(), 'utf8'));

describe('shell settings in electron-store (Electron is faked)', () => {
  it('Electron is faked: a new file gets the defaults and records the current layout', () => {
    const s = openShellSettings({ cwd: tmp.dir });
    expect(s.windowBounds).toBeNull();
    expect(s.startAtLogin).toBe(false);
    expect(s.notifications).toEqual({ enabled: true, silent: false });
    expect(s.timelinesToken).toBeNull();
    s.setStartAtLogin(true);
    expect(onDisk().__internal__.migrations.version).toBe(`${SHELL_SETTINGS_LAYOUT}.0.0`);
    expect(openShellSettings({ cwd: tmp.dir }).startAtLogin).toBe(true);
  });

  it('Electron is faked: values are kept across opens, and the schema refuses a wrong one', () => {
    const s = openShellSettings({ cwd: tmp.dir });
    s.setWindowBounds({ x: 10.4, y: 20.6, width: 900, height: 700 });
    s.setNotifications({ silent: true });
    const again = openShellSettings({ cwd: tmp.dir });
    expect(again.windowBounds).toEqual({ x: 10, y: 21, width: 900, height: 700 });
    expect(again.notifications).toEqual({ enabled: true, silent: true });
    expect(() => again.setWindowBounds({ x: 0, y: 0, width: 0, height: 10 })).toThrow(/schema violation/i);
    expect(openShellSettings({ cwd: tmp.dir }).windowBounds).toEqual({ x: 10, y: 21, width: 900, height: 700 });
  });

  it('Electron is faked: a file from an older layout is migrated, in order, once', () => {
    openShellSettings({ cwd: tmp.dir }).setNotifications({ enabled: false });
    const ran: string[] = [];
    const migrations = {
      // A pretend layout 2 that turns desktop notifications back on for everyone (as a new default would).
      2: (store: { set(key: string, value: unknown): void }) => {
        ran.push('to 2');
        store.set('notifications', { enabled: true, silent: false });
      },
      3: () => void ran.push('to 3'),
    };
    const s = openShellSettings({ cwd: tmp.dir, layout: 3, migrations: migrations as never });
    expect(ran).toEqual(['to 2', 'to 3']);
    expect(s.notifications.enabled).toBe(true);
    expect(onDisk().__internal__.migrations.version).toBe('3.0.0');
    openShellSettings({ cwd: tmp.dir, layout: 3, migrations: migrations as never });
    expect(ran).toEqual(['to 2', 'to 3']);
  });

  it('Electron is faked: a new file starts at the current layout without running old migrations', () => {
    const ran: string[] = [];
    openShellSettings({ cwd: tmp.dir, layout: 2, migrations: { 2: () => void ran.push('to 2') } });
    expect(ran).toEqual([]);
    expect(onDisk().__internal__.migrations.version).toBe('2.0.0');
  });

  it('Electron is faked: a file from a newer Hookwatch is refused with what to do, and left untouched', () => {
    openShellSettings({ cwd: tmp.dir, layout: 5, migrations: {} }).setStartAtLogin(true);
    const before = readFileSync(file(), 'utf8');
    expect(() => openShellSettings({ cwd: tmp.dir })).toThrow(ShellSettingsError);
    expect(() => openShellSettings({ cwd: tmp.dir })).toThrow(
      /newer Hookwatch \(settings layout 5; this version reads up to 1\).*move the file aside/,
    );
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it('Electron is faked: an unreadable or invalid file is moved aside, never silently lost', () => {
    writeFileSync(file(), '{ not json');
    const lines: string[] = [];
    const s = openShellSettings({ cwd: tmp.dir, log: (l) => lines.push(l), now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(s.startAtLogin).toBe(false);
    const aside = readdirSync(tmp.dir).filter((n) => n.startsWith('shell-settings.unreadable-'));
    expect(aside).toEqual(['shell-settings.unreadable-2026-01-02T03-04-05-000Z.json']);
    expect(readFileSync(join(tmp.dir, aside[0]!), 'utf8')).toBe('{ not json');
    expect(lines.join('\n')).toMatch(/could not be read \(the file is not valid JSON\); moved to .*unreadable/);

    writeFileSync(file(), JSON.stringify({ startAtLogin: 'yes please', __internal__: { migrations: { version: '1.0.0' } } }));
    const s2 = openShellSettings({ cwd: tmp.dir, log: (l) => lines.push(l), now: () => Date.UTC(2026, 0, 2, 3, 4, 6) });
    expect(s2.startAtLogin).toBe(false);
    expect(lines.at(-1)).toMatch(/schema violation.*startAtLogin/);
  });

  it.skipIf(process.platform === 'win32')(
    'Electron is faked: the settings file is readable by its owner only (0600), like the database, and an older 0644 file is tightened',
    () => {
      const s = openShellSettings({ cwd: tmp.dir });
      s.setStartAtLogin(true);
      expect(statSync(file()).mode & 0o777).toBe(0o600);
      // A file written by a Hookwatch before this fix (0644) is tightened when opened, before any write.
      chmodSync(file(), 0o644);
      const again = openShellSettings({ cwd: tmp.dir });
      expect(statSync(file()).mode & 0o777).toBe(0o600);
      again.setNotifications({ silent: true });
      expect(statSync(file()).mode & 0o777).toBe(0o600);
    },
  );

  it('Electron is faked: electron-store’s unchecked renderer IPC listener is not left registered', () => {
    // In Electron's main process electron-store registers this listener when a store is made (here Node
    // loads electron-store with the real, binary-less `electron` package, so it is registered by hand).
    fake.ipcMain.on('electron-store-get-data', () => {});
    openShellSettings({ cwd: tmp.dir });
    expect(fake.ipcMain.listenerCount('electron-store-get-data')).toBe(0);
  });
});

describe('the provider token in safeStorage (Electron is faked)', () => {
  const source = (extra: Partial<ConstructorParameters<typeof ShellTokenSource>[0]> = {}) => {
    const settings = openShellSettings({ cwd: tmp.dir });
    return { settings, tokens: new ShellTokenSource({ settings, safeStorage: fake.safeStorage, platform: 'linux', env: {}, ...extra }) };
  };

  it('Electron is faked: a saved token round-trips, and the file holds only base64 ciphertext', async () => {
    const { tokens } = source();
    expect(await tokens.getToken()).toBeNull();
    await tokens.saveToken('  tl-secret-token-123  ');
    expect(await tokens.getToken()).toBe('tl-secret-token-123');
    const raw = readFileSync(file(), 'utf8');
    expect(raw).not.toContain('tl-secret-token-123');
    expect(onDisk().timelinesToken.ciphertext).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(tokens.describe).toMatch(/encrypted/);
    expect(JSON.stringify(tokens)).not.toContain('tl-secret');
    // A fresh source over the same file (the next start) reads it back.
    const again = new ShellTokenSource({
      settings: openShellSettings({ cwd: tmp.dir }),
      safeStorage: fake.safeStorage,
      platform: 'linux',
      env: {},
    });
    expect(await again.getToken()).toBe('tl-secret-token-123');
    await again.saveToken(null);
    expect(await again.getToken()).toBeNull();
    expect(onDisk().timelinesToken).toBeNull();
  });

  it('Electron is faked: refuses to store the token when encryption is unavailable, and stores nothing', async () => {
    fake.safeStorage.asyncAvailable = false;
    const { tokens } = source({ platform: 'darwin' });
    await expect(tokens.saveToken('tl-secret')).rejects.toThrow(TokenStorageError);
    await expect(tokens.saveToken('tl-secret')).rejects.toThrow(/will not store it in plain text.*HOOKWATCH_TIMELINES_TOKEN/);
    expect(fake.safeStorage.encryptCalls).toBe(0);
    expect(existsSync(file()) ? readFileSync(file(), 'utf8') : '').not.toContain('tl-secret');
    expect(tokens.hasSavedToken()).toBe(false);
  });

  it('Electron is faked: on Linux without a keyring (basic_text) it refuses too: that "encryption" has a public key', async () => {
    fake.safeStorage.backend = 'basic_text';
    const { tokens } = source();
    expect(await tokens.encryptionStatus()).toMatchObject({ available: false });
    await expect(tokens.saveToken('tl-secret')).rejects.toThrow(/No system keyring/);
    expect(fake.safeStorage.encryptCalls).toBe(0);
  });

  it('Electron is faked: without a saved token it falls back to the environment variable', async () => {
    const { tokens } = source({ env: { HOOKWATCH_TIMELINES_TOKEN: ' from-env ' } });
    expect(await tokens.getToken()).toBe('from-env');
    expect(tokens.describe).toBe('environment variable HOOKWATCH_TIMELINES_TOKEN');
    await tokens.saveToken('saved');
    expect(await tokens.getToken()).toBe('saved');
  });

  it('Electron is faked: a token the keychain can no longer decrypt gives a clear error without the ciphertext', async () => {
    const { tokens } = source();
    await tokens.saveToken('tl-secret');
    fake.safeStorage.failDecrypt = true;
    const err = await tokens.getToken().then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(TokenStorageError);
    expect(err!.message).toMatch(/cannot be decrypted.*Enter the token again in Settings/);
    expect(err!.message).not.toContain(onDisk().timelinesToken.ciphertext);
  });

  it('Electron is faked: re-encrypts when the keychain rotated its key', async () => {
    const { tokens } = source();
    await tokens.saveToken('tl-secret');
    const savedAt = onDisk().timelinesToken.savedAt;
    fake.safeStorage.reEncrypt = true;
    let t = savedAt;
    const rotating = new ShellTokenSource({
      settings: openShellSettings({ cwd: tmp.dir }),
      safeStorage: fake.safeStorage,
      platform: 'linux',
      env: {},
      now: () => ++t + 1000,
    });
    expect(await rotating.getToken()).toBe('tl-secret');
    expect(fake.safeStorage.encryptCalls).toBe(2);
    expect(onDisk().timelinesToken.savedAt).toBeGreaterThan(savedAt);
  });

  it('Electron is faked: refuses something that is not a token', async () => {
    const { tokens } = source();
    await expect(tokens.saveToken('two words')).rejects.toThrow(/does not look like a TimelinesAI API token/);
    await expect(tokens.saveToken('x'.repeat(5000))).rejects.toThrow(/does not look like/);
  });
});
