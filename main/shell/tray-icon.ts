// Which tray icon file shows which state, light and dark.
import type { TrayLook } from './tray-state.js';

/**
 * Which tray picture fits the panel it sits on. Pure. The pictures are drawn by
 * assets/generate-icons.mjs: a dark glyph for light panels, a light one for dark panels, and
 * black-with-alpha "Template" images that macOS tints itself.
 */
export interface PanelContext {
  platform: NodeJS.Platform;
  /** Windows: nativeTheme.shouldUseDarkColorsForSystemIntegratedUI (the taskbar, not the apps); elsewhere shouldUseDarkColors. */
  systemUiDark: boolean;
  /** XDG_CURRENT_DESKTOP on Linux. */
  desktop?: string | undefined;
}

/** GNOME Shell (and Ubuntu's, Pantheon's, Unity's) top bar is dark in light themes too. */
const ALWAYS_DARK_PANELS = /(^|:)(GNOME|ubuntu|Unity|Pantheon|Budgie)(:|$)/i;

export function trayIconFile(look: TrayLook, panel: PanelContext): string {
  if (panel.platform === 'darwin') return `tray-${look}Template.png`;
  const dark = panel.platform === 'linux' && panel.desktop && ALWAYS_DARK_PANELS.test(panel.desktop) ? true : panel.systemUiDark;
  return `tray-${look}-${dark ? 'dark' : 'light'}.png`;
}
