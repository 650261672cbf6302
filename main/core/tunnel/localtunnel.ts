// Our localtunnel client: one registration (no redirects, connections only back to the server) and its socket pool.
import type { LookupAddress } from 'node:dns';
import { connect, isIP, type Socket } from 'node:net';
import { describeNetworkError, formatMs, loopbackAwareLookup, smallGet } from './http-get.js';
import type { TunnelOpenRequest, TunnelProvider, TunnelSession } from './provider.js';

/*
 * Why our own localtunnel client instead of `localtunnel` or `@n8n/localtunnel`:
 *
 * The protocol is tiny (one GET hands out a TCP port; the client keeps up to N sockets open to it and carries
 * raw HTTP over them), but the stock client (and @n8n/localtunnel 3.0.0, which is the same code with axios 1,
 * types and one ECONNRESET fix; neither is maintained) gets the parts that matter to a webhook receiver wrong:
 *
 * - It opens a connection to the local server as soon as each tunnel socket connects and keeps it forever, so
 *   ten idle connections sit on the receiver. Node >= 18 writes "408" into idle sockets after headersTimeout
 *   and that stale 408 is later read as the answer to a real webhook POST (docs/localtunnel.md). We also connect ahead
 *   of a request (it keeps throughput on par), but retire an unused local connection after 20 s and then
 *   connect only when a request's first bytes arrive: an idle tunnel holds no old local connection at all.
 * - When the receiver closes an idle keep-alive connection, the stock client drops the tunnel socket too, which
 *   races with the tunnel server handing a new request to that very socket. We keep the tunnel socket and
 *   reconnect locally on the next request, and replay a request the receiver closed on without answering a
 *   single byte (at most once, up to 1 MiB: loca.lt refuses larger bodies anyway).
 * - Registration is retried every second forever on any error, even a 403 for a bad subdomain, and cannot be
 *   cancelled: we make one attempt with a deadline and an AbortSignal, and report the server's own message.
 * - Socket errors surface as `error` events that crash the process when nobody listens, and after ten refused
 *   reconnects it goes silent. Here every socket has its handlers, failures are reported through
 *   `onTrouble`, and reconnects back off until the supervisor decides the session is dead.
 * - When the receiver is not listening the stock client retries the local connect every second while the
 *   provider's request waits; we answer 502 at once so the provider's own retry logic takes over.
 * - No axios (the CVE-laden 0.21 in localtunnel 2.0.2) and no `debug`: only node:net and node:http(s).
 */

/** Tunnel details the server hands out for `GET {host}/{name}`. */
export interface LocaltunnelRegistration {
  id: string;
  url: string;
  remoteHost: string;
  remotePort: number;
  maxConnections: number;
}

export interface LocaltunnelOptions {
  /** The server to register with, e.g. https://localtunnel.me (normalized: no trailing slash). */
  host: string;
  /** Where the receiver listens (default 127.0.0.1). */
  localHost?: string;
  /** Upper bound on tunnel sockets, whatever the server allows (default 10). */
  maxSockets?: number;
}

const REPLAY_CAP = 1024 * 1024;
const REMOTE_CONNECT_TIMEOUT_MS = 10_000;
const MAX_SOCKET_RETRY_MS = 30_000;
const WARM_LOCAL_MS = 20_000;

export class LocaltunnelProvider implements TunnelProvider {
  readonly id = 'localtunnel';
  constructor(private readonly options: LocaltunnelOptions) {}

  async open(request: TunnelOpenRequest): Promise<TunnelSession> {
    const started = Date.now();
    const info = await registerLocaltunnel(this.options.host, request.requestedName, {
      timeoutMs: request.timeoutMs,
      signal: request.signal,
    });
    const session = new LocaltunnelSession(info, {
      localHost: this.options.localHost ?? '127.0.0.1',
      localPort: request.localPort,
      maxSockets: this.options.maxSockets ?? 10,
      onTrouble: request.onTrouble,
    });
    try {
      // The server forgets a client that has not connected a socket within its grace period (1 s in the
      // reference server), so a session without a single socket is reported as a failure right here.
      await session.firstSocket(Math.max(1000, request.timeoutMs - (Date.now() - started)), request.signal);
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }
}

/** One registration attempt: `GET {host}/{name}`; resolves with the server's answer or rejects with a readable reason. */
export async function registerLocaltunnel(
  host: string,
  name: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<LocaltunnelRegistration> {
  const where = `${host}/${name}`;
  let res;
  // No redirects: the tunnel server is the one the user named, and a redirect could send this request (and, with
  // the answer it leads to, our tunnel connections) anywhere, including to services on this machine.
  try {
    res = await smallGet(where, { timeoutMs: options.timeoutMs, signal: options.signal });
  } catch (err) {
    const msg = (err as Error).message.startsWith('timed out') ? `timed out after ${formatMs(options.timeoutMs)}` : (err as Error).message;
    throw new Error(`could not register with the tunnel server ${host}: ${msg}`);
  }
  let body: unknown = null;
  try {
    body = JSON.parse(res.body);
  } catch {
    /* handled below */
  }
  const message = isRecord(body) && typeof body['message'] === 'string' ? body['message'].slice(0, 200) : null;
  if (res.status >= 300 && res.status < 400) {
    const to = redirectOrigin(res.headers.location, where);
    throw new Error(
      `the tunnel server ${host} answered with a redirect (HTTP ${res.status}${to ? ` to ${to}` : ''}); Hookwatch follows no redirects from a tunnel server. ` +
        `If you trust ${to ?? 'the address it points to'}, set it as the tunnel host.`,
    );
  }
  if (res.status !== 200) {
    throw new Error(`the tunnel server ${host} refused the tunnel (HTTP ${res.status}${message ? `: ${message}` : ''})`);
  }
  if (!isRecord(body)) {
    throw new Error(`the tunnel server ${host} did not answer with tunnel details (is it a localtunnel server?)`);
  }
  const { id, url, port, max_conn_count: maxConn, ip } = body;
  if (
    typeof id !== 'string' ||
    typeof url !== 'string' ||
    !/^https?:\/\//.test(url) ||
    !Number.isInteger(port) ||
    (port as number) < 1 ||
    (port as number) > 65535
  ) {
    throw new Error(`the tunnel server ${host} answered with incomplete tunnel details`);
  }
  // The URL is printed and registered with providers: accept only a plain http(s) origin, nothing else.
  let origin: string;
  try {
    const parsed = new URL(url);
    if (
      (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
      parsed.username ||
      parsed.password ||
      parsed.search ||
      parsed.hash ||
      !/^\/*$/.test(parsed.pathname)
    )
      throw new Error('not an origin');
    origin = parsed.origin;
  } catch {
    throw new Error(`the tunnel server ${host} answered with a URL that is not a plain http(s) address`);
  }
  return {
    id,
    url: origin,
    remoteHost: await dataConnectionHost(host, ip, options.signal),
    remotePort: port as number,
    maxConnections: Number.isInteger(maxConn) && (maxConn as number) > 0 ? (maxConn as number) : 1,
  };
}

/**
 * Where the tunnel's data connections go. The reference client connects to an `ip` the server names instead of the
 * server's host name; a malicious or hijacked server could then point our connections (each one a pipe into the
 * receiver) at any machine, or at a service on the user's own network. The server is trusted only as far as
 * the user named it: an `ip` is used only when it is one of the addresses the server's own host name resolves to
 * (the public service names its own address there; using it pins the connections to the machine that answered),
 * and any other is refused with a reason rather than ignored, so a setup that really needs it fails loudly
 * instead of connecting somewhere unexpected. The port is the server's to choose: it is a port on the server's
 * own machine, which is the protocol.
 */
async function dataConnectionHost(host: string, ip: unknown, signal: AbortSignal): Promise<string> {
  const hostname = new URL(host).hostname.replace(/^\[|\]$/g, '');
  if (ip === undefined || ip === null || ip === '') return hostname;
  if (typeof ip !== 'string' || isIP(ip) === 0) {
    throw new Error(
      `the tunnel server ${host} named an address for the tunnel connections that is not an IP address; refusing it. Check the tunnel host setting.`,
    );
  }
  let own: string[];
  try {
    own = await resolveAll(hostname, signal);
  } catch (err) {
    throw new Error(`could not check the address the tunnel server ${host} named (${ip}): ${(err as Error).message}`);
  }
  const wanted = canonicalIp(ip);
  if (own.some((a) => canonicalIp(a) === wanted)) return ip;
  throw new Error(
    `the tunnel server ${host} asked for the tunnel connections to go to ${ip}, which is not its own address (${hostname} is ${own.join(', ')}); ` +
      "refused, so a tunnel server cannot send Hookwatch's connections to another machine. Use a tunnel server you trust, " +
      `or, if ${ip} really is that server, set the tunnel host to http(s)://${isIP(ip) === 6 ? `[${ip}]` : ip}.`,
  );
}

function resolveAll(hostname: string, signal: AbortSignal): Promise<string[]> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    loopbackAwareLookup(hostname, { all: true }, ((err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) reject(new Error(describeNetworkError(err)));
      else resolve(addresses.map((a) => a.address));
    }) as never);
  });
}

/** One spelling per address: lower case, and an IPv4-mapped IPv6 address as the IPv4 one. */
function canonicalIp(ip: string): string {
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

/** The origin a redirect points to, for the message only (a bare origin: nothing else of the server's text). */
function redirectOrigin(location: string | undefined, base: string): string | null {
  if (typeof location !== 'string') return null;
  try {
    const u = new URL(location, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

interface SessionOptions {
  localHost: string;
  localPort: number;
  maxSockets: number;
  onTrouble: (reason: string) => void;
}

interface Slot {
  remote: Socket | null;
  bridge: Bridge | null;
  connected: boolean;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

/** The pool of tunnel sockets for one registration. */
export class LocaltunnelSession implements TunnelSession {
  readonly url: string;
  readonly grantedName: string;
  private readonly slots: Slot[] = [];
  private closed = false;
  private connectedCount = 0;
  private troubled = false;
  private firstSocketWaiters: Array<() => void> = [];
  private lastFailure = '';

  constructor(
    private readonly info: LocaltunnelRegistration,
    private readonly o: SessionOptions,
  ) {
    this.url = info.url;
    this.grantedName = info.id;
    const count = Math.max(1, Math.min(info.maxConnections, o.maxSockets));
    for (let i = 0; i < count; i++) {
      const slot: Slot = { remote: null, bridge: null, connected: false, failures: 0, retryTimer: null };
      this.slots.push(slot);
      this.openSlot(slot);
    }
  }

  /** Number of tunnel sockets currently connected to the server (for health views and tests). */
  get connectedSockets(): number {
    return this.connectedCount;
  }

  /** Resolves once a tunnel socket is connected; rejects after `timeoutMs` with the last connect error. */
  firstSocket(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.connectedCount > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.firstSocketWaiters = this.firstSocketWaiters.filter((w) => w !== onConnected);
        if (err) reject(err);
        else resolve();
      };
      const onConnected = () => done();
      const onAbort = () => done(new Error('cancelled'));
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `registered, but could not connect to the tunnel server's port ${this.info.remotePort} within ${formatMs(timeoutMs)}` +
                (this.lastFailure ? `: ${this.lastFailure}` : ''),
            ),
          ),
        timeoutMs,
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.firstSocketWaiters.push(onConnected);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) {
      if (slot.retryTimer) clearTimeout(slot.retryTimer);
      slot.retryTimer = null;
      slot.bridge?.destroy();
      slot.remote?.destroy();
    }
  }

  private openSlot(slot: Slot): void {
    if (this.closed) return;
    slot.retryTimer = null;
    const remote = connect({ host: this.info.remoteHost, port: this.info.remotePort, lookup: loopbackAwareLookup });
    slot.remote = remote;
    slot.connected = false;
    let connectedAt = 0;
    let lastError: NodeJS.ErrnoException | null = null;
    remote.setNoDelay(true);
    remote.setTimeout(REMOTE_CONNECT_TIMEOUT_MS, () => {
      if (!slot.connected) remote.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    });
    remote.on('error', (err: NodeJS.ErrnoException) => {
      lastError = err;
    });
    remote.once('connect', () => {
      remote.setTimeout(0);
      // Keepalive probes find a path that died silently (sleep, a NAT that forgot us) without waiting for a request.
      remote.setKeepAlive(true, 30_000);
      slot.connected = true;
      connectedAt = Date.now();
      slot.failures = 0;
      this.connectedCount++;
      this.troubled = false;
      const waiters = this.firstSocketWaiters;
      this.firstSocketWaiters = [];
      for (const w of waiters) w();
      slot.bridge = new Bridge(remote, this.o.localHost, this.o.localPort);
    });
    remote.once('close', () => {
      const carried = slot.bridge?.carriedData ?? false;
      slot.bridge?.destroy();
      slot.bridge = null;
      slot.remote = null;
      const wasConnected = slot.connected;
      slot.connected = false;
      if (wasConnected) this.connectedCount--;
      if (this.closed) return;
      // A socket that carried a request, or lived a while, was simply used up or dropped by the server (it
      // keeps at most one idle socket per client and closes the others after use): replace it at once. One
      // that never connected, or was cut at once without carrying anything (the server refuses sockets over
      // its limit), is retried with a growing pause so a gone or unwilling server is not hammered.
      if (wasConnected && (carried || Date.now() - connectedAt > 1000)) {
        this.openSlot(slot);
        return;
      }
      slot.failures++;
      if (!wasConnected) {
        this.lastFailure = lastError ? describeNetworkError(lastError) : 'connection closed';
        if (this.connectedCount === 0 && !this.troubled) {
          this.troubled = true;
          safeCall(this.o.onTrouble, `cannot reach the tunnel server's port ${this.info.remotePort}: ${this.lastFailure}`);
        }
      }
      const delay = Math.min(MAX_SOCKET_RETRY_MS, 500 * 2 ** Math.min(slot.failures - 1, 10));
      slot.retryTimer = setTimeout(() => this.openSlot(slot), delay);
    });
  }
}

/**
 * Carries one tunnel socket's requests to the receiver over a local connection that exists only around
 * requests (opened ahead for WARM_LOCAL_MS, then only when a request arrives). The tunnel server speaks HTTP/1.1 over the socket and never pipelines, so "bytes from the tunnel since the
 * receiver last sent anything" is the request still waiting for an answer.
 */
class Bridge {
  private local: Socket | null = null;
  private localConnected = false;
  private pendingWrite: Buffer[] = [];
  /** Bytes from the tunnel since the receiver last wrote; null once over REPLAY_CAP. */
  private unanswered: Buffer[] | null = [];
  private unansweredBytes = 0;
  private replayed = false;
  private destroyed = false;
  /** True once the tunnel server sent anything over this socket. */
  carriedData = false;

  private warmTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly remote: Socket,
    private readonly localHost: string,
    private readonly localPort: number,
  ) {
    remote.on('data', (chunk: Buffer) => this.fromRemote(chunk));
    remote.on('drain', () => this.local?.resume());
    // Under load the tunnel server uses up a socket per request or two, so a fresh socket is usually about to
    // carry a request: connect locally ahead of it (keeps a connect out of the request's path, which matters
    // on a busy event loop), but retire that connection if it stays unused for WARM_LOCAL_MS, far below the
    // 60 s after which a Node server with default timeouts writes its stale 408 into an idle connection.
    this.openLocal();
    this.warmTimer = setTimeout(() => {
      this.warmTimer = null;
      const local = this.local;
      if (this.carriedData || !local) return;
      this.local = null;
      this.localConnected = false;
      local.destroy();
    }, WARM_LOCAL_MS);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = null;
    this.local?.destroy();
    this.local = null;
  }

  private fromRemote(chunk: Buffer): void {
    this.carriedData = true;
    if (this.warmTimer) {
      clearTimeout(this.warmTimer);
      this.warmTimer = null;
    }
    if (this.unanswered) {
      this.unansweredBytes += chunk.length;
      if (this.unansweredBytes > REPLAY_CAP) this.unanswered = null;
      else this.unanswered.push(chunk);
    }
    if (this.local && this.localConnected) {
      if (!this.local.write(chunk)) this.remote.pause();
      return;
    }
    this.pendingWrite.push(chunk);
    this.remote.pause();
    if (!this.local) this.openLocal();
  }

  private openLocal(): void {
    const local = connect({ host: this.localHost, port: this.localPort });
    this.local = local;
    this.localConnected = false;
    local.setNoDelay(true);
    local.on('error', () => {
      /* 'close' follows and decides */
    });
    local.once('connect', () => {
      if (this.local !== local) return;
      this.localConnected = true;
      for (const c of this.pendingWrite) local.write(c);
      this.pendingWrite = [];
      this.remote.resume();
    });
    local.on('data', (chunk: Buffer) => {
      this.unanswered = [];
      this.unansweredBytes = 0;
      this.replayed = false;
      if (!this.remote.write(chunk)) local.pause();
    });
    local.on('drain', () => this.remote.resume());
    local.once('close', () => {
      if (this.local !== local) return;
      const hadConnected = this.localConnected;
      this.local = null;
      this.localConnected = false;
      if (this.destroyed || this.remote.destroyed) return;
      if (!hadConnected) {
        // A connection made ahead of any request: nothing is lost; the next request connects again.
        if (this.pendingWrite.length === 0) return;
        // The receiver is not listening (restarting, or stopped). Answer now so the provider retries later,
        // instead of holding its request open.
        this.pendingWrite = [];
        this.unanswered = [];
        this.unansweredBytes = 0;
        const text = 'Hookwatch is not receiving right now; please retry later.\n';
        this.remote.end(
          `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
        );
        return;
      }
      const waiting = this.unanswered;
      if (waiting !== null && waiting.length === 0) {
        // Closed between requests (the receiver's keep-alive timeout): keep the tunnel socket; the next
        // request opens a new local connection.
        this.remote.resume();
        return;
      }
      if (waiting !== null && !this.replayed && startsLikeHttpRequest(waiting)) {
        // The receiver closed just as a request came in, without answering a byte of it: send it again on a
        // fresh connection (once). The store de-duplicates deliveries, so even a rare double is harmless.
        this.replayed = true;
        this.pendingWrite = waiting.slice();
        this.remote.pause();
        this.openLocal();
        return;
      }
      // A request cut off mid-answer cannot be completed: end the tunnel socket (after what was already
      // written to it is flushed) so the tunnel server sees the failure, and the pool opens a fresh one.
      this.remote.end();
    });
  }
}

function startsLikeHttpRequest(chunks: Buffer[]): boolean {
  const head = Buffer.concat(chunks.slice(0, 2)).subarray(0, 16).toString('latin1');
  return /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \//.test(head);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function safeCall(fn: (reason: string) => void, reason: string): void {
  try {
    fn(reason);
  } catch {
    /* a listener's failure must not break the socket pool */
  }
}
