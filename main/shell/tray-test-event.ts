// The tray's "Send a test event": runs the API's sendTestEvent and shows its result as a native notification.
import { dialog, Notification } from 'electron';
import type { HookwatchApi, TestEventReport } from '../contract/api.js';
import type { RendererRoute } from './renderer-route.js';

export interface TestEventNotice {
  title: string;
  body: string;
  /** Clicking it: the stored test event in the feed, or Setup (where the webhook URL and the steps are) when it failed. */
  route: RendererRoute;
}

/** What the notification says (pure): each hop with its time, or where it stopped and what to do. */
export function testEventNotice(r: TestEventReport): TestEventNotice {
  const hops = r.hops.map((h) => `${h.hop} ${h.at - r.sentAt} ms`).join(', ');
  if (r.ok) {
    return {
      title: r.via === 'tunnel' ? 'Test event went through the public URL' : 'Test event stored (sent locally)',
      body:
        r.via === 'tunnel'
          ? `${hops}.`
          : `${hops}. The tunnel is not up, so it went straight to the receiver: providers cannot reach Hookwatch yet.`,
      route: { screen: 'feed', eventId: r.eventId },
    };
  }
  return {
    title: 'Test event failed',
    body: `${hops ? `${hops}; then ` : ''}${r.problem ?? 'no answer'}`,
    route: { screen: 'setup' },
  };
}

export interface TrayTestEventOptions {
  api: Pick<HookwatchApi, 'sendTestEvent'>;
  open: (route: RendererRoute) => void;
  iconPath?: string | undefined;
}

/**
 * Sends the test event and shows the result. The notification is kept referenced until it is clicked or
 * closed (a collected one loses its click handler); where the system shows none, a message box says it.
 */
export async function sendTestEventFromTray(o: TrayTestEventOptions): Promise<TestEventNotice> {
  // A call that fails outright (the receiver is not running) is a failed test too, told the same way.
  const notice = await o.api.sendTestEvent().then(testEventNotice, (err: unknown) => ({
    title: 'Test event failed',
    body: `It could not be sent: ${(err as Error).message}. Setup shows the webhook URL and the steps.`,
    route: { screen: 'setup' } as const,
  }));
  if (!Notification.isSupported()) {
    await dialog.showMessageBox({ type: 'info', title: 'Hookwatch', message: notice.title, detail: notice.body });
    return notice;
  }
  const n = new Notification({ title: notice.title, body: notice.body, ...(o.iconPath ? { icon: o.iconPath } : {}) });
  live.add(n);
  const forget = () => live.delete(n);
  n.on('click', () => {
    forget();
    o.open(notice.route);
  });
  n.on('close', forget);
  n.on('failed', forget);
  n.show();
  return notice;
}

const live = new Set<Notification>();
