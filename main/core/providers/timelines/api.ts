/**
 * A client of the TimelinesAI Public API, limited to what Hookwatch needs: webhooks, WhatsApp
 * accounts and the workspace's quotas (TimelinesAI's public OpenAPI document; notes in
 * docs/providers.md).
 *
 * Every failure becomes a TimelinesApiError with a `kind` the UI can branch on and a message a
 * person can act on. The token is read from a TokenSource for each request and is never put in
 * an error, a log line or any object this module returns (see redact()).
 */
import { TIMELINES_EVENT_TYPES, TIMELINES_TYPE_ALIASES } from '../../events.js';
import { RequestRateLimiter } from '../../rate-limit.js';
import { formatMs } from '../../time.js';
import { webhookUrlProblem } from '../webhook-url.js';
import {
  isWebhookLimitRefusal,
  redact,
  TIMELINES_TOKEN_PAGE,
  TimelinesApiError,
  webhookLimitError,
  type TimelinesFieldError,
} from './errors.js';
import type { TokenSource } from './token-source.js';

export const DEFAULT_TIMELINES_API_BASE = 'https://app.timelines.ai/integrations/api';
/** TimelinesAI's documented limit: 30 requests per second per IP, plus a burst of 10. */
export const TIMELINES_RATE_PER_SECOND = 30;
export const TIMELINES_RATE_BURST = 10;
/**
 * The burst our client allows itself: one short of the server's. The server counts arrivals, not sends: when
 * the first requests of a burst are held up (a new connection) and the next ones are not, a client that spends
 * the whole burst is refused (429, and a second's wait), as a test against the rate-enforcing stand-in shows.
 * One token of slack absorbs a 33 ms difference and costs 33 ms once per burst.
 */
export const TIMELINES_CLIENT_BURST = TIMELINES_RATE_BURST - 1;
/**
 * The most of one answer we read. Every answer Hookwatch asks for is small (a webhook, the workspace);
 * a list (all webhooks, all WhatsApp accounts) is not paginated, so it gets more room. Without a cap a
 * runaway or hostile server could stream until V8 cannot hold the string (~2 GB) and the process
 * aborts, taking the receiver with it.
 */
export const TIMELINES_MAX_ANSWER_BYTES = 4 * 1024 * 1024;
// GET /whatsapp_accounts has no paging: a 200,000-account workspace answers about 30 MB, which must still be read.
export const TIMELINES_MAX_LIST_ANSWER_BYTES = 64 * 1024 * 1024;
/** An error answer is read only for its message: what is beyond this is not read. */
const MAX_ERROR_ANSWER_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// What the API returns, in Hookwatch's terms

export interface TimelinesWebhook {
  id: number;
  eventType: string;
  url: string;
  enabled: boolean;
  /** Consecutive failed deliveries (each after 3 attempts). TimelinesAI never disables a webhook for it. */
  errorsCounter: number;
}

export interface CreateWebhookInput {
  eventType: string;
  url: string;
  enabled?: boolean;
}

/** PUT sends only the fields given; the API keeps the others (spec: WebhookUpdate). */
export interface UpdateWebhookInput {
  eventType?: string;
  url?: string;
  enabled?: boolean;
}

export type WhatsappAccountStatus = 'active' | 'disconnected' | 'unknown';

export interface TimelinesWhatsappAccount {
  /** JID, e.g. `972501111111@s.whatsapp.net`. */
  id: string;
  phone: string;
  connectedOn: string;
  /**
   * `active` or `disconnected`. The endpoint is deliberately binary: an account that is
   * suspended, banned or paused shows here as `disconnected`, so this alone cannot tell a
   * suspension (billing) from a real disconnection; the webhook events can.
   */
  status: WhatsappAccountStatus;
  /** The status exactly as sent (the spec's example says `Active`, the description `active`). */
  statusAsSent: string;
  ownerName: string;
  ownerEmail: string;
  accountName: string;
}

export interface TimelinesQuota {
  total: number;
  used: number;
  periodStart: string | null;
  periodEnd: string | null;
}

export interface TimelinesTeammate {
  userId: number | null;
  displayName: string;
  email: string;
}

export interface TimelinesWorkspace {
  workspaceId: string;
  displayName: string;
  plan: string;
  apiCallsQuota: TimelinesQuota | null;
  messagingQuota: TimelinesQuota | null;
  seats: TimelinesQuota | null;
}

// ---------------------------------------------------------------------------------------------
// The client

export interface TimelinesApiClientOptions {
  tokenSource: TokenSource;
  /** Default https://app.timelines.ai/integrations/api (the spec's server). */
  baseUrl?: string;
  /** Per attempt, covering the answer's body too. Default 15 s. */
  timeoutMs?: number;
  /** Attempts per call for 429/5xx/network/timeout, first included. Default 4. */
  maxAttempts?: number;
  /** First backoff step; doubles each retry, with jitter. Default 500 ms. */
  backoffBaseMs?: number;
  /** Longest single backoff we choose ourselves. Default 8 s. */
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited out: the call fails at once, saying when to retry. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Default TIMELINES_MAX_ANSWER_BYTES; a longer answer fails the call (kind `unexpected`, code `answer_too_large`). */
  maxAnswerBytes?: number;
  /** For the list calls (GET /webhooks, GET /whatsapp_accounts). Default TIMELINES_MAX_LIST_ANSWER_BYTES. */
  maxListAnswerBytes?: number;
  ratePerSecond?: number;
  /** Requests allowed at once before pacing. Default TIMELINES_CLIENT_BURST (the server's burst less one). */
  burst?: number;
  /** Injectable for tests: they must not wait out real backoffs. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  /** One line per retry or wait; never contains the token. */
  log?: (line: string) => void;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** A list answer: allowed up to maxListAnswerBytes rather than maxAnswerBytes. */
  list?: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TimelinesApiClient {
  readonly baseUrl: string;
  private readonly o: Required<Omit<TimelinesApiClientOptions, 'tokenSource' | 'baseUrl' | 'log'>> & {
    log: (line: string) => void;
  };
  private readonly tokens: TokenSource;
  private readonly limiter: RequestRateLimiter;

  constructor(options: TimelinesApiClientOptions) {
    this.tokens = options.tokenSource;
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_TIMELINES_API_BASE);
    this.o = {
      timeoutMs: options.timeoutMs ?? 15_000,
      maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 4)),
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 8_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      maxAnswerBytes: options.maxAnswerBytes ?? TIMELINES_MAX_ANSWER_BYTES,
      maxListAnswerBytes: options.maxListAnswerBytes ?? TIMELINES_MAX_LIST_ANSWER_BYTES,
      ratePerSecond: options.ratePerSecond ?? TIMELINES_RATE_PER_SECOND,
      burst: options.burst ?? TIMELINES_CLIENT_BURST,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
      log: options.log ?? (() => {}),
    };
    this.limiter = new RequestRateLimiter(this.o.ratePerSecond, this.o.burst, this.o.now, this.o.sleep);
  }

  /** All webhooks of the workspace (everyone's, not only ours), ordered by id. Not paginated. */
  async listWebhooks(): Promise<TimelinesWebhook[]> {
    const spec: RequestSpec = { method: 'GET', path: '/webhooks', list: true };
    const body = await this.request(spec);
    // The spec wraps the list in {status, data: [...]}; a bare array has been seen too (docs/providers.md). Take both.
    const list = Array.isArray(body) ? body : isRecord(body) ? body['data'] : undefined;
    const items = Array.isArray(list) ? list : isRecord(list) && Array.isArray(list['webhooks']) ? list['webhooks'] : null;
    if (items === null) throw this.unexpected(spec, 'the webhook list was not an array');
    return items.map((item, i) => this.webhookFrom(item, spec, `webhook ${i + 1} of the list`));
  }

  async getWebhook(id: number | string): Promise<TimelinesWebhook> {
    const spec: RequestSpec = { method: 'GET', path: `/webhooks/${webhookIdPath(id)}` };
    return this.webhookFrom(dataOf(await this.request(spec)), spec, 'the webhook');
  }

  /**
   * Creates a webhook. The API is idempotent on event_type + url: the same pair returns the
   * existing id, re-enabling a disabled one or restoring a deleted one, so retrying is safe.
   */
  async createWebhook(input: CreateWebhookInput): Promise<TimelinesWebhook> {
    const spec: RequestSpec = {
      method: 'POST',
      path: '/webhooks',
      body: { event_type: checkEventType(input.eventType), url: checkWebhookUrl(input.url), enabled: input.enabled ?? true },
    };
    try {
      return this.webhookFrom(dataOf(await this.request(spec)), spec, 'the created webhook');
    } catch (err) {
      if (err instanceof TimelinesApiError && isWebhookLimitRefusal(err)) throw webhookLimitError(err, input.eventType);
      throw err;
    }
  }

  /** Changes only the fields given (PUT with a partial body, as the spec defines). */
  async updateWebhook(id: number | string, changes: UpdateWebhookInput): Promise<TimelinesWebhook> {
    const body: Record<string, unknown> = {};
    if (changes.eventType !== undefined) body['event_type'] = checkEventType(changes.eventType);
    if (changes.url !== undefined) body['url'] = checkWebhookUrl(changes.url);
    if (changes.enabled !== undefined) body['enabled'] = changes.enabled;
    if (Object.keys(body).length === 0) {
      throw new TimelinesApiError({
        kind: 'validation',
        code: 'nothing_to_update',
        message: 'updateWebhook needs at least one of eventType, url, enabled',
      });
    }
    const spec: RequestSpec = { method: 'PUT', path: `/webhooks/${webhookIdPath(id)}`, body };
    return this.webhookFrom(dataOf(await this.request(spec)), spec, 'the updated webhook');
  }

  /** Deletes a webhook; deliveries stop at once. A 404 (already gone) is a `not-found` error. */
  async deleteWebhook(id: number | string): Promise<void> {
    await this.request({ method: 'DELETE', path: `/webhooks/${webhookIdPath(id)}` });
  }

  async listWhatsappAccounts(): Promise<TimelinesWhatsappAccount[]> {
    const spec: RequestSpec = { method: 'GET', path: '/whatsapp_accounts', list: true };
    const data = dataOf(await this.request(spec));
    const list = isRecord(data) ? data['whatsapp_accounts'] : undefined;
    if (!Array.isArray(list)) throw this.unexpected(spec, 'data.whatsapp_accounts was not an array');
    return list.map((a, i) => {
      if (!isRecord(a) || typeof a['id'] !== 'string') throw this.unexpected(spec, `account ${i + 1} had no id`);
      const statusAsSent = str(a['status']);
      const lower = statusAsSent.trim().toLowerCase();
      return {
        id: a['id'],
        phone: str(a['phone']),
        connectedOn: str(a['connected_on']),
        status: lower === 'active' || lower === 'disconnected' ? lower : 'unknown',
        statusAsSent,
        ownerName: str(a['owner_name']),
        ownerEmail: str(a['owner_email']),
        accountName: str(a['account_name']),
      };
    });
  }

  /** Workspace identity and quotas; `apiCallsQuota` is the monthly Public API allowance every call uses. */
  async getWorkspace(): Promise<TimelinesWorkspace> {
    const spec: RequestSpec = { method: 'GET', path: '/workspace' };
    const data = dataOf(await this.request(spec));
    if (!isRecord(data)) throw this.unexpected(spec, 'data was not an object');
    return {
      workspaceId: str(data['workspace_id']),
      displayName: str(data['display_name']),
      plan: str(data['plan']),
      apiCallsQuota: quotaFrom(data['api_calls_quota']),
      messagingQuota: quotaFrom(data['messaging_quota']),
      seats: quotaFrom(data['seats']),
    };
  }

  /** The teammate the token belongs to (GET /workspace/teammates/me): its e-mail is "me" for assignment alerts. */
  async getMyTeammate(): Promise<TimelinesTeammate> {
    const spec: RequestSpec = { method: 'GET', path: '/workspace/teammates/me' };
    const data = dataOf(await this.request(spec));
    if (!isRecord(data) || typeof data['email'] !== 'string') throw this.unexpected(spec, 'data had no e-mail');
    return {
      userId: typeof data['user_id'] === 'number' ? data['user_id'] : null,
      displayName: str(data['display_name']),
      email: data['email'],
    };
  }

  /**
   * A GET of any Public API path with a query, answering the parsed JSON body: the chats and messages
   * catch-up reads (main/core/catchup/timelines-adapter.ts checks their shapes). It shares the limiter,
   * the retries, the answer cap (list-sized) and the token handling of every other call.
   */
  async getJson(path: string, query: Record<string, string> = {}): Promise<unknown> {
    const qs = new URLSearchParams(query).toString();
    return this.request({ method: 'GET', path: qs ? `${path}?${qs}` : path, list: true });
  }

  // -------------------------------------------------------------------------------------------

  private async request(spec: RequestSpec): Promise<unknown> {
    const token = await this.readToken(spec);
    const url = this.baseUrl + spec.path;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const redactToken = (text: string) => redact(text, token);

    let heldByServer = false;
    for (let attempt = 1; ; attempt++) {
      const waited = await this.limiter.take();
      if (waited > 0 && !heldByServer)
        this.o.log(`timelines api: waiting ${formatMs(waited)} to stay under ${this.o.ratePerSecond} requests/s`);
      heldByServer = false;
      let failure: TimelinesApiError;
      try {
        const res = await this.o.fetch(url, {
          method: spec.method,
          headers,
          body: payload,
          // The API never redirects; following one could carry the token to another host.
          redirect: 'error',
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        if (res.ok) {
          const limit = spec.list ? this.o.maxListAnswerBytes : this.o.maxAnswerBytes;
          const text = await readCapped(res, limit);
          if (text === null) throw this.tooLarge(spec, limit, attempt);
          return this.parseSuccess(text, spec, attempt, redactToken);
        }
        // Only the message matters in an error answer; an endless one is cut, not refused.
        const text = (await readCapped(res, MAX_ERROR_ANSWER_BYTES, true)) ?? '';
        failure = this.errorFromResponse(res.status, text, res.headers, spec, attempt, redactToken);
      } catch (err) {
        if (err instanceof TimelinesApiError) throw err;
        failure = this.errorFromThrown(err, spec, attempt, redactToken);
      }

      const retry = this.retryDelay(failure, attempt);
      if (retry === null) throw failure;
      this.o.log(
        `timelines api: ${spec.method} ${spec.path} ${failure.status ?? failure.code ?? failure.kind}, retry ${attempt} of ${this.o.maxAttempts - 1} in ${formatMs(retry)}`,
      );
      if (failure.kind === 'rate-limited') {
        this.limiter.holdUntil(this.o.now() + retry);
        heldByServer = true;
      } else {
        await this.o.sleep(retry);
      }
    }
  }

  private async readToken(spec: RequestSpec): Promise<string> {
    let token: string | null;
    try {
      token = await this.tokens.getToken();
    } catch {
      // The source's own error may quote what it read; say only where it failed.
      throw new TimelinesApiError({
        kind: 'bad-token',
        code: 'token_unreadable',
        method: spec.method,
        path: spec.path,
        message: `the TimelinesAI token could not be read from ${this.tokens.describe}: paste it again in Settings`,
      });
    }
    if (token === null || token === '') {
      throw new TimelinesApiError({
        kind: 'bad-token',
        code: 'missing_credentials',
        method: spec.method,
        path: spec.path,
        message: `no TimelinesAI token is set (${this.tokens.describe}): create one in ${TIMELINES_TOKEN_PAGE} and paste it in Settings, or set HOOKWATCH_TIMELINES_TOKEN for the hookwatch command`,
      });
    }
    // fetch() quotes an invalid header value in its TypeError, token included: refuse it first.
    if (!/^[\x21-\x7e]+$/.test(token)) {
      throw new TimelinesApiError({
        kind: 'bad-token',
        code: 'malformed_token',
        method: spec.method,
        path: spec.path,
        message: `the TimelinesAI token from ${this.tokens.describe} contains spaces or characters a token cannot have: copy it again from ${TIMELINES_TOKEN_PAGE} and paste only the token`,
      });
    }
    return token;
  }

  private parseSuccess(text: string, spec: RequestSpec, attempt: number, clean: (s: string) => string): unknown {
    if (spec.method === 'DELETE' && text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      if (spec.method === 'DELETE') return null;
      throw this.unexpected(spec, `the answer was not JSON (${JSON.stringify(clean(text.slice(0, 80)))})`, attempt);
    }
  }

  private errorFromResponse(
    status: number,
    text: string,
    headers: Headers,
    spec: RequestSpec,
    attempt: number,
    clean: (s: string) => string,
  ): TimelinesApiError {
    const parsed = parseErrorBody(text);
    const code = parsed.code;
    const serverMessage = parsed.message === null ? null : clean(parsed.message).slice(0, 300);
    const fieldErrors = parsed.fieldErrors.map((f) => ({ fields: f.fields.map(clean), msg: clean(f.msg).slice(0, 200) }));
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), this.o.now());
    const base = { status, code, method: spec.method, path: spec.path, attempts: attempt, retryAfterMs, serverMessage, fieldErrors };
    const said = serverMessage ? ` (TimelinesAI said: ${serverMessage})` : '';
    const what = `${spec.method} ${spec.path}`;

    if (status === 401 || code === 'invalid_token' || code === 'missing_credentials') {
      return new TimelinesApiError({
        ...base,
        kind: 'bad-token',
        message: `the TimelinesAI token was refused: create a new one in ${TIMELINES_TOKEN_PAGE} and paste it in Settings`,
      });
    }
    if (code === 'quota_exceeded') {
      return new TimelinesApiError({
        ...base,
        kind: 'quota',
        message: `the TimelinesAI workspace has used up its quota for this period${said}: see the API calls quota in TimelinesAI (GET /workspace), wait for the next period or raise the plan`,
      });
    }
    if (status === 429) {
      const wait = retryAfterMs !== null ? ` in ${formatMs(retryAfterMs)}` : ' in a minute';
      return new TimelinesApiError({
        ...base,
        kind: 'rate-limited',
        code: code ?? 'rate_limit_exceeded',
        message: `TimelinesAI is limiting requests (${TIMELINES_RATE_PER_SECOND} per second per IP address) and still refused after ${attempt} ${plural(attempt, 'attempt')}: try again${wait}; if it keeps happening, another program on this network is using the same API`,
      });
    }
    if (status === 403) {
      const needs =
        code === 'plan_feature_unavailable'
          ? `the workspace's TimelinesAI plan does not include this (${what})`
          : code === 'insufficient_scope'
            ? `the TimelinesAI token lacks the scope needed for ${what}`
            : `the TimelinesAI token may not do ${what}`;
      return new TimelinesApiError({
        ...base,
        kind: 'permission',
        message: `${needs}${said}: create the token as a workspace owner or admin in ${TIMELINES_TOKEN_PAGE} and paste it in Settings`,
      });
    }
    if (status === 404) {
      return new TimelinesApiError({
        ...base,
        kind: 'not-found',
        message: spec.path.startsWith('/webhooks/')
          ? `webhook ${spec.path.slice('/webhooks/'.length)} no longer exists in TimelinesAI (deleted by someone?): run the sync again to recreate what is missing`
          : `TimelinesAI does not know ${spec.path}${said}: check the API address in Settings (it should be ${DEFAULT_TIMELINES_API_BASE})`,
      });
    }
    if (status === 400 || status === 409 || status === 413 || status === 422 || code === 'validation_error') {
      const fields = fieldErrors.length ? ` [${fieldErrors.map((f) => `${f.fields.join('.') || '(body)'}: ${f.msg}`).join('; ')}]` : '';
      return new TimelinesApiError({
        ...base,
        kind: 'validation',
        message: `TimelinesAI refused ${what} as invalid${said}${fields}: check the public URL and event types; if they look right, Hookwatch needs an update`,
      });
    }
    if (status >= 500) {
      return new TimelinesApiError({
        ...base,
        kind: 'server',
        message: `TimelinesAI answered ${status} to ${what} after ${attempt} ${plural(attempt, 'attempt')}${said}: its service is having trouble; Hookwatch will try again later`,
      });
    }
    return new TimelinesApiError({
      ...base,
      kind: 'unexpected',
      message: `TimelinesAI answered ${status} to ${what}, which Hookwatch does not expect${said}`,
    });
  }

  private errorFromThrown(err: unknown, spec: RequestSpec, attempt: number, clean: (s: string) => string): TimelinesApiError {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const base = { status: null, method: spec.method, path: spec.path, attempts: attempt };
    const host = new URL(this.baseUrl).host;
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new TimelinesApiError({
        ...base,
        kind: 'timeout',
        code: 'timeout',
        message: `TimelinesAI (${host}) did not answer ${spec.method} ${spec.path} within ${formatMs(this.o.timeoutMs)} (${attempt} ${plural(attempt, 'attempt')}): the service or the connection is slow; Hookwatch will try again later`,
      });
    }
    const code = typeof e?.cause?.code === 'string' ? e.cause.code : null;
    const detail = clean(String(e?.cause?.message ?? e?.message ?? 'unknown error')).slice(0, 200);
    return new TimelinesApiError({
      ...base,
      kind: 'network',
      code,
      message: `could not reach TimelinesAI at ${host} (${code ?? detail}) after ${attempt} ${plural(attempt, 'attempt')}: check this computer's internet connection (and the API address in Settings)`,
    });
  }

  /** Milliseconds to wait before the next attempt, or null to give up now. */
  private retryDelay(err: TimelinesApiError, attempt: number): number | null {
    if (!err.transient || attempt >= this.o.maxAttempts) return null;
    if (err.retryAfterMs !== null) {
      // A server that asks for a long pause means it: fail now with the wait in the error.
      if (err.retryAfterMs > this.o.maxRetryAfterMs) return null;
      return err.retryAfterMs + Math.floor(this.o.random() * 250);
    }
    const step = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    // "Equal jitter": never less than half the step, so retries from many clients spread out
    // without one of them hammering the server right away.
    return Math.round(step / 2 + this.o.random() * (step / 2));
  }

  private webhookFrom(value: unknown, spec: RequestSpec, what: string): TimelinesWebhook {
    if (!isRecord(value)) throw this.unexpected(spec, `${what} was not an object`);
    const id = typeof value['id'] === 'string' && /^\d+$/.test(value['id']) ? Number(value['id']) : value['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw this.unexpected(spec, `${what} had no numeric id`);
    if (typeof value['event_type'] !== 'string' || typeof value['url'] !== 'string') {
      throw this.unexpected(spec, `${what} had no event_type or url`);
    }
    return {
      id,
      eventType: value['event_type'],
      url: value['url'],
      // Absent would be odd; the spec marks both required. Treat as the API's defaults.
      enabled: value['enabled'] !== false,
      errorsCounter: typeof value['errors_counter'] === 'number' ? value['errors_counter'] : 0,
    };
  }

  /** Not retried: the same server would send the same flood again. */
  private tooLarge(spec: RequestSpec, limit: number, attempt: number): TimelinesApiError {
    return new TimelinesApiError({
      kind: 'unexpected',
      code: 'answer_too_large',
      method: spec.method,
      path: spec.path,
      attempts: attempt,
      message:
        `TimelinesAI's answer to ${spec.method} ${spec.path} was longer than ${formatBytes(limit)}, far more than such an answer can be, ` +
        `so Hookwatch stopped reading it: check the API address in Settings (it should be ${DEFAULT_TIMELINES_API_BASE}); if it is right, try again later`,
    });
  }

  private unexpected(spec: RequestSpec, detail: string, attempt = 1): TimelinesApiError {
    return new TimelinesApiError({
      kind: 'unexpected',
      method: spec.method,
      path: spec.path,
      attempts: attempt,
      message: `TimelinesAI answered ${spec.method} ${spec.path} in a form Hookwatch does not know (${detail}): the API may have changed; Hookwatch needs an update`,
    });
  }
}

function checkEventType(eventType: string): string {
  if ((TIMELINES_EVENT_TYPES as readonly string[]).includes(eventType)) return eventType;
  const current = TIMELINES_TYPE_ALIASES[eventType];
  throw new TimelinesApiError({
    kind: 'validation',
    code: 'unknown_event_type',
    message: current
      ? `'${eventType}' is an old name that the TimelinesAI API no longer accepts: use '${current}'`
      : `'${eventType}' is not a TimelinesAI event type (for example whatsapp:account:disconnected, chat:responsible:assigned, message:new)`,
  });
}

function checkWebhookUrl(url: string): string {
  const problem = webhookUrlProblem(url);
  if (problem) throw new TimelinesApiError({ kind: 'validation', code: 'invalid_url', message: problem });
  return url;
}

function webhookIdPath(id: number | string): string {
  const s = String(id);
  if (!/^\d{1,18}$/.test(s)) {
    throw new TimelinesApiError({
      kind: 'validation',
      code: 'invalid_id',
      message: `'${s.slice(0, 40)}' is not a TimelinesAI webhook id (a whole number)`,
    });
  }
  return s;
}

/**
 * The answer's text, reading at most `limit` bytes: null when it is longer (or says it is), having
 * stopped reading; with `truncate`, the first `limit` bytes instead.
 */
async function readCapped(res: Response, limit: number, truncate = false): Promise<string | null> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (!truncate && Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      await reader.cancel().catch(() => {});
      if (!truncate) return null;
      chunks.push(value.subarray(0, limit - total));
      total = limit;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  // Decoded once at the end: a character split across two chunks stays whole.
  return Buffer.concat(chunks, total).toString('utf8');
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** Loopback only: 127.0.0.0/8, ::1, localhost. Plain http:// anywhere else would carry the token in clear. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function normalizeBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TimelinesApiError({
      kind: 'validation',
      code: 'invalid_base_url',
      message: `the TimelinesAI API address '${redact(raw).slice(0, 200)}' is not a URL (default ${DEFAULT_TIMELINES_API_BASE})`,
    });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new TimelinesApiError({
      kind: 'validation',
      code: 'invalid_base_url',
      message: `the TimelinesAI API address must start with https:// (default ${DEFAULT_TIMELINES_API_BASE})`,
    });
  }
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    throw new TimelinesApiError({
      kind: 'validation',
      code: 'insecure_base_url',
      message:
        `the TimelinesAI API address http://${u.host} would send the token unencrypted: use https:// (default ${DEFAULT_TIMELINES_API_BASE}); ` +
        'http:// is accepted only for this computer (localhost, 127.x.x.x, [::1]), e.g. a local stand-in or proxy',
    });
  }
  return (u.origin + u.pathname).replace(/\/+$/, '');
}

interface ParsedErrorBody {
  code: string | null;
  message: string | null;
  fieldErrors: TimelinesFieldError[];
}

/** `{status: "error", message, error_code?, errors?}`, a 429's `{error, message}`, or plain text (a 401's `Unauthorized`). */
function parseErrorBody(text: string): ParsedErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const plain = text.trim();
    return { code: null, message: plain === '' ? null : plain, fieldErrors: [] };
  }
  if (!isRecord(json)) return { code: null, message: null, fieldErrors: [] };
  const code = typeof json['error_code'] === 'string' ? json['error_code'] : typeof json['error'] === 'string' ? json['error'] : null;
  const message = typeof json['message'] === 'string' ? json['message'] : null;
  const fieldErrors: TimelinesFieldError[] = Array.isArray(json['errors'])
    ? json['errors'].filter(isRecord).map((e) => ({
        fields: Array.isArray(e['fields']) ? e['fields'].map(String) : [],
        msg: typeof e['msg'] === 'string' ? e['msg'] : '',
      }))
    : [];
  return { code, message, fieldErrors };
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function dataOf(body: unknown): unknown {
  return isRecord(body) && 'data' in body ? body['data'] : body;
}

function quotaFrom(v: unknown): TimelinesQuota | null {
  if (!isRecord(v) || typeof v['total'] !== 'number' || typeof v['used'] !== 'number') return null;
  return {
    total: v['total'],
    used: v['used'],
    periodStart: typeof v['period_start'] === 'string' ? v['period_start'] : null,
    periodEnd: typeof v['period_end'] === 'string' ? v['period_end'] : null,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
