import type { AlertView } from './contract.js';

/** Browser notifications (the browser transport; Electron shows native ones from main). */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** Shows an alert as a notification when the user allowed it; clicking it focuses the page on the alert. */
export function notifyAlert(alert: AlertView, onClick: (alert: AlertView) => void): boolean {
  if (notificationPermission() !== 'granted') return false;
  const n = new Notification(alert.title, {
    body: alert.text,
    tag: `hookwatch-alert-${alert.id}`,
    requireInteraction: alert.severity === 'critical',
  });
  n.onclick = () => {
    window.focus();
    onClick(alert);
    n.close();
  };
  return true;
}
