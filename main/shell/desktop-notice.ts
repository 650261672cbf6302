// What a native notification says and where clicking it leads, for one alert (pure).
import { routeForAlert, type RendererRoute } from './renderer-route.js';
import { clip } from './shell-format.js';

/**
 * Which alerts become a native notification, and what it says. Pure.
 *
 * The core already decided whether an alert should reach the user (quiet hours, snooze, mute,
 * flapping: `notify` and `suppressed`, see main/core/alerts/rules.ts). The shell adds one choice of its
 * own, "show desktop notifications" (off: alerts are still kept in the history and the tray).
 *
 *   | alert.notify | alert.suppressed | desktop notifications on | native notification |
 *   | ------------ | ---------------- | ------------------------ | ------------------- |
 *   | false        | any              | any                      | none                |
 *   | true         | a reason         | any                      | none (defensive)    |
 *   | true         | null             | no                       | none                |
 *   | true         | null             | yes                      | one                 |
 */

export interface AlertForNotice {
  id: number;
  severity: 'critical' | 'warning' | 'info' | 'recovery';
  kind: string;
  title: string;
  text: string;
  eventId?: number | null;
  notify: boolean;
  suppressed: string | null;
  /** Something to paste (a changed webhook URL): the notice offers to copy it. */
  copyText?: string;
}

export interface DesktopNotificationPrefs {
  enabled: boolean;
  /** No sound. */
  silent: boolean;
}

export interface DesktopNotice {
  alertId: number;
  title: string;
  body: string;
  urgency: 'critical' | 'normal' | 'low';
  /** Critical ones stay until dismissed (Linux and Windows; macOS follows the user's system setting). */
  timeoutType: 'default' | 'never';
  silent: boolean;
  route: RendererRoute;
  /** Offered as a "Copy URL" action; the body itself never carries it (it holds the webhook secret). */
  copyText?: string;
}

const URGENCY: Record<AlertForNotice['severity'], DesktopNotice['urgency']> = {
  critical: 'critical',
  warning: 'normal',
  recovery: 'normal',
  info: 'low',
};

/**
 * Linux notification servers that announce the "body-markup" capability (GNOME Shell, KDE, dunst)
 * read <b>, <i>, <a href>, <img> in the body, and Electron passes the body through untouched
 * (shell/browser/notifications/linux/libnotify_notification.cc; Desktop Notifications spec, "Markup").
 * Bodies carry chat and account names from payloads, which must never be read as markup. The title is
 * plain text by the spec.
 */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function desktopNoticeFor(alert: AlertForNotice, prefs: DesktopNotificationPrefs, platform: NodeJS.Platform): DesktopNotice | null {
  if (!alert.notify || alert.suppressed !== null || !prefs.enabled) return null;
  const body = clip(alert.text.replace(/\s+/g, ' ').trim(), 300);
  return {
    alertId: alert.id,
    title: clip(alert.title.replace(/\s+/g, ' ').trim() || 'Hookwatch alert', 120),
    body: platform === 'linux' ? escapeNotificationMarkup(body) : body,
    urgency: URGENCY[alert.severity],
    timeoutType: alert.severity === 'critical' ? 'never' : 'default',
    silent: prefs.silent,
    route: routeForAlert(alert),
    ...(alert.copyText ? { copyText: alert.copyText } : {}),
  };
}
