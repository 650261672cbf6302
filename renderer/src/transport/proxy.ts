// A typed proxy: every contract method becomes one generic call, no channel per method.
import type { HookwatchApi, HookwatchMethod } from '../contract.js';

export type Invoke = (method: HookwatchMethod, args: unknown[]) => Promise<unknown>;

/**
 * A typed `HookwatchApi` over one generic call: every property is a function that forwards its name and
 * arguments. No method is written by hand, so the contract is the only list of methods (the VS Code
 * `ProxyChannel.toService` idea).
 */
export function apiProxy(invoke: Invoke): HookwatchApi {
  const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as HookwatchApi, {
    get(_target, prop) {
      // Not a method: symbols (inspection) and `then` (so awaiting the proxy does not treat it as a promise).
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      let fn = cache.get(prop);
      if (!fn) {
        fn = (...args: unknown[]) => invoke(prop as HookwatchMethod, args);
        cache.set(prop, fn);
      }
      return fn;
    },
  });
}

/** An API call that failed: the reason Hookwatch gave (shown as it is), and the method it came from (for logs). */
export class HookwatchApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly method?: string,
  ) {
    super(message);
    this.name = 'HookwatchApiError';
  }
}
