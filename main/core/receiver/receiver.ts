// The webhook receiver: routes, checks the secret, stores raw and normalized, answers only after the commit.
import { timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isObject } from '../json.js';
import { normalizeBody, providerById } from '../providers/registry.js';
import type { ProviderPlugin } from '../providers/types.js';
import type { CommittedDelivery, DeliveryRecord, HookwatchStore } from '../store/store.js';
import { SecretRedactor } from './secret-redaction.js';
import { InlineWriter, type DeliveryWriter } from './writer.js';

export interface ReceiverOptions {
  store: HookwatchStore;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Largest body accepted, in bytes (default 5 MiB). */
  bodyLimit?: number;
  /** How much of a rejected body the delivery log keeps (default 64 KiB). */
  logBodyCap?: number;
  /** A request whose body has not fully arrived by then is cut off (default 30 s). */
  bodyTimeoutMs?: number;
  /** A connection silent for this long is closed without a word (default 5 min). */
  idleTimeoutMs?: number;
  /**
   * A connection whose first request's headers are not complete by then is closed without a word
   * (default 60 s): with Node's headersTimeout off, a client dripping header bytes would otherwise
   * hold its socket forever, and through a tunnel there are only a few.
   */
  headerDeadlineMs?: number;
  /** Deepest JSON nesting accepted (default 64; real payloads stay under 6). */
  maxDepth?: number;
  /**
   * Most events one delivery may become (default 10,000); a bigger one is answered 413 and kept whole in
   * the delivery log. A 5 MiB v1 bundle can hold 200,000 tiny messages: storing them in one go would
   * hold the receiver for seconds and cost hundreds of MiB, while real bundles carry a handful.
   */
  maxEventsPerDelivery?: number;
  /**
   * How long a check of the stored secret holds while requests keep matching it (default 2 ms): a
   * rotation in another process stops the old URL within this time (see secretMatches).
   */
  secretCheckMs?: number;
  /** Where writes go (default: on this thread, with group commit). The caller owns and closes it. */
  writer?: DeliveryWriter;
  /**
   * Called once per request after its commit (accepted or not), with what the store stored: the
   * delivery-log row and its events as a later read returns them. Feeds alerts, the live feed and health.
   */
  onCommitted?: (committed: CommittedDelivery) => void;
}

export const DEFAULT_PORT = 8789;

/**
 * End-to-end probe: the tunnel supervisor asks `GET /__hookwatch/probe/<nonce>` through the public URL and
 * expects `probeAnswer(nonce)` back, which proves the whole path (tunnel server, tunnel client, this
 * receiver) works. Probes are not webhook deliveries and stay out of the delivery log.
 */
export const PROBE_PATH_PREFIX = '/__hookwatch/probe/';
export function probeAnswer(nonce: string): string {
  return `hookwatch-probe ${nonce}`;
}
const PROBE_NONCE = /^[A-Za-z0-9_-]{8,64}$/;
const NOT_FOUND_LOGGED_PER_MINUTE = 120;
const NOT_FOUND_BODY_CAP = 4096;
/** The 200 answer lists at most this many events (with counts for all): its size must not grow with the bundle. */
const ANSWER_EVENTS_LISTED = 100;
const MiB = 1024 * 1024;

/** Header names whose values are credentials: never stored. */
const DROPPED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token']);
/** Other header names that look like they carry a credential: kept only as "present". */
const CREDENTIAL_LIKE = /auth|token|secret|api-?key|session|cookie|passw/i;
/** Kept only as "present": WhatsAble's signature cannot be verified yet (docs/providers.md), but whether it came is useful. */
const PRESENCE_HEADERS = new Set(['x-webhook-signature', 'x-hub-signature', 'x-hub-signature-256', 'x-twilio-signature']);

type HeaderKind = 'kept' | 'dropped' | 'presence';
/**
 * What headersForLog does with a header, by name. Every webhook asks it for the same few names, so the
 * answers are remembered (a set lookup and a regular expression less per header); a client inventing
 * names cannot grow the memory past HEADER_KINDS_KEPT.
 */
const headerKinds = new Map<string, HeaderKind>();
const HEADER_KINDS_KEPT = 256;
function headerKind(name: string): HeaderKind {
  let kind = headerKinds.get(name);
  if (kind !== undefined) return kind;
  kind = DROPPED_HEADERS.has(name) ? 'dropped' : PRESENCE_HEADERS.has(name) || CREDENTIAL_LIKE.test(name) ? 'presence' : 'kept';
  if (headerKinds.size < HEADER_KINDS_KEPT) headerKinds.set(name, kind);
  return kind;
}

type Route = { kind: 'hook'; provider: ProviderPlugin | undefined; loggedPath: string } | { kind: 'not-found'; loggedPath: string };

export class Receiver {
  private server: Server | null = null;
  private readonly writer: DeliveryWriter;
  private secretBytes: Buffer;
  private secret: string;
  /** The store's data version when the secret was last read (see refreshSecret). */
  private secretReadAt = -1;
  /** When (performance.now()) the secret was last checked against the store for a request (see secretMatches). */
  private secretCheckedAt = -Infinity;
  private readonly sockets = new Set<Socket>();
  /** Requests being handled, and who waits for them to finish (stop). A count: no per-request bookkeeping. */
  private inFlight = 0;
  private inFlightWaiters: Array<() => void> = [];
  private readonly handled = () => {
    if (--this.inFlight > 0 || this.inFlightWaiters.length === 0) return;
    const waiters = this.inFlightWaiters;
    this.inFlightWaiters = [];
    for (const w of waiters) w();
  };
  /** When each body being read must be complete (bodyTimeoutMs), on one timer. */
  private readonly bodyDeadlines = new BodyDeadlines();
  /** For a request whose body is being read: ends the read at once when its bytes turn out to be malformed. */
  private readonly bodyBreakers = new WeakMap<IncomingMessage, (code: string) => void>();
  /** Kept out of the log like the current one; they change only with a rotation (see setSecret). */
  private formerSecrets: string[] = [];
  /** Finds the current and former secrets, and near misses of them, in what the log keeps. */
  private redactor: SecretRedactor;
  private readonly o: Required<Omit<ReceiverOptions, 'onCommitted' | 'writer'>> & Pick<ReceiverOptions, 'onCommitted'>;

  constructor(options: ReceiverOptions) {
    this.o = {
      host: '127.0.0.1',
      bodyLimit: 5 * MiB,
      logBodyCap: 64 * 1024,
      bodyTimeoutMs: 30_000,
      idleTimeoutMs: 5 * 60_000,
      headerDeadlineMs: 60_000,
      maxDepth: 64,
      maxEventsPerDelivery: 10_000,
      secretCheckMs: 2,
      ...options,
    };
    this.writer = options.writer ?? new InlineWriter(options.store);
    this.secret = options.store.webhookSecret();
    this.secretBytes = Buffer.from(this.secret);
    this.formerSecrets = options.store.formerWebhookSecrets();
    this.redactor = new SecretRedactor([this.secret, ...this.formerSecrets]);
  }

  /** Takes a new secret into use at once (after `rotateWebhookSecret`). */
  setSecret(secret: string): void {
    this.secret = secret;
    this.secretBytes = Buffer.from(secret);
    this.formerSecrets = this.o.store.formerWebhookSecrets();
    this.redactor = new SecretRedactor([secret, ...this.formerSecrets]);
  }

  get port(): number {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('receiver is not listening');
    return addr.port;
  }

  /** Takes a secret rotated by another process into use (the store is the source of truth). */
  private refreshSecret(): void {
    // A rotation in this process goes through setSecret; one elsewhere is a commit on another connection,
    // which changes the data version. So: a pragma, and the meta table only then.
    const version = this.o.store.dataVersion();
    if (version === this.secretReadAt) return;
    this.secretReadAt = version;
    const stored = this.o.store.meta.get('webhookSecret');
    if (stored !== null && stored !== this.secret) this.setSecret(stored);
  }

  /**
   * Resolves when nothing handed to the writer is waiting to be committed or synced: background writers
   * (catch-up) commit in these pauses, so a webhook seldom waits behind their transactions.
   */
  idle(): Promise<void> {
    return this.writer.drain();
  }

  /** The full local webhook URL. It contains the secret: show it to the user, never log it. */
  get localUrl(): string {
    this.refreshSecret();
    return `http://${this.o.host}:${this.port}/hooks/${this.secret}`;
  }

  get webhookPath(): string {
    this.refreshSecret();
    return `/hooks/${this.secret}`;
  }

  async start(): Promise<void> {
    const server = createServer({
      // Node writes "408" into idle sockets after headersTimeout. Behind localtunnel those idle sockets are
      // the tunnel's pre-opened connections, and the stale 408 is later read as the answer to a real webhook
      // POST (docs/localtunnel.md). So Node's own timers are off; we cut slow clients ourselves, silently for idle
      // sockets (server.timeout destroys them) and per request for slow bodies (bodyTimeoutMs).
      headersTimeout: 0,
      requestTimeout: 0,
      keepAliveTimeout: 60_000,
    });
    server.timeout = this.o.idleTimeoutMs;
    const served = new WeakSet<Socket>();
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      const deadline = setTimeout(() => {
        if (!served.has(socket)) socket.destroy();
      }, this.o.headerDeadlineMs);
      deadline.unref();
      socket.once('close', () => {
        clearTimeout(deadline);
        this.sockets.delete(socket);
      });
    });
    // One listener and no per-request closures: this runs for every webhook.
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      served.add(req.socket);
      // Once stopping, answers close their connection instead of leaving it idle for the grace period.
      if (this.server === null) res.shouldKeepAlive = false;
      this.inFlight++;
      this.handle(req, res).then(this.handled, (err: unknown) => {
        process.stderr.write(`hookwatch: receiver error: ${(err as Error).message}\n`);
        if (!res.headersSent) reply(res, 503, { ok: false, error: 'internal error; please retry' });
        this.handled();
      });
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Stops accepting, lets requests in flight finish (bounded), and writes what is queued. */
  async stop(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.flushNotFoundSummary();
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests being answered now get `Connection: close`, so their sockets do not idle out the grace period.
    for (const s of this.sockets) {
      const res = (s as Socket & { _httpMessage?: ServerResponse })._httpMessage;
      if (res && !res.headersSent) res.shouldKeepAlive = false;
    }
    const timer = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
    // Handlers still finishing (a body cut off at the deadline logs its row) write before the store closes.
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.inFlightWaiters.push(resolve));
    await this.writer.drain();
  }

  private route(rawUrl: string | undefined): Route {
    const url = rawUrl ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const parts = pathSegments(path, 3);
    if (parts !== null && parts[0] === 'hooks' && parts.length >= 2) {
      const ok = this.secretMatches(parts[1]!);
      const providerName = parts[2];
      const provider = providerName === undefined ? undefined : providerById(providerName);
      // A known provider name is logged as sent; anything else there may be (a near miss of) a secret.
      const shownProvider =
        providerName === undefined ? '' : '/' + (provider ? providerName : this.redactor.value(providerName)).slice(0, 40);
      const loggedPath = `/hooks/${ok ? '{secret}' : '{wrong-secret}'}${shownProvider}`;
      if (!ok || (providerName !== undefined && !provider)) return { kind: 'not-found', loggedPath };
      return { kind: 'hook', provider, loggedPath };
    }
    return { kind: 'not-found', loggedPath: this.redactPath(path) };
  }

  /**
   * A path that is not exactly a hook route can still carry the secret (`/hooks/<secret>/x/y`,
   * `/Hooks/<secret>`, a proxy prefix before it) or a near miss of it (cut short, one character off,
   * another case, percent-encoded, a former secret): the delivery log must hold none of them. Exact
   * matches are cheap to find and done for every logged text; near misses only for requests that did not
   * match the webhook route, so accepted deliveries pay nothing for it.
   */
  private redactSecrets(text: string): string {
    return this.redactor.exact(text);
  }

  private redactPath(path: string): string {
    let p = this.redactor.path(path);
    // Whatever follows /hooks/ is a try at the secret, however far off: not kept.
    p = p.replace(/(\/hooks\/)(?!\{secret\})[^/]+/gi, '$1{redacted}');
    return p.slice(0, 200);
  }

  private secretMatches(candidate: string): boolean {
    // `hookwatch secret --rotate` in another process is a commit the store notices (refreshSecret). Under
    // load that check ran for nearly every request (a pragma and a timer each, 2 % of the receiver's
    // thread), so it runs at most every `secretCheckMs` (2 ms) while requests match: the old URL stops
    // working within 2 ms of a rotation elsewhere. A candidate that does not match is checked again at once, so
    // the new URL works the moment the rotation is committed.
    const now = performance.now();
    if (now - this.secretCheckedAt >= this.o.secretCheckMs) {
      this.secretCheckedAt = now;
      this.refreshSecret();
    } else if (!this.isSecret(candidate)) {
      this.secretCheckedAt = now;
      this.refreshSecret();
    }
    return this.isSecret(candidate);
  }

  /**
   * Constant time over the secret's bytes. A candidate of another length is refused without comparing:
   * that reveals only the length, which every secret shares (43 characters of base64url) and is no secret.
   */
  private isSecret(candidate: string): boolean {
    const bytes = Buffer.from(candidate);
    return bytes.length === this.secretBytes.length && timingSafeEqual(bytes, this.secretBytes);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    if (req.url?.startsWith(PROBE_PATH_PREFIX) && (req.method === 'GET' || req.method === 'HEAD')) {
      const nonce = req.url.slice(PROBE_PATH_PREFIX.length);
      if (PROBE_NONCE.test(nonce)) {
        req.resume();
        const text = probeAnswer(nonce);
        res.writeHead(200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': Buffer.byteLength(text),
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
    }
    const route = this.route(req.url);
    const base = {
      receivedAt: Date.now(),
      method: (req.method ?? '?').slice(0, 16),
      path: route.loggedPath,
      forcedProvider: route.kind === 'hook' ? (route.provider?.id ?? null) : null,
      remoteAddr: req.socket.remoteAddress ?? null,
      contentType: req.headers['content-type']?.slice(0, 200) ?? null,
      headers: this.headersForLog(req, route.kind !== 'hook'),
    };
    // Spelled out rather than spread from `base`: this runs for every webhook, and a literal is cheaper.
    const log = (status: number, reason: string | null, body: Buffer | null, size: number, truncated: boolean): DeliveryRecord => ({
      receivedAt: base.receivedAt,
      method: base.method,
      path: base.path,
      forcedProvider: base.forcedProvider,
      remoteAddr: base.remoteAddr,
      contentType: base.contentType,
      headers: base.headers,
      status,
      reason,
      latencyMs: performance.now() - started,
      size,
      body,
      bodyTruncated: truncated,
    });

    const isHook = route.kind === 'hook';
    const isPost = req.method === 'POST';
    const limit = isHook && isPost ? this.o.bodyLimit : this.o.logBodyCap;
    const body = await readBody(req, limit, this.o.logBodyCap, this.o.bodyTimeoutMs, this.bodyDeadlines, (breakBody) =>
      this.bodyBreakers.set(req, breakBody),
    );
    this.bodyBreakers.delete(req);

    if (body.outcome === 'aborted') {
      await this.logOnly(log(499, 'client closed the connection before the body was complete', body.kept, body.size, true));
      return;
    }
    if (body.outcome === 'malformed') {
      // Node's parser refused the body's framing (a bad chunk size, say): nothing more will come, so say so now.
      const reason = `malformed request body (${body.code})`;
      await this.logOnly(log(400, reason, body.kept, body.size, true));
      reply(res, 400, { ok: false, error: reason }, true);
      return;
    }
    if (body.outcome === 'timeout') {
      await this.logOnly(log(408, `body not complete within ${Math.round(this.o.bodyTimeoutMs / 1000)} s`, body.kept, body.size, true));
      reply(res, 408, { ok: false, error: 'request body too slow' }, true);
      return;
    }
    if (!isHook) {
      // Same answer for a wrong secret and an unknown path: no hint which. The public URL needs no secret
      // to reach this branch, so what it may store is bounded: the first NOT_FOUND_LOGGED_PER_MINUTE such
      // requests a minute are logged with up to 4 KiB of body (a provider still sending to an old secret
      // leaves its payloads), the rest are counted in one summary row.
      if (this.notFoundBudget(base.receivedAt)) {
        await this.logOnly(
          log(
            404,
            'unknown path or wrong secret',
            capped(body.kept, NOT_FOUND_BODY_CAP),
            body.size,
            body.size > NOT_FOUND_BODY_CAP || body.outcome === 'too-large',
          ),
        );
      }
      reply(res, 404, { ok: false, error: 'not found' }, body.outcome === 'too-large');
      return;
    }
    if (!isPost) {
      await this.logOnly(log(405, `method ${base.method} not allowed`, body.kept, body.size, body.outcome === 'too-large'));
      res.setHeader('Allow', 'POST');
      reply(res, 405, { ok: false, error: 'use POST' }, body.outcome === 'too-large');
      return;
    }
    if (body.outcome === 'too-large') {
      const reason = `body over the ${this.o.bodyLimit} byte limit`;
      await this.logOnly(log(413, reason, body.kept, body.size, true));
      reply(res, 413, { ok: false, error: reason }, true);
      return;
    }

    const bytes = body.kept;
    const reject400 = async (reason: string) => {
      await this.logOnly(log(400, reason, capped(bytes, this.o.logBodyCap), bytes.length, bytes.length > this.o.logBodyCap));
      reply(res, 400, { ok: false, error: reason });
    };
    if (bytes.length === 0) return reject400('empty body; expected a JSON object');
    if (!isUtf8(bytes)) return reject400('body is not valid UTF-8');
    // A leading byte-order mark is not JSON; decoders drop it, and so do we.
    const text = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.toString('utf8', 3) : bytes.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      // V8 quotes a piece of the body in its message: keep it on one line, without control characters.
      return reject400(`body is not valid JSON: ${(err as Error).message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 120)}`);
    }
    if (!isObject(parsed)) {
      return reject400(`body is JSON ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}; expected an object`);
    }
    if (nestedDeeperThan(parsed, this.o.maxDepth)) {
      return reject400(`JSON nested deeper than ${this.o.maxDepth} levels`);
    }

    const outcome = normalizeBody(parsed, route.provider);
    if (outcome.events.length > this.o.maxEventsPerDelivery) {
      const reason = `body holds ${outcome.events.length} events; one delivery may hold at most ${this.o.maxEventsPerDelivery} (send the bundle in parts)`;
      // Kept whole (it is within the body limit), so nothing the provider sent is lost.
      await this.logOnly(log(413, reason, bytes, bytes.length, false));
      reply(res, 413, { ok: false, error: reason });
      return;
    }
    let result: CommittedDelivery;
    const record = log(200, outcome.problem, bytes, bytes.length, false);
    try {
      result = await this.writer.ingest(record, outcome.events);
    } catch (err) {
      process.stderr.write(`hookwatch: could not store a delivery (answered 503 so the provider retries): ${(err as Error).message}\n`);
      res.setHeader('Retry-After', '5');
      reply(res, 503, { ok: false, error: 'storage unavailable; please retry' });
      return;
    }
    const answer = acceptedAnswer(result);
    res.writeHead(200, [
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(answer)),
      'Cache-Control',
      'no-store',
    ]);
    res.end(answer);
    this.o.onCommitted?.(result);
  }

  private notFound = { windowStart: 0, logged: 0, skipped: 0 };

  /** True while this minute's budget of logged 404s lasts; writes the summary of a finished minute. */
  private notFoundBudget(now: number): boolean {
    const w = this.notFound;
    if (now - w.windowStart >= 60_000) {
      this.flushNotFoundSummary();
      this.notFound = { windowStart: now, logged: 0, skipped: 0 };
    }
    if (this.notFound.logged < NOT_FOUND_LOGGED_PER_MINUTE) {
      this.notFound.logged++;
      return true;
    }
    this.notFound.skipped++;
    return false;
  }

  private flushNotFoundSummary(): void {
    const w = this.notFound;
    if (w.skipped === 0) return;
    void this.logOnly({
      receivedAt: w.windowStart,
      method: '*',
      path: '*',
      forcedProvider: null,
      remoteAddr: null,
      status: 404,
      reason: `${w.skipped} more requests to unknown paths (or with a wrong secret) in this minute were answered 404 and not logged one by one`,
      latencyMs: 0,
      size: 0,
      contentType: null,
      headers: {},
      body: null,
      bodyTruncated: false,
    });
    w.skipped = 0;
  }

  /** Writes a delivery-log row for a request that produced no event. Never throws: the answer goes out regardless. */
  private async logOnly(record: DeliveryRecord): Promise<void> {
    try {
      this.o.onCommitted?.(await this.writer.log(record));
    } catch (err) {
      process.stderr.write(`hookwatch: could not log a rejected request: ${(err as Error).message}\n`);
    }
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    // Bytes that are not HTTP. Log them (capped) and answer 400 if the socket can still take it.
    const raw = (err as { rawPacket?: Buffer }).rawPacket;
    // A client that went away mid-body (HPE_INVALID_EOF_STATE) is already logged as 499 by its handler.
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (pending) {
      const req = (pending as ServerResponse & { req?: IncomingMessage }).req;
      const breakBody = req && !req.complete ? this.bodyBreakers.get(req) : undefined;
      if (breakBody) {
        // The request's own body is malformed: its handler answers 400 at once and logs it.
        breakBody(err.code ?? 'parse error');
        return;
      }
      // Bytes after a complete request (a body longer than its Content-Length) while its answer is still on
      // the way: writing a 400 here would cost that request its 200. It keeps its answer, which now closes
      // the connection (the parser cannot go on after garbage, and the socket must not idle for a minute).
      pending.shouldKeepAlive = false;
      if (pending.headersSent) socket.destroySoon();
    }
    void this.logOnly({
      receivedAt: Date.now(),
      method: '?',
      path: '?',
      forcedProvider: null,
      remoteAddr: socket.remoteAddress ?? null,
      status: 400,
      reason: `malformed HTTP (${err.code ?? 'parse error'})${pending ? ' after a complete request; closed after its answer' : ''}`,
      latencyMs: 0,
      size: raw?.length ?? 0,
      contentType: null,
      headers: {},
      // The raw bytes are not kept: a malformed request still carries its request line (the secret) and
      // its headers (credentials) unparsed, past every redaction.
      body: null,
      bodyTruncated: false,
    });
    if (!pending) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }

  /** `nearMisses`: also redact near misses of a secret (for requests that missed the route; see redactSecrets). */
  private headersForLog(req: IncomingMessage, nearMisses: boolean): Record<string, string> {
    const out: Record<string, string> = {};
    const headers = req.headers;
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      const kind = headerKind(name);
      if (kind === 'dropped') continue;
      if (kind === 'presence') {
        out[name] = '[present]';
        continue;
      }
      // A proxy may echo the request path (and so the secret, current or former) in a header.
      const text = Array.isArray(value) ? value.join(', ') : value;
      out[name] = (nearMisses ? this.redactor.value(text) : this.redactSecrets(text)).slice(0, 2000);
    }
    return out;
  }
}

/**
 * The 200 answer: counts for every event, details for the first ANSWER_EVENTS_LISTED (a bundle's answer
 * stays small). Written by hand rather than through JSON.stringify of an object: it goes out with every
 * webhook, and only the event types are strings that need escaping.
 */
function acceptedAnswer(result: CommittedDelivery): string {
  const events = result.events;
  const listed = Math.min(events.length, ANSWER_EVENTS_LISTED);
  let duplicates = 0;
  for (const e of events) if (e.duplicate) duplicates++;
  let items = '';
  for (let i = 0; i < listed; i++) {
    const e = events[i]!;
    items += `${i > 0 ? ',' : ''}{"id":${e.id},"type":${JSON.stringify(e.type)},"duplicate":${e.duplicate},"deliveries":${e.deliveryCount}}`;
  }
  const duplicate = duplicates === events.length;
  return `{"ok":true,"duplicate":${duplicate},"eventCount":${events.length},"duplicates":${duplicates},"eventsListed":${listed},"events":[${items}]}`;
}

/**
 * The non-empty segments of a path (`//hooks//x/` has two), or null when it has more than `max`. A loop
 * rather than split and filter: it runs for every request, and stops early on long paths.
 */
function pathSegments(path: string, max: number): string[] | null {
  const out: string[] = [];
  for (let start = 0; start < path.length;) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    if (end > start) {
      if (out.length === max) return null;
      out.push(path.slice(start, end));
    }
    start = end + 1;
  }
  return out;
}

/**
 * Whether a parsed body nests deeper than `max` levels (the body itself is level 1), as `jsonDepth(v) > max`.
 * Recursive, but never more than `max + 1` calls deep, so hostile nesting cannot blow the stack; and it
 * allocates nothing, unlike a walk with its own stack (it runs for every webhook).
 */
function nestedDeeperThan(value: object, max: number): boolean {
  if (max < 1) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (typeof child === 'object' && child !== null && nestedDeeperThan(child as object, max - 1)) return true;
    return false;
  }
  // JSON.parse makes plain objects: for…in sees exactly their own keys (`__proto__` included, as an own key).
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && nestedDeeperThan(child, max - 1)) return true;
  }
  return false;
}

function capped(buf: Buffer, cap: number): Buffer {
  return buf.length > cap ? buf.subarray(0, cap) : buf;
}

function reply(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  if (close) res.setHeader('Connection', 'close');
  res.end(text);
}

interface BodyDue {
  /** performance.now() by which the body must be complete. */
  at: number;
  expire: () => void;
}

/**
 * The deadlines of the bodies being read, on one timer. A timer per request (set, then cleared a moment
 * later when the body is in) cost about a microsecond on every webhook; this costs a set insert and
 * delete. The timer fires at the earliest deadline it knows, cuts every body that is overdue and re-arms
 * for the next; under steady traffic it fires about once per timeout. It is unref'd: a body being read
 * holds its socket, which keeps the process alive anyway.
 */
class BodyDeadlines {
  private readonly pending = new Set<BodyDue>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;

  add(due: BodyDue): void {
    this.pending.add(due);
    if (due.at < this.armedFor) this.arm(due.at);
  }

  delete(due: BodyDue): void {
    this.pending.delete(due);
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(this.sweep, Math.max(0, Math.ceil(at - performance.now())));
    this.timer.unref();
  }

  private readonly sweep = (): void => {
    this.timer = null;
    this.armedFor = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const due of this.pending) {
      if (due.at <= now) {
        this.pending.delete(due);
        due.expire();
      } else if (due.at < next) next = due.at;
    }
    if (next !== Infinity) this.arm(next);
  };
}

type BodyRead =
  | { outcome: 'complete'; kept: Buffer; size: number }
  | { outcome: 'too-large' | 'timeout' | 'aborted'; kept: Buffer; size: number }
  | { outcome: 'malformed'; code: string; kept: Buffer; size: number };

/**
 * Reads a request body up to `limit` bytes. Past the limit it stops collecting (keeping the first `cap`
 * bytes for the log) and resolves at once, so a huge upload costs no memory; a declared Content-Length
 * over the limit is refused without reading. `onBreak` receives a function that ends the read at once as
 * malformed (Node reports a broken body framing on the socket, not on the request).
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  cap: number,
  timeoutMs: number,
  deadlines: BodyDeadlines,
  onBreak: (breakBody: (code: string) => void) => void,
): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve({ outcome: 'too-large', kept: Buffer.alloc(0), size: declared });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const due: BodyDue = { at: performance.now() + timeoutMs, expire: () => finish('timeout') };
    const finish = (outcome: BodyRead['outcome'], code = '') => {
      if (settled) return;
      settled = true;
      deadlines.delete(due);
      req.off('data', onData);
      // The parser hands each chunk over in its own buffer: a body that came in one (nearly every webhook) is kept as is.
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const kept = outcome === 'complete' ? all : capped(all, cap);
      resolve(outcome === 'malformed' ? { outcome, code, kept, size } : ({ outcome, kept, size } as BodyRead));
    };
    onBreak((code) => finish('malformed', code));
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        const have = chunks.reduce((n, c) => n + c.length, 0);
        if (have < cap) chunks.push(chunk.subarray(0, cap - have));
        req.resume();
        finish('too-large');
        return;
      }
      chunks.push(chunk);
    };
    deadlines.add(due);
    req.on('data', onData);
    req.once('end', () => finish('complete'));
    req.once('aborted', () => finish('aborted'));
    req.once('error', () => finish('aborted'));
    req.once('close', () => {
      if (!req.complete) finish('aborted');
    });
  });
}
