// The browser dashboard server: the React app and the API over HTTP+SSE on 127.0.0.1, behind a token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HookwatchApi, HookwatchNotification } from '../../contract/api.js';
import { dispatchApiCall } from '../api/dispatch.js';

/**
 * The browser dashboard: the built renderer plus the API contract over HTTP, on 127.0.0.1 and on a
 * port of its own, so the tunnel (which forwards the receiver's port) never reaches it.
 *
 * - `POST /api/<method>` with a JSON array of arguments answers the method's result as JSON. The method
 *   name is looked up in the contract's list; there is no route per method.
 * - `GET /api/events-stream` is a server-sent-event stream of notifications (`event: <kind>`).
 *
 * Who may ask: a random token made per run, in the URL the user opens (`/?token=…`) and, for the API, in
 * the `X-Hookwatch-Token` header the page sends (a header, not a cookie: cookies on 127.0.0.1 are shared
 * by every port, so any other local web app would be sent it). Requests naming another host (DNS
 * rebinding) or coming from another origin are refused with 403 before the token is looked at. The built
 * scripts and styles under /assets/ carry no data and are served without the token, but only to this origin.
 */

export interface NotificationSource {
  subscribe(listener: (notification: HookwatchNotification) => void): () => void;
}

export interface DashboardServerOptions {
  api: HookwatchApi;
  /** Where notifications come from (the HookwatchService); without it the stream only sends keep-alives. */
  notifications?: NotificationSource;
  /** 0 picks a free port. */
  port: number;
  /** The access token to require (the store keeps one); absent: a random one for this run. */
  token?: string;
  host?: '127.0.0.1';
  /** The built renderer (default: dist/renderer of this checkout or package). */
  rendererDir?: string;
  log?: (line: string) => void;
}

export interface DashboardServer {
  /** The URL to open, with the token. Print it for the user; never write it to a log. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-hookwatch-token';
const API_BODY_LIMIT = 1024 * 1024;
const SSE_KEEPALIVE_MS = 15_000;
/** A stream client this far behind is cut off; it reconnects and reloads instead of growing our memory. */
const SSE_MAX_BUFFERED = 8 * 1024 * 1024;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** The renderer's files by extension; the desktop shell serves the same files (main/shell/renderer-origin.ts). */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** dist/renderer next to the compiled server (dist/main/core/dashboard), or of the checkout when run from source. */
export function defaultRendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = resolve(here, '../../../renderer');
  if (existsSync(join(compiled, 'index.html'))) return compiled;
  return resolve(here, '../../../dist/renderer');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('the dashboard only listens on 127.0.0.1');
  const rendererDir = resolve(options.rendererDir ?? defaultRendererDir());
  // A kept token (the store's) keeps bookmarks working across restarts; without one, a fresh token per run.
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const log = options.log ?? ((line: string) => process.stderr.write(`hookwatch: ${line}\n`));
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let allowedHosts: Set<string> = new Set();

  const tokenMatches = (candidate: string | null | undefined) =>
    typeof candidate === 'string' && candidate.length > 0 && candidate.length < 200 && timingSafeEqual(digest(candidate), tokenDigest);

  const server: Server = createServer({ headersTimeout: 20_000, requestTimeout: 60_000 });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  server.on('request', (req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    handle(req, res).catch((err: unknown) => {
      log(`dashboard: request failed: ${(err as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(hostHeader)) return refuse(res, 403, 'this dashboard answers only at its own address (127.0.0.1 and its port)');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${hostHeader}`) return refuse(res, 403, 'requests from other web pages are refused');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return refuse(res, 403, 'requests from other web pages are refused');

    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      if (!tokenMatches(headerOf(req, TOKEN_HEADER)))
        return refuse(res, 401, 'missing or wrong dashboard token; open the URL `hookwatch serve` printed');
      if (path === '/api/events-stream') {
        if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
        return openStream(req, res);
      }
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      let method: string;
      try {
        method = decodeURIComponent(path.slice('/api/'.length));
      } catch {
        return refuse(res, 400, 'the method name is not valid percent-encoding');
      }
      return callApi(req, res, method);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    if (path === '/' || path === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'))) {
        return refuse(
          res,
          401,
          'This dashboard needs the token from the URL `hookwatch serve` printed (dashboard: http://127.0.0.1:…/?token=…). Open that URL.',
        );
      }
      return serveFile(req, res, 'index.html');
    }
    if (path.startsWith('/assets/') || path === '/favicon.svg') return serveFile(req, res, path.slice(1));
    return refuse(res, 404, 'not found');
  }

  async function callApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    // Requiring JSON also makes any cross-origin attempt a CORS preflight, which we never approve.
    if (!/^application\/json\b/i.test(type)) return refuse(res, 415, 'send the arguments as application/json');
    const body = await readLimited(req, API_BODY_LIMIT);
    if (body === null) return refuse(res, 413, `arguments over ${API_BODY_LIMIT} bytes`);
    let args: unknown;
    try {
      args = body.length === 0 ? [] : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: { code: 'bad-input', message: 'the arguments are not valid JSON' } });
    }
    const outcome = await dispatchApiCall(options.api, method, args, (m, err) =>
      log(`dashboard: ${m} failed: ${(err as Error)?.stack ?? String(err)}`),
    );
    if (outcome.ok) return sendJson(res, 200, outcome.result);
    return sendJson(res, outcome.status, { error: outcome.error });
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const unsubscribe =
      options.notifications?.subscribe((n) => {
        if (res.writableLength > SSE_MAX_BUFFERED) {
          res.destroy();
          return;
        }
        res.write(`event: ${n.kind}\ndata: ${JSON.stringify(n.data)}\n\n`);
      }) ?? (() => {});
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    keepAlive.unref();
    const done = () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    };
    req.once('close', done);
    res.once('close', done);
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, relative: string): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(relative);
    } catch {
      return refuse(res, 400, 'bad path');
    }
    const file = resolve(rendererDir, name);
    if (name.includes('\0') || !file.startsWith(rendererDir + sep)) return refuse(res, 404, 'not found');
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      if (relative === 'index.html') {
        return refuse(
          res,
          503,
          'The dashboard is not built in this copy of Hookwatch: run `npm run build` (it builds the renderer into dist/renderer).',
        );
      }
      return refuse(res, 404, 'not found');
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', bytes.length);
    // Vite puts a content hash in every asset name, so an asset never changes; the page itself may.
    res.setHeader('Cache-Control', relative.startsWith('assets/') ? 'private, max-age=31536000, immutable' : 'no-store');
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      for (const s of streams) s.end();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  const text = `${message}\n`;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  refuse(res, 405, `use ${allow}`);
}

/** The body, or null when it is over the limit (the rest is discarded). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.once('end', () => resolvePromise(over ? null : Buffer.concat(chunks)));
    req.once('error', reject);
    // A client that goes away mid-body: settle, so the handler does not wait forever.
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the arguments were complete'));
    });
  });
}
