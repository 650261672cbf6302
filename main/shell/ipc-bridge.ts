// The one IPC channel: forwards API calls and notifications, checking who is calling.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { HookwatchApi, HookwatchNotification } from '../contract/api.js';
import { dispatchApiCall } from '../core/api/dispatch.js';
import type { RendererRoute } from './renderer-route.js';
import { isTrustedSenderFrame } from './renderer-origin.js';

/**
 * The contract over Electron IPC: ONE invoke channel that carries `(method, args)` for every API method,
 * and ONE event channel for notifications. Nothing here knows a method by name: dispatchApiCall looks it up
 * in the contract, exactly as the HTTP dashboard does.
 *
 * The same two channel names are written in preload/index.cts (a sandboxed preload cannot import them);
 * test/shell/preload.test.ts checks they agree.
 */
export const API_INVOKE_CHANNEL = 'hookwatch:api:invoke';
export const API_EVENT_CHANNEL = 'hookwatch:api:event';

/**
 * A request from the shell to show a screen (a notification was clicked), sent on the event channel.
 * Not yet part of HookwatchNotifications in main/contract/api.ts: once it is, this type and kind
 * come from there (see the shell's hand-over notes).
 */
export const SHELL_NAVIGATE_KIND = 'navigate';
export interface ShellNavigation {
  kind: typeof SHELL_NAVIGATE_KIND;
  data: RendererRoute;
}
export type RendererMessage = HookwatchNotification | ShellNavigation;

export interface ApiIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  api: HookwatchApi;
  devOrigin?: string | null;
  log?: (line: string) => void;
}

export class IpcSenderRefused extends Error {
  constructor() {
    super('Hookwatch refused this call: it did not come from the Hookwatch window.');
    this.name = 'IpcSenderRefused';
  }
}

function describeSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): string {
  const frame = event.senderFrame;
  if (!frame) return 'a frame that is gone';
  let origin = '(unparsable URL)';
  try {
    const u = new URL(frame.url);
    origin = u.protocol === 'file:' ? 'file://' : `${u.protocol}//${u.host}`;
  } catch {
    /* keep the placeholder */
  }
  // The origin, not the URL: a URL can carry anything, and this goes to the log.
  return `${origin}${frame.parent ? ' (a subframe)' : ''}`;
}

/** Registers the invoke handler; returns the function that removes it. */
export function registerApiIpc(o: ApiIpcOptions): () => void {
  const log = o.log ?? (() => {});
  o.ipcMain.handle(API_INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, args: unknown) => {
    if (!isTrustedSenderFrame(event.senderFrame, o.devOrigin ?? null)) {
      log(`refused an API call from ${describeSender(event)}`);
      throw new IpcSenderRefused();
    }
    return dispatchApiCall(o.api, method, args, (m, err) => log(`API ${m} failed: ${(err as Error)?.stack ?? String(err)}`));
  });
  return () => o.ipcMain.removeHandler(API_INVOKE_CHANNEL);
}

/** Sends a message to our renderer, and only to it: never to a page that is not ours. */
export function sendToRenderer(
  contents: Pick<WebContents, 'isDestroyed' | 'send' | 'mainFrame'> | null | undefined,
  message: RendererMessage,
  devOrigin: string | null = null,
): boolean {
  if (!contents || contents.isDestroyed()) return false;
  if (!isTrustedSenderFrame(contents.mainFrame, devOrigin)) return false;
  contents.send(API_EVENT_CHANNEL, message);
  return true;
}
