// The Electron Tray: icon, tooltip and menu kept current.
import { join } from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray } from 'electron';
import { toMenuTemplate, trayMenuModel, type TrayAction, type TrayMenuOptions } from './tray-menu.js';
import { trayIconFile } from './tray-icon.js';
import { trayStateFrom, type TrayState, type TrayStateInput } from './tray-state.js';

export interface TrayControllerOptions {
  /** The folder with the tray PNGs (assets/tray). */
  iconDir: string;
  /** Everything the tray shows, read fresh at each refresh. */
  read: () => TrayStateInput;
  menuOptions: () => TrayMenuOptions;
  run: (action: TrayAction) => void;
  /** Opens the window (a left click on Windows and Linux; macOS opens the menu on any click). */
  onActivate: () => void;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/** The tray icon, tooltip and menu: redrawn from the pure state (tray-state.ts, tray-menu.ts) on every change. */
export class TrayController {
  private readonly tray: Tray;
  private readonly platform: NodeJS.Platform;
  private lastState: TrayState | null = null;
  private readonly onThemeUpdated = () => this.refresh();

  constructor(private readonly o: TrayControllerOptions) {
    this.platform = o.platform ?? process.platform;
    const first = trayStateFrom(o.read());
    this.tray = new Tray(this.image(first));
    if (this.platform !== 'darwin') this.tray.on('click', () => o.onActivate());
    nativeTheme.on('updated', this.onThemeUpdated);
    this.apply(first);
  }

  get state(): TrayState | null {
    return this.lastState;
  }

  refresh(): void {
    if (this.tray.isDestroyed()) return;
    this.apply(trayStateFrom(this.o.read()));
  }

  destroy(): void {
    nativeTheme.off('updated', this.onThemeUpdated);
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private image(state: TrayState): Electron.NativeImage {
    const file = trayIconFile(state.look, {
      platform: this.platform,
      systemUiDark: this.platform === 'win32' ? nativeTheme.shouldUseDarkColorsForSystemIntegratedUI : nativeTheme.shouldUseDarkColors,
      desktop: (this.o.env ?? process.env).XDG_CURRENT_DESKTOP,
    });
    // createFromPath picks up the @2x file next to it for high-density displays.
    const image = nativeImage.createFromPath(join(this.o.iconDir, file));
    if (this.platform === 'darwin') image.setTemplateImage(true);
    return image;
  }

  private apply(state: TrayState): void {
    this.lastState = state;
    this.tray.setImage(this.image(state));
    this.tray.setToolTip(state.tooltip);
    // Linux (AppIndicator) only picks up menu changes through a new setContextMenu call.
    this.tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(trayMenuModel(state, this.o.menuOptions()), this.o.run, this.platform)));
  }
}
