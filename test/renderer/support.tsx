import { act, cleanup, render, type RenderResult } from '@testing-library/react';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReactElement } from 'react';
import type { HookwatchBridge } from '../../main/contract/api.js';
import { dispatchApiCall } from '../../main/core/api/dispatch.js';
import { createHookwatchService, type ServiceHost } from '../../main/core/api/create.js';
import { HookwatchService } from '../../main/core/api/service.js';
import { ClientProvider } from '../../renderer/src/hooks.js';
import { clientFromBridge, type HookwatchClient } from '../../renderer/src/transport/client.js';
import { HookwatchApiError } from '../../renderer/src/transport/proxy.js';
import { REPO, startCore } from '../support/harness.js';

/**
 * Screens under jsdom against the real thing: a real core (SQLite file, receiver on 127.0.0.1) and the
 * real API service, reached through the same generic bridge a transport provides. Every answer and
 * notification goes through JSON, as it would over HTTP or IPC, so only plain data gets through.
 */
export async function startInProcessClient(sources: ServiceHost = {}, options: { withoutAlerts?: boolean } = {}) {
  const running = await withNodeModuleUrls(() => startCore());
  const core = running.core;
  // The service as the hosts wire it; or, for the screens' "not available" states, a service over the bare
  // store and receiver, with no alerts, tunnel or webhook ports (a host that runs without them).
  const svc = options.withoutAlerts
    ? new HookwatchService({
        core: { store: core.store, receiver: core.receiver, onCommitted: core.onCommitted.bind(core) },
        batchMs: 10,
        ...sources,
      })
    : createHookwatchService(core, { batchMs: 10, ...sources });
  const bridge: HookwatchBridge = {
    async invoke(method, args) {
      const outcome = await dispatchApiCall(svc.api, method, JSON.parse(JSON.stringify(args)));
      if (!outcome.ok) throw new HookwatchApiError(outcome.error.code, outcome.error.message, outcome.status, outcome.error.method);
      return JSON.parse(JSON.stringify(outcome.result));
    },
    subscribe(listener) {
      return svc.subscribe((n) => listener(JSON.parse(JSON.stringify(n))));
    },
  };
  const client: HookwatchClient = clientFromBridge(bridge, 'in-process');
  return {
    client,
    service: svc,
    core: running.core,
    receiverUrl: running.url,
    async stop() {
      cleanup();
      svc.close();
      await running.stop();
    },
  };
}

/**
 * In jsdom test files vitest rewrites `new URL('./x.js', import.meta.url)` to `new URL('./x.js', self.location)`
 * (so assets resolve as in a browser), and the page is http://localhost:3000. The core finds its writer
 * worker script that way (main/core/receiver/writer.ts), and fileURLToPath then throws on http:. While the
 * core starts, `self.location` is the receiver folder's file URL: the lookup resolves as Node would.
 */
async function withNodeModuleUrls<T>(start: () => Promise<T>): Promise<T> {
  const real = Object.getOwnPropertyDescriptor(globalThis, 'self');
  const receiverDir = pathToFileURL(join(REPO, 'main/core/receiver/')).href;
  Object.defineProperty(globalThis, 'self', { configurable: true, value: { location: receiverDir } });
  try {
    return await start();
  } finally {
    if (real) Object.defineProperty(globalThis, 'self', real);
  }
}

export function renderWith(client: HookwatchClient, ui: ReactElement): RenderResult {
  return render(<ClientProvider client={client}>{ui}</ClientProvider>);
}

/** jsdom does no layout; the feed's scroll box needs a height for the virtualizer to show rows. */
export function giveFeedAHeight(height = 560): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('feed-scroll') ? height : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('feed-scroll') ? 800 : 0;
    },
  });
}

export async function flush(ms = 0): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });
}
