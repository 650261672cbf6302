// The preload of Hookwatch's window. It runs sandboxed (CommonJS, and `require` reaches only Electron's
// renderer modules), so it is one self-contained file that imports nothing of ours at run time; only
// types, which the compiler erases.
//
// It exposes exactly one object, `window.hookwatch`, the HookwatchBridge of the API contract: one
// generic `invoke(method, args)` and one `subscribe(listener)`. It knows no method by name; main checks
// the method against the contract and that the call comes from this window.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiErrorPayload, HookwatchBridge, HookwatchNotification } from '../main/contract/api.js';

// Must equal API_INVOKE_CHANNEL and API_EVENT_CHANNEL in main/shell/ipc-bridge.ts (test/shell/preload.test.ts checks).
const API_INVOKE_CHANNEL = 'hookwatch:api:invoke';
const API_EVENT_CHANNEL = 'hookwatch:api:event';

type Outcome = { ok: true; result: unknown } | ({ ok: false; status: number } & ApiErrorPayload);

function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

const bridge: HookwatchBridge = {
  async invoke(method, args) {
    if (typeof method !== 'string' || !Array.isArray(args)) {
      throw new TypeError('hookwatch.invoke(method, args): method is a string and args an array');
    }
    const outcome: unknown = await ipcRenderer.invoke(API_INVOKE_CHANNEL, method, args);
    if (!isOutcome(outcome)) throw new Error('Hookwatch answered in an unexpected form');
    if (outcome.ok) return outcome.result;
    // contextBridge copies an Error's message only, so the message is all the page gets: the reason alone,
    // which screens show as it is (the method is the page's own call, it knows it).
    throw new Error(outcome.error.message);
  },
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('hookwatch.subscribe(listener): listener is a function');
    // The IPC event itself never reaches the page: it would hand it ipcRenderer (event.sender).
    const onMessage = (_event: IpcRendererEvent, message: HookwatchNotification) => listener(message);
    ipcRenderer.on(API_EVENT_CHANNEL, onMessage);
    return () => {
      ipcRenderer.removeListener(API_EVENT_CHANNEL, onMessage);
    };
  },
};

contextBridge.exposeInMainWorld('hookwatch', bridge);
