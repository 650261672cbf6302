/** TimelinesAI Public API errors: one class with a `kind` the UI can branch on, and the redaction every message goes through. */
import { redactWebhookSecrets } from '../webhook-url.js';

export const TIMELINES_TOKEN_PAGE = 'TimelinesAI > Integrations > Public API';
export const TIMELINES_WEBHOOKS_PAGE = 'TimelinesAI > Integrations > Webhooks v2';

export type TimelinesApiErrorKind =
  | 'bad-token'
  | 'permission'
  | 'quota'
  | 'rate-limited'
  | 'validation'
  | 'not-found'
  | 'webhook-limit'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unexpected';

export interface TimelinesFieldError {
  fields: string[];
  msg: string;
}

export interface TimelinesApiErrorInit {
  kind: TimelinesApiErrorKind;
  message: string;
  /** HTTP status, or null when no answer came (network, timeout) or the request was refused before sending. */
  status?: number | null;
  /** The API's `error_code` (or the 429 body's `error`), or a local code such as `missing_credentials`, `ECONNREFUSED`. */
  code?: string | null;
  method?: string;
  /** The API path (no host, no query), e.g. `/webhooks/7654321`. */
  path?: string;
  attempts?: number;
  /** From Retry-After, when the API said how long to wait. */
  retryAfterMs?: number | null;
  /** What the API itself said, shortened and with secrets removed. */
  serverMessage?: string | null;
  fieldErrors?: TimelinesFieldError[];
}

/** Kinds that may go away by themselves; a caller may try again later (the client already retried). */
const TRANSIENT_KINDS: ReadonlySet<TimelinesApiErrorKind> = new Set(['rate-limited', 'server', 'network', 'timeout']);

export class TimelinesApiError extends Error {
  override readonly name = 'TimelinesApiError';
  readonly kind: TimelinesApiErrorKind;
  readonly status: number | null;
  readonly code: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly attempts: number;
  readonly retryAfterMs: number | null;
  readonly serverMessage: string | null;
  readonly fieldErrors: TimelinesFieldError[];

  constructor(init: TimelinesApiErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.code = init.code ?? null;
    this.method = init.method ?? null;
    this.path = init.path ?? null;
    this.attempts = init.attempts ?? 0;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.serverMessage = init.serverMessage ?? null;
    this.fieldErrors = init.fieldErrors ?? [];
  }

  /** True when trying again later may succeed (rate limit, 5xx, network, timeout). */
  get transient(): boolean {
    return TRANSIENT_KINDS.has(this.kind);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
      retryAfterMs: this.retryAfterMs,
      serverMessage: this.serverMessage,
      fieldErrors: this.fieldErrors,
    };
  }
}

/**
 * Removes the token and any webhook secret from text that may reach a person or a log. Server
 * messages can echo the URL we sent (which carries our secret) or the Authorization header.
 */
export function redact(text: string, token?: string | null): string {
  let out = text;
  if (token && token.length >= 4) {
    out = out.split(token).join('{token}');
    const encoded = encodeURIComponent(token);
    if (encoded !== token) out = out.split(encoded).join('{token}');
  }
  out = out.replace(/(bearer\s+)[^\s"',;]+/gi, '$1{token}');
  return redactWebhookSecrets(out);
}

/**
 * The spec does not document how POST /webhooks says "the workspace already has its 10
 * webhooks". The error codes that fit are `quota_exceeded` (403) or a business-rule
 * `validation_error` (400) whose message speaks of a limit; anything that says "rate" is the
 * request-rate limit instead. sync.ts also checks the count it listed (see there).
 */
export function isWebhookLimitRefusal(err: TimelinesApiError): boolean {
  if (err.kind === 'webhook-limit') return true;
  if (err.status === 429 || err.code === 'rate_limit_exceeded' || err.kind === 'rate-limited') return false;
  const said = (err.serverMessage ?? '').toLowerCase();
  if (/webhook|subscription|endpoint/.test(said) && /limit|maximum|max\b|quota|exceed|too many|no more/.test(said)) return true;
  if (err.code === 'quota_exceeded' && !/api call|calls|message/.test(said)) return true;
  return false;
}

export function webhookLimitError(err: TimelinesApiError, eventType: string): TimelinesApiError {
  return new TimelinesApiError({
    kind: 'webhook-limit',
    status: err.status,
    code: err.code,
    method: err.method ?? 'POST',
    path: err.path ?? '/webhooks',
    attempts: err.attempts,
    serverMessage: err.serverMessage,
    fieldErrors: err.fieldErrors,
    message: `the TimelinesAI workspace has reached its webhook limit (10 by default), so ${eventType} was not registered: delete webhooks you no longer need in ${TIMELINES_WEBHOOKS_PAGE}, or buy the add-on for more, then sync again`,
  });
}
