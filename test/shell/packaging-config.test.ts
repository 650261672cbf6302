// electron-builder.yml says what the issue asks for (the packaged file list itself: package.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_ID } from '../../main/shell/startup.js';
import { REPO } from '../support/harness.js';

const config = parse(readFileSync(join(REPO, 'electron-builder.yml'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

describe('electron-builder.yml', () => {
  it('names the app, and its appId is the one the shell gives Windows for notifications', () => {
    expect(config.productName).toBe('Hookwatch');
    expect(config.appId).toBe(APP_ID);
  });

  it('builds AppImage and deb, dmg, nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('macOS: a tray-only app (LSUIElement), no Dock icon', () => {
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
  });

  it('deb: recommends the AppIndicator library, and package.json has what deb needs (maintainer e-mail, description, homepage)', () => {
    expect(config.deb.recommends).toContain('libayatana-appindicator3-1');
    expect(pkg.author).toMatch(/^[^<]+<[^@\s]+@[^>\s]+>$/);
    expect(pkg.description).toBeTruthy();
    expect(pkg.homepage).toMatch(/^https:\/\//);
  });

  it('packages only the built app, and unpacks better-sqlite3’s addon from the asar', () => {
    expect(config.files).toEqual(
      expect.arrayContaining(['package.json', 'dist/main/**/*.js', 'dist/preload/**/*.cjs', 'dist/renderer/**']),
    );
    expect(config.files.filter((f: string) => /^(main|preload|renderer|test|bench|src)\b/.test(f))).toEqual([]);
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/build/Release/better_sqlite3.node']);
  });

  it('its icon paths exist', () => {
    for (const p of [config.mac.icon, config.win.icon, `${config.linux.icon}/256x256.png`])
      expect(() => readFileSync(join(REPO, p))).not.toThrow();
  });
});
