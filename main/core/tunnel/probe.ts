// The end-to-end probe: a GET through the public URL that only our own receiver can answer correctly.
import { randomBytes } from 'node:crypto';
import { PROBE_PATH_PREFIX, probeAnswer } from '../receiver/receiver.js';
import { formatMs, smallGet } from './http-get.js';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** How the supervisor checks a public URL end to end. Injectable so the state machine can be tested without a network. */
export type ProbeFunction = (publicUrl: string, options: { timeoutMs: number; signal: AbortSignal }) => Promise<ProbeResult>;

/** A fresh nonce per probe, so an answer cached anywhere on the way (or another app behind the URL) cannot pass. */
export function probeNonce(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * GET <publicUrl>/__hookwatch/probe/<nonce> through the tunnel server, the tunnel client and the receiver, and
 * check the receiver's own answer. `bypass-tunnel-reminder` keeps loca.lt from serving its browser reminder page
 * (HTTP 401) instead of forwarding.
 */
export const probePublicUrl: ProbeFunction = async (publicUrl, { timeoutMs, signal }) => {
  const nonce = probeNonce();
  const url = publicUrl.replace(/\/+$/, '') + PROBE_PATH_PREFIX + nonce;
  let res;
  try {
    res = await smallGet(url, {
      timeoutMs,
      signal,
      maxBytes: 4096,
      headers: { 'bypass-tunnel-reminder': '1', 'cache-control': 'no-cache' },
    });
  } catch (err) {
    return { ok: false, reason: `probe failed: ${(err as Error).message}` };
  }
  const expected = probeAnswer(nonce);
  if (res.status === 200 && res.body.trim() === expected) return { ok: true };
  // smallGet follows no redirect: a tunnel URL that redirects is broken (or not ours), never a reason to go elsewhere.
  if (res.status >= 300 && res.status < 400)
    return {
      ok: false,
      reason: `probe failed: HTTP ${res.status}: the public URL redirects elsewhere (not followed); it does not lead to Hookwatch`,
    };
  return { ok: false, reason: `probe failed: ${explainStatus(res.status, res.body, timeoutMs)}` };
};

function explainStatus(status: number, body: string, timeoutMs: number): string {
  switch (status) {
    case 200:
      return 'the URL answered, but not with our probe answer (is another app behind it?)';
    case 404:
      return 'HTTP 404: the tunnel server no longer knows this URL';
    case 401:
      return 'HTTP 401: the tunnel server showed its reminder page instead of forwarding';
    case 408:
      return 'HTTP 408 from the local side (stale timeout answer)';
    case 502:
    case 504:
      return `HTTP ${status}: the tunnel could not reach Hookwatch's receiver`;
    case 503:
      return 'HTTP 503: the tunnel server says the tunnel is unavailable';
    default: {
      const snippet = body.replace(/\s+/g, ' ').trim().slice(0, 80);
      return `HTTP ${status}${snippet ? ` (${snippet})` : ''} within ${formatMs(timeoutMs)}`;
    }
  }
}
