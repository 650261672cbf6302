// Small HTTP helpers for the tunnel: one bounded GET that follows no redirect, and a loopback-aware lookup.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * Resolves `localhost` and `*.localhost` to 127.0.0.1 ourselves. RFC 6761 reserves these names for loopback and
 * curl and Chromium map them, but Node asks the system resolver, which on many machines answers ENOTFOUND for
 * `<name>.localhost`: exactly the URLs a self-hosted localtunnel server on this machine hands out. Plain
 * `localhost` is pinned to IPv4 too, because the receiver listens on 127.0.0.1 only.
 */
export const loopbackAwareLookup: LookupFunction = (hostname, options, callback) => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    if (options.all) {
      (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    } else {
      callback(null, '127.0.0.1', 4);
    }
    return;
  }
  dnsLookup(hostname, options, callback as never);
};

export interface SmallResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most `maxBytes` of the body. */
  body: string;
}

/**
 * One GET with a hard deadline, no redirects followed (a 3xx is returned as it is: the tunnel server and the
 * public URL are the only places these GETs may go), no connection kept, and at most `maxBytes` of body read.
 * Rejects with a plain-language Error (`timed out after …`, `connection refused`, …); never hangs.
 */
export function smallGet(
  url: string,
  options: { timeoutMs: number; headers?: Record<string, string>; maxBytes?: number; signal?: AbortSignal },
): Promise<SmallResponse> {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new Error(`not a URL: ${url}`));
      return;
    }
    const request = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: Error | null, value?: SmallResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const req = request(parsed, {
      method: 'GET',
      headers: { 'user-agent': 'hookwatch', accept: 'application/json, text/plain;q=0.9', ...options.headers, connection: 'close' },
      agent: false,
      lookup: loopbackAwareLookup,
    });
    const timer = setTimeout(() => finish(new Error(`timed out after ${formatMs(options.timeoutMs)}`)), options.timeoutMs);
    const onAbort = () => finish(new Error('cancelled'));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => finish(new Error(describeNetworkError(err))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        const part = chunk.subarray(0, maxBytes - size);
        chunks.push(part);
        size += part.length;
        if (size >= maxBytes) done();
      });
      res.on('end', done);
      res.on('error', (err) => finish(new Error(describeNetworkError(err))));
      res.on('aborted', () => finish(new Error('the connection was cut before the answer was complete')));
    });
    req.end();
  });
}

export function describeNetworkError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused (${err.message.replace(/^connect ECONNREFUSED /, '')})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name not found (${(err as { hostname?: string }).hostname ?? 'unknown'}); is the computer online?`;
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'network unreachable; is the computer online?';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate problem (${err.code})`;
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  return `${+(ms / 60_000).toFixed(1)} min`;
}
