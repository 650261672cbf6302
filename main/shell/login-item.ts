// Start at login: the OS login item, or a Linux autostart entry with a properly escaped Exec line.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * "Start at login". macOS and Windows keep login items themselves (app.setLoginItemSettings); Linux has
 * no such API in Electron, so the XDG autostart file is written here
 * (https://specifications.freedesktop.org/autostart-spec/latest/).
 *
 * A start at login passes HIDDEN_ARG so the app comes up in the tray without opening its window.
 */

export const HIDDEN_ARG = '--hidden';

export interface LoginItem {
  readonly supported: boolean;
  isEnabled(): boolean;
  setEnabled(on: boolean): void;
}

export interface ElectronLoginItems {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

/**
 * Desktop-entry Exec quoting of one argument (Desktop Entry spec, "The Exec key"): an argument with a
 * reserved character is double-quoted, with \ " ` $ escaped by a backslash inside the quotes.
 */
export function quoteExecArg(arg: string): string {
  if (!/[\s"'\\`$<>|&;*?#()~=]/.test(arg)) return arg;
  return `"${arg.replace(/([\\"`$])/g, '\\$1')}"`;
}

/**
 * The whole Exec value for these arguments, in the spec's three layers: each argument quoted
 * (quoteExecArg) with `%` written `%%` (a lone `%` starts a field code such as `%u`, which the launcher
 * would replace), and then the string-value escape, which doubles every backslash (so a quoted `\$` is
 * written `\\$`). A line break cannot be written in a key's value at all (it would end the line, and the
 * next line could be any key), so an argument holding one is refused.
 */
export function execKeyValue(args: readonly string[]): string {
  for (const arg of args) {
    if (/[\r\n]/.test(arg)) {
      throw new Error(
        `cannot start Hookwatch at login: its path has a line break (${JSON.stringify(arg)}); move Hookwatch to a folder whose path has none and turn Start at login on again`,
      );
    }
  }
  return args
    .map((arg) => quoteExecArg(arg).replace(/%/g, '%%'))
    .join(' ')
    .replace(/\\/g, '\\\\');
}

/** `command`: the executable and any arguments before HIDDEN_ARG (an unpackaged app needs its folder). */
export function autostartDesktopEntry(command: readonly string[], name = 'Hookwatch'): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    'Comment=Watches WhatsApp webhooks and alerts on account outages',
    `Exec=${execKeyValue([...command, HIDDEN_ARG])}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function linuxAutostartPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', 'hookwatch.desktop');
}

export class LinuxAutostart implements LoginItem {
  readonly supported = true;
  constructor(
    private readonly file: string,
    /** Starts with the AppImage's own path when run from one (process.execPath is inside its temporary mount). */
    private readonly command: readonly string[],
  ) {}

  isEnabled(): boolean {
    return existsSync(this.file);
  }

  setEnabled(on: boolean): void {
    if (!on) {
      rmSync(this.file, { force: true });
      return;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    const entry = autostartDesktopEntry(this.command);
    // An AppImage moved or updated changes the path: rewrite when it differs.
    if (!existsSync(this.file) || readFileSync(this.file, 'utf8') !== entry) writeFileSync(this.file, entry, { mode: 0o644 });
  }
}

export class ElectronLoginItem implements LoginItem {
  readonly supported = true;
  constructor(
    private readonly app: ElectronLoginItems,
    private readonly platform: NodeJS.Platform,
    private readonly appArgs: readonly string[] = [],
  ) {}

  private get args(): string[] | undefined {
    // Windows starts us with these args; macOS login items take none (we read wasOpenedAtLogin there).
    return this.platform === 'win32' ? [...this.appArgs, HIDDEN_ARG] : undefined;
  }

  isEnabled(): boolean {
    const args = this.args;
    return this.app.getLoginItemSettings(args ? { args } : undefined).openAtLogin;
  }

  setEnabled(on: boolean): void {
    const args = this.args;
    this.app.setLoginItemSettings(args ? { openAtLogin: on, args } : { openAtLogin: on });
  }
}

export class UnsupportedLoginItem implements LoginItem {
  readonly supported = false;
  isEnabled(): boolean {
    return false;
  }
  setEnabled(): void {
    throw new Error('Start at login is not supported on this system');
  }
}

export interface LoginItemContext {
  platform: NodeJS.Platform;
  app: ElectronLoginItems;
  env?: NodeJS.ProcessEnv;
  execPath?: string;
  /** Unpackaged (`electron .`), the executable is Electron itself and needs the app's folder as its first argument. */
  unpackagedAppPath?: string | null;
}

export function loginItemFor(c: LoginItemContext): LoginItem {
  const env = c.env ?? process.env;
  const appArgs = c.unpackagedAppPath ? [c.unpackagedAppPath] : [];
  if (c.platform === 'darwin' || c.platform === 'win32') return new ElectronLoginItem(c.app, c.platform, appArgs);
  if (c.platform === 'linux')
    return new LinuxAutostart(linuxAutostartPath(env), [env.APPIMAGE ?? c.execPath ?? process.execPath, ...appArgs]);
  return new UnsupportedLoginItem();
}
