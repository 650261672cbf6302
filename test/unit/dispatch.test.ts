// dispatchApiCall's answers: a refusal's message is the reason alone with the method beside it; an internal error names neither its details nor the method in the message, and reaches the log with both.
import { describe, expect, it } from 'vitest';
import type { HookwatchApi } from '../../main/contract/api.js';
import { dispatchApiCall } from '../../main/core/api/dispatch.js';
import { ApiInputError } from '../../main/core/api/errors.js';

/** A hand-made API object with two methods (no core): only dispatch's own handling is under test here. */
const api = {
  async getSettings() {
    throw new Error('disk /var/secret-path is gone');
  },
  async setTeamHub() {
    throw new ApiInputError('enter the hub URL (nats://HOST:4222, or tls://HOST:4222 for TLS)');
  },
  async getTeamHub() {
    return undefined;
  },
} as unknown as HookwatchApi;

describe('dispatchApiCall (hand-made API object)', () => {
  it('a refusal: the message is the reason alone, the method travels beside it', async () => {
    const out = await dispatchApiCall(api, 'setTeamHub', [{}]);
    expect(out).toEqual({
      ok: false,
      status: 400,
      error: { code: 'bad-input', method: 'setTeamHub', message: 'enter the hub URL (nats://HOST:4222, or tls://HOST:4222 for TLS)' },
    });
  });

  it('arguments that are not an array: refused with the method beside the reason', async () => {
    const out = await dispatchApiCall(api, 'setTeamHub', { url: 'x' });
    expect(out).toMatchObject({ ok: false, status: 400, error: { code: 'bad-input', method: 'setTeamHub' } });
    expect(out.ok ? '' : out.error.message).toBe('the arguments must be a JSON array of at most 4 values');
  });

  it('an internal error: a plain message without its details; the log gets the method and the real error', async () => {
    const logged: Array<[string, unknown]> = [];
    const out = await dispatchApiCall(api, 'getSettings', [], (m, err) => logged.push([m, err]));
    expect(out).toEqual({
      ok: false,
      status: 500,
      error: { code: 'internal', method: 'getSettings', message: 'something failed inside Hookwatch; the details are in its log' },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toBe('getSettings');
    expect((logged[0]![1] as Error).message).toContain('secret-path');
  });

  it('a name outside the contract: no method named, and nothing called', async () => {
    const out = await dispatchApiCall(api, 'constructor', []);
    expect(out).toMatchObject({ ok: false, status: 404, error: { code: 'unknown-method' } });
    expect(out.ok ? null : out.error.method).toBeUndefined();
  });

  it('undefined becomes null, the same on every transport', async () => {
    expect(await dispatchApiCall(api, 'getTeamHub', [])).toEqual({ ok: true, result: null });
  });
});
