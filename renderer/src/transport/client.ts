// Connects the page to Hookwatch: the preload bridge in the desktop app, HTTP+SSE with the URL token in the browser.
import type {
  HookwatchApi,
  HookwatchBridge,
  HookwatchNotification,
  HookwatchNotificationKind,
  HookwatchNotifications,
} from '../contract.js';
import { httpBridge, type ConnectionState, type HttpBridge } from './http.js';
import { apiProxy } from './proxy.js';

export type { ConnectionState };

/** What screens use: the typed API, notifications by kind, and the state of the connection. */
export interface HookwatchClient {
  readonly api: HookwatchApi;
  readonly transport: 'electron' | 'browser' | 'in-process';
  on<K extends HookwatchNotificationKind>(kind: K, listener: (data: HookwatchNotifications[K]) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge): the same contract over one IPC channel. */
    hookwatch?: HookwatchBridge;
  }
}

/** A client over any bridge: one subscription to the bridge, fanned out by notification kind. */
export function clientFromBridge(
  bridge: HookwatchBridge & Partial<Pick<HttpBridge, 'onConnection'>>,
  transport: HookwatchClient['transport'],
): HookwatchClient {
  const byKind = new Map<HookwatchNotificationKind, Set<(data: never) => void>>();
  let unsubscribe: (() => void) | null = null;
  // The `stream` hello comes once per (re)connection, possibly before a screen listens for it: keep the last.
  let lastStream: HookwatchNotifications['stream'] | null = null;
  const dispatch = (n: HookwatchNotification) => {
    if (n.kind === 'stream') lastStream = n.data;
    for (const l of byKind.get(n.kind) ?? []) (l as (d: unknown) => void)(n.data);
  };
  return {
    api: apiProxy((method, args) => bridge.invoke(method, args)),
    transport,
    on(kind, listener) {
      let set = byKind.get(kind);
      if (!set) byKind.set(kind, (set = new Set()));
      set.add(listener as (data: never) => void);
      if (unsubscribe === null) unsubscribe = bridge.subscribe(dispatch);
      else if (kind === 'stream' && lastStream) (listener as (d: unknown) => void)(lastStream);
      return () => {
        set.delete(listener as (data: never) => void);
      };
    },
    onConnection(listener) {
      if (bridge.onConnection) return bridge.onConnection(listener);
      listener('open');
      return () => {};
    },
  };
}

/** The token from the page URL (`?token=…`), as `hookwatch serve` printed it. */
export function tokenFromLocation(location: Location): string | null {
  return new URLSearchParams(location.search).get('token');
}

/** Electron's preload bridge when there is one, else HTTP to the server that served this page. */
export function connect(win: Window = window): HookwatchClient | { error: string } {
  if (win.hookwatch) return clientFromBridge(win.hookwatch, 'electron');
  const token = tokenFromLocation(win.location);
  if (!token)
    return {
      error: 'This page needs the token from the URL `hookwatch serve` printed (dashboard: http://127.0.0.1:…/?token=…). Open that URL.',
    };
  return clientFromBridge(httpBridge({ token }), 'browser');
}
