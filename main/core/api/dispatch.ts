// Calls one API method by name: the single entry point of every transport (HTTP, Electron IPC).
import { isHookwatchMethod, type ApiErrorPayload, type HookwatchApi } from '../../contract/api.js';
import { ApiInputError } from './errors.js';

/** The most arguments any method takes; more is a caller's mistake, not something to ignore. */
const MAX_ARGS = 4;

export type DispatchOutcome = { ok: true; result: unknown } | ({ ok: false; status: 400 | 404 | 500 } & ApiErrorPayload);

/**
 * Calls one API method by name with positional arguments: the single entry point every transport
 * (HTTP, Electron IPC) uses, so none of them writes code per method. Only the contract's own method
 * names are callable (never a prototype property such as `constructor`). A refusal's message is the reason
 * alone (no method name in front: a person reads it), with the method in `error.method`. Internal errors are
 * turned into a generic message; `onInternalError` receives the method and the real error for the log.
 */
export async function dispatchApiCall(
  api: HookwatchApi,
  method: unknown,
  args: unknown,
  onInternalError?: (method: string, err: unknown) => void,
): Promise<DispatchOutcome> {
  if (!isHookwatchMethod(method)) {
    return {
      ok: false,
      status: 404,
      error: { code: 'unknown-method', message: `no API method named ${JSON.stringify(String(method).slice(0, 60))}` },
    };
  }
  if (!Array.isArray(args) || args.length > MAX_ARGS) {
    return {
      ok: false,
      status: 400,
      error: { code: 'bad-input', method, message: `the arguments must be a JSON array of at most ${MAX_ARGS} values` },
    };
  }
  try {
    const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(api, args);
    // undefined is not JSON; null says "nothing" across every transport alike.
    return { ok: true, result: result === undefined ? null : result };
  } catch (err) {
    // The reason alone is the message: screens show it to a person as it is, and the method travels beside it.
    if (err instanceof ApiInputError) return { ok: false, status: 400, error: { code: 'bad-input', method, message: err.message } };
    onInternalError?.(method, err);
    return {
      ok: false,
      status: 500,
      error: { code: 'internal', method, message: 'something failed inside Hookwatch; the details are in its log' },
    };
  }
}
