// Native notifications for alerts, through Electron.
import { Notification } from 'electron';
import { desktopNoticeFor, type AlertForNotice, type DesktopNotificationPrefs } from './desktop-notice.js';
import type { RendererRoute } from './renderer-route.js';

/** Notifications kept referenced at most; older ones can no longer route a click (the OS usually dropped them anyway). */
const MAX_LIVE = 50;

export interface DesktopNotifierOptions {
  prefs: () => DesktopNotificationPrefs;
  open: (route: RendererRoute) => void;
  platform?: NodeJS.Platform;
  /** Linux and Windows show it; macOS always shows the app's icon. */
  iconPath?: string | undefined;
  log?: (line: string) => void;
}

/**
 * One native notification per alert the core says should notify (desktop-notice.ts decides).
 * Clicking one opens the window on the alert's event.
 */
export class DesktopNotifier {
  // A Notification that is garbage-collected loses its click handler (https://github.com/electron/electron/issues/16922): keep them.
  private readonly live = new Set<Notification>();
  private warnedUnsupported = false;

  constructor(private readonly o: DesktopNotifierOptions) {}

  showAlert(alert: AlertForNotice): boolean {
    const notice = desktopNoticeFor(alert, this.o.prefs(), this.o.platform ?? process.platform);
    if (!notice) return false;
    if (!Notification.isSupported()) {
      if (!this.warnedUnsupported) this.o.log?.('this system shows no desktop notifications; alerts are in the tray and the alert history');
      this.warnedUnsupported = true;
      return false;
    }
    const n = new Notification({
      title: notice.title,
      body: notice.body,
      urgency: notice.urgency,
      timeoutType: notice.timeoutType,
      silent: notice.silent,
      ...(this.o.iconPath ? { icon: this.o.iconPath } : {}),
    });
    const forget = () => this.live.delete(n);
    n.on('click', () => {
      forget();
      this.o.open(notice.route);
    });
    n.on('close', forget);
    n.on('failed', (_event, error) => {
      forget();
      this.o.log?.(`a desktop notification failed: ${error}`);
    });
    this.live.add(n);
    for (const old of this.live) {
      if (this.live.size <= MAX_LIVE) break;
      this.live.delete(old);
    }
    n.show();
    return true;
  }

  get liveCount(): number {
    return this.live.size;
  }
}
