// The contract over HTTP and server-sent events, for the browser dashboard.
import type { ApiErrorPayload, HookwatchBridge, HookwatchNotification, HookwatchNotificationKind } from '../contract.js';
import { HOOKWATCH_NOTIFICATION_KINDS } from '../contract.js';
import { HookwatchApiError } from './proxy.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'refused';

export interface HttpBridge extends HookwatchBridge {
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

export const TOKEN_HEADER = 'x-hookwatch-token';

/**
 * The browser transport: `POST api/<method>` with the arguments as a JSON array, and one server-sent-event
 * stream for notifications. The stream is read with fetch rather than EventSource because EventSource
 * cannot send a header, and the token belongs in a header, not in another URL.
 */
export function httpBridge(options: { token: string; base?: string; fetchImpl?: typeof fetch }): HttpBridge {
  const base = options.base ?? './';
  const doFetch = options.fetchImpl ?? fetch.bind(globalThis);
  const listeners = new Set<(n: HookwatchNotification) => void>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let closed = false;

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const l of connectionListeners) l(s);
  };

  const emit = (n: HookwatchNotification) => {
    for (const l of listeners) l(n);
  };

  async function stream(): Promise<void> {
    if (closed || controller) return;
    controller = new AbortController();
    try {
      const res = await doFetch(`${base}api/events-stream`, {
        headers: { [TOKEN_HEADER]: options.token, accept: 'text/event-stream' },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (res.status === 401 || res.status === 403) {
        setState('refused');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      attempt = 0;
      setState('open');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const n = parseEventBlock(block);
          if (n) emit(n);
        }
      }
    } catch {
      // Network error or abort: reconnect below unless closed.
    } finally {
      controller = null;
    }
    if (closed || state === 'refused') return;
    setState('reconnecting');
    const delay = Math.min(10_000, 500 * 2 ** attempt++) * (0.75 + Math.random() * 0.5);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void stream();
    }, delay);
  }

  return {
    async invoke(method, args) {
      const res = await doFetch(`${base}api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: options.token },
        body: JSON.stringify(args),
        cache: 'no-store',
      });
      const text = await res.text();
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // A plain-text refusal (401/403/413): its text is the message.
      }
      if (!res.ok) {
        // The message is the reason alone (screens show it as it is); the method rides beside it.
        const err = (body as Partial<ApiErrorPayload> | null)?.error;
        throw new HookwatchApiError(
          err?.code ?? `http-${res.status}`,
          err?.message ?? (text.trim() || `Hookwatch answered ${res.status}`),
          res.status,
          err?.method ?? method,
        );
      }
      return body;
    },
    subscribe(listener) {
      listeners.add(listener);
      void stream();
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closed = true;
      controller?.abort();
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}

/** One SSE block (`event:` and `data:` lines; comments start with `:`), or null for keep-alives and unknown kinds. */
export function parseEventBlock(block: string): HookwatchNotification | null {
  let kind = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') kind = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 || !(HOOKWATCH_NOTIFICATION_KINDS as readonly string[]).includes(kind)) return null;
  try {
    return { kind: kind as HookwatchNotificationKind, data: JSON.parse(data.join('\n')) } as HookwatchNotification;
  } catch {
    return null;
  }
}
