/**
 * A local stand-in for the TimelinesAI Public API (node:http on 127.0.0.1, port 0) that follows
 * TimelinesAI's OpenAPI file (test/fixtures/provider-specs/public_api_spec.yaml) for what Hookwatch uses: webhooks,
 * whatsapp_accounts, workspace. It validates every request we send against the spec's request
 * schemas (ajv) and every answer it gives against the response schemas, and records both kinds
 * of violation so tests can assert there are none.
 *
 * Behaviour that the spec and docs/providers.md describe and that it reproduces:
 * - POST /webhooks is idempotent on event_type + url: returns the existing id, re-enables a
 *   disabled one, restores a deleted one.
 * - PUT /webhooks/{id} changes only the fields sent.
 * - 10 webhooks per workspace by default. The spec does not say how the limit is refused; the
 *   stand-in answers 403 `quota_exceeded` ("Webhooks limit reached") by default, or a 400
 *   `validation_error` with a vague message (limitStyle: 'vague') to test that Hookwatch still
 *   recognises it.
 * - A wrong token gets a plain-text `Unauthorized` 401; a missing header a JSON 401.
 * - Injected faults: 429 with Retry-After and an `{error, message}` body, 5xx, a slow answer, a
 *   reset connection, any status and body, or an oversized answer (the real answer, padded with
 *   whitespace to a given size and streamed without Content-Length; how much was sent is recorded).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

export const PUBLIC_API_SPEC_PATH = resolve(import.meta.dirname, '../fixtures/provider-specs/public_api_spec.yaml');

export interface StandInWebhook {
  id: number;
  event_type: string;
  url: string;
  enabled: boolean;
  errors_counter: number;
  deleted: boolean;
}

export interface StandInAccount {
  id: string;
  phone: string;
  connected_on: string;
  status: string;
  owner_name: string;
  owner_email: string;
  account_name: string;
}

export type StandInFault =
  | { kind: 'rate-limit'; retryAfter?: string; body?: unknown }
  | { kind: 'server'; status?: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'reset' }
  | { kind: 'custom'; status: number; body: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'oversized'; bytes: number };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters (catch-up's reads use them). */
  query: Record<string, string>;
  body: unknown;
  /** The fault injected into this request, if any. */
  fault: StandInFault['kind'] | null;
  status: number;
  /** Oversized answers: bytes written, and whether the client hung up before the end. */
  bytesSent?: number;
  cut?: boolean;
}

export interface StandInOptions {
  token: string;
  webhookLimit?: number;
  limitStyle?: 'quota' | 'vague';
  accounts?: StandInAccount[];
  specPath?: string;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  requestValidator: ValidateFunction | null;
  responseValidators: Map<string, ValidateFunction>;
  /** The spec's query and path parameters, each value checked (after reading it as its type) by ajv. */
  parameters: { name: string; in: 'query' | 'path'; validate: ValidateFunction; type: string | undefined }[];
}

/**
 * More operations for the stand-in (test/support/timelines-chats.ts serves chats and messages):
 * called for a request the built-in routes do not answer, after its checks and faults; returns
 * [status, body] or null to pass. The answer is validated against the spec like any other.
 */
export type StandInRoute = (method: string, path: string, query: URLSearchParams) => [number, unknown, Record<string, string>?] | null;

export const DEFAULT_ACCOUNTS: StandInAccount[] = [
  {
    id: '972501111111@s.whatsapp.net',
    phone: '+972501111111',
    connected_on: '2024-01-15 10:30:00 +0200',
    status: 'Active',
    owner_name: 'Dana Levi',
    owner_email: 'dana@example.com',
    account_name: 'Sales',
  },
  {
    id: '972502222222@s.whatsapp.net',
    phone: '+972502222222',
    connected_on: '2024-02-01 09:00:00 +0200',
    status: 'disconnected',
    owner_name: 'Omer Cohen',
    owner_email: 'omer@example.com',
    account_name: '',
  },
];

export class TimelinesStandIn {
  readonly webhooks = new Map<number, StandInWebhook>();
  readonly requests: RecordedRequest[] = [];
  /** Requests Hookwatch sent that the spec does not allow. Tests assert this stays empty. */
  readonly violations: string[] = [];
  /** Answers the stand-in gave that the spec does not allow (a bug in the stand-in itself). */
  readonly responseViolations: string[] = [];
  accounts: StandInAccount[];
  webhookLimit: number;
  limitStyle: 'quota' | 'vague';
  token: string;
  private nextId = 7_654_321;
  private faults: { fault: StandInFault; method?: string; pathPrefix?: string }[] = [];
  private readonly operations: Operation[];
  /** What GET /workspace/teammates/me answers as the token's e-mail. */
  teammateEmail = 'dana@example.com';
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | null = null;
  private port = 0;
  private readonly extraRoutes: StandInRoute[] = [];

  private constructor(options: StandInOptions) {
    this.token = options.token;
    this.webhookLimit = options.webhookLimit ?? 10;
    this.limitStyle = options.limitStyle ?? 'quota';
    this.accounts = options.accounts ?? DEFAULT_ACCOUNTS.map((a) => ({ ...a }));
    this.operations = loadOperations(options.specPath ?? PUBLIC_API_SPEC_PATH);
  }

  static async start(options: StandInOptions): Promise<TimelinesStandIn> {
    const s = new TimelinesStandIn(options);
    await s.listen();
    return s;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/integrations/api`;
  }

  /**
   * The next `times` requests get this fault (faults queue up in order). With `only`, just the
   * requests of that method (and path prefix) take it; others pass untouched.
   */
  failNext(fault: StandInFault, times = 1, only: { method?: string; pathPrefix?: string } = {}): void {
    for (let i = 0; i < times; i++) this.faults.push({ fault, ...only });
  }

  private takeFault(method: string, path: string): StandInFault | undefined {
    const i = this.faults.findIndex(
      (f) => (f.method === undefined || f.method === method) && (f.pathPrefix === undefined || path.startsWith(f.pathPrefix)),
    );
    return i < 0 ? undefined : this.faults.splice(i, 1)[0]!.fault;
  }

  /** Puts a webhook straight into the workspace (someone else's, or ours from an earlier run). */
  seedWebhook(w: { event_type: string; url: string; enabled?: boolean; errors_counter?: number }): StandInWebhook {
    const hook: StandInWebhook = {
      id: this.nextId++,
      event_type: w.event_type,
      url: w.url,
      enabled: w.enabled ?? true,
      errors_counter: w.errors_counter ?? 0,
      deleted: false,
    };
    this.webhooks.set(hook.id, hook);
    return hook;
  }

  /** Serves more of the spec's operations (see StandInRoute). */
  addRoutes(route: StandInRoute): void {
    this.extraRoutes.push(route);
  }

  /** Webhooks not deleted, by id. */
  live(): StandInWebhook[] {
    return [...this.webhooks.values()].filter((w) => !w.deleted).sort((a, b) => a.id - b.id);
  }

  /** Requests that reached the handlers (not faulted), e.g. to count creates. */
  calls(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix) && r.fault === null);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  // -------------------------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.responseViolations.push(`stand-in crashed on ${req.method} ${req.url}: ${(err as Error).message}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', message: 'stand-in crashed', error_code: 'internal_error' }));
        } else res.destroy();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r, j) => {
      server.once('error', j);
      server.listen(0, '127.0.0.1', () => r());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = '/integrations/api';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const record: RecordedRequest = { method, path, query: Object.fromEntries(url.searchParams), body: null, fault: null, status: 0 };
    this.requests.push(record);
    let padTo: number | null = null;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (padTo !== null && typeof body !== 'string') {
        void streamPadded(res, record, status, JSON.stringify(body), padTo);
        return;
      }
      if (typeof body === 'string') {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        res.end(body);
      } else {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      }
    };

    // Everything Hookwatch sends is checked, even a request that then meets a fault.
    const op = this.operations.find((o) => o.method === method.toLowerCase() && o.pattern.test(path));
    let body: unknown = null;
    let bodyErrors: { fields: string[]; msg: string }[] = [];
    if (!url.pathname.startsWith(prefix)) this.violations.push(`${method} ${url.pathname}: outside the API root ${prefix}`);
    if (url.search && !op) this.violations.push(`${method} ${path}: unexpected query ${url.search}`);
    if (op) this.checkParameters(op, path, url.searchParams, method);
    if (!op) {
      this.violations.push(`${method} ${path}: not an operation of the spec`);
    } else if (op.requestValidator) {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) {
        this.violations.push(`${method} ${path}: content-type '${type}' instead of application/json`);
        bodyErrors = [{ fields: [], msg: 'content-type must be application/json' }];
      }
      if (bodyErrors.length === 0) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          this.violations.push(`${method} ${path}: body is not JSON`);
          bodyErrors = [{ fields: [], msg: 'body must be JSON' }];
        }
      }
      if (bodyErrors.length === 0 && !op.requestValidator(body)) {
        bodyErrors = (op.requestValidator.errors ?? []).map((e) => ({
          fields: e.instancePath
            .split('/')
            .filter(Boolean)
            .concat(e.keyword === 'additionalProperties' ? [String((e.params as { additionalProperty?: string }).additionalProperty)] : []),
          msg: e.message ?? e.keyword,
        }));
        for (const e of bodyErrors) this.violations.push(`${method} ${op.template}: ${e.fields.join('.') || '(body)'} ${e.msg}`);
      }
    } else if (raw.length > 0) {
      this.violations.push(`${method} ${path}: sends a body, but the spec defines none`);
    }
    record.body = body;
    const auth = req.headers['authorization'];
    if (auth !== undefined && !/^Bearer [^\s]+$/.test(auth))
      this.violations.push(`${method} ${path}: Authorization is not 'Bearer <token>'`);

    const fault = this.takeFault(method, path);
    if (fault) {
      record.fault = fault.kind;
      switch (fault.kind) {
        case 'rate-limit':
          return send(
            429,
            fault.body ?? { error: 'rate_limit_exceeded', message: 'Too many requests, slow down' },
            fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {},
          );
        case 'server':
          return send(fault.status ?? 500, { status: 'error', message: 'Internal server error', error_code: 'internal_error' });
        case 'reset':
          record.status = -1;
          req.socket.destroy();
          return;
        case 'custom':
          record.status = fault.status;
          res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json', ...(fault.headers ?? {}) });
          res.end(fault.body);
          return;
        case 'oversized':
          // The real answer (checked against the spec like any other), only much longer.
          padTo = fault.bytes;
          break;
        case 'slow':
          await new Promise<void>((r) => {
            const t = setTimeout(() => {
              this.timers.delete(t);
              r();
            }, fault.delayMs);
            this.timers.add(t);
          });
          if (res.destroyed || req.socket.destroyed) return;
          record.fault = null;
          break;
      }
    }

    if (auth === undefined)
      return send(401, { status: 'error', message: 'Authorization header is required', error_code: 'missing_credentials' });
    // docs/providers.md: the real API answers a bad token with a bare text 401.
    if (auth !== `Bearer ${this.token}`) return send(401, 'Unauthorized');
    if (!op) return send(404, { status: 'error', message: 'Not found', error_code: 'not_found' });
    if (bodyErrors.length > 0) {
      return this.reply(send, op, 400, {
        status: 'error',
        message: 'Request validation failed',
        error_code: 'validation_error',
        errors: bodyErrors,
      });
    }
    const [status, answer, headers] = this.route(method, path, body, url.searchParams);
    return this.reply(send, op, status, answer, headers);
  }

  private reply(
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    op: Operation,
    status: number,
    answer: unknown,
    headers?: Record<string, string>,
  ): void {
    const validator = op.responseValidators.get(String(status));
    if (validator && !validator(answer)) {
      for (const e of validator.errors ?? [])
        this.responseViolations.push(`${op.method.toUpperCase()} ${op.template} ${status}: ${e.instancePath || '(body)'} ${e.message}`);
    }
    send(status, answer, headers);
  }

  /** Every query parameter must be one the operation defines, and every value must fit its schema. */
  private checkParameters(op: Operation, path: string, query: URLSearchParams, method: string): void {
    const pathValues = op.pattern.exec(path)?.slice(1) ?? [];
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    pathParams.forEach((p, i) => {
      const raw = pathValues[i];
      if (raw !== undefined && !p.validate(asParameterType(decodeURIComponent(raw), p.type)))
        this.violations.push(`${method} ${op.template}: path ${p.name} '${raw}' ${p.validate.errors?.[0]?.message ?? 'is invalid'}`);
    });
    for (const [name, value] of query) {
      const p = op.parameters.find((x) => x.in === 'query' && x.name === name);
      if (!p) this.violations.push(`${method} ${op.template}: query parameter '${name}' is not in the spec`);
      else if (!p.validate(asParameterType(value, p.type)))
        this.violations.push(`${method} ${op.template}: query ${name}='${value}' ${p.validate.errors?.[0]?.message ?? 'is invalid'}`);
    }
  }

  private route(method: string, path: string, body: unknown, query: URLSearchParams): [number, unknown, Record<string, string>?] {
    const b = (body ?? {}) as Record<string, unknown>;
    if (path === '/webhooks' && method === 'GET') return [200, { status: 'ok', data: this.live().map(publicWebhook) }];
    if (path === '/webhooks' && method === 'POST') return this.createWebhook(b);
    const m = /^\/webhooks\/([^/]+)$/.exec(path);
    if (m) {
      const hook = /^\d+$/.test(m[1]!) ? this.webhooks.get(Number(m[1])) : undefined;
      if (!hook || hook.deleted) return [404, { status: 'error', message: `Webhook ${m[1]} not found`, error_code: 'not_found' }];
      if (method === 'GET') return [200, { status: 'ok', data: publicWebhook(hook) }];
      if (method === 'DELETE') {
        hook.deleted = true;
        return [200, { status: 'ok', message: 'Webhook deleted' }];
      }
      if (method === 'PUT') {
        if (typeof b['url'] === 'string') {
          const bad = urlRefusal(b['url']);
          if (bad) return [400, bad];
          hook.url = b['url'];
        }
        if (typeof b['event_type'] === 'string') hook.event_type = b['event_type'];
        if (typeof b['enabled'] === 'boolean') hook.enabled = b['enabled'];
        return [200, { status: 'ok', data: publicWebhook(hook) }];
      }
    }
    if (path === '/whatsapp_accounts' && method === 'GET') return [200, { status: 'ok', data: { whatsapp_accounts: this.accounts } }];
    if (path === '/workspace' && method === 'GET') {
      return [
        200,
        {
          status: 'ok',
          data: {
            workspace_id: 'acme-inc',
            display_name: 'Acme Inc.',
            plan: 'Business',
            messaging_quota: {
              total: 10000,
              used: 120,
              period_start: '2026-11-01 00:00:00 +0000',
              period_end: '2026-12-01 00:00:00 +0000',
            },
            api_calls_quota: {
              total: 100000,
              used: this.requests.length,
              period_start: '2026-11-01 00:00:00 +0000',
              period_end: '2026-12-01 00:00:00 +0000',
            },
          },
        },
      ];
    }
    if (path === '/workspace/teammates/me' && method === 'GET') {
      // The token's own teammate: Setup pre-fills "my e-mail" for assignment alerts from it.
      return [
        200,
        {
          status: 'ok',
          data: {
            user_id: 42,
            display_name: 'Dana Agent',
            email: this.teammateEmail,
            role: 'agent',
            team: 'Default',
            status: 'Active',
            created_at: '2026-02-22 00:00:00 +0100',
          },
        },
      ];
    }
    for (const extra of this.extraRoutes) {
      const answer = extra(method, path, query);
      if (answer) return answer;
    }
    return [500, { status: 'error', message: `the stand-in does not implement ${method} ${path}`, error_code: 'internal_error' }];
  }

  private createWebhook(b: Record<string, unknown>): [number, unknown] {
    const eventType = String(b['event_type']);
    const url = String(b['url']);
    const bad = urlRefusal(url);
    if (bad) return [400, bad];
    const same = [...this.webhooks.values()].find((w) => w.event_type === eventType && w.url === url);
    if (same && !same.deleted) {
      if (b['enabled'] !== false) same.enabled = true;
      return [200, { status: 'ok', data: publicWebhook(same) }];
    }
    if (this.live().length >= this.webhookLimit) {
      return this.limitStyle === 'quota'
        ? [
            403,
            {
              status: 'error',
              message: `Webhooks limit reached: the workspace may have at most ${this.webhookLimit} webhooks`,
              error_code: 'quota_exceeded',
            },
          ]
        : [400, { status: 'error', message: 'Cannot create subscription', error_code: 'validation_error' }];
    }
    if (same) {
      same.deleted = false;
      same.enabled = true;
      return [200, { status: 'ok', data: publicWebhook(same) }];
    }
    const hook = this.seedWebhook({ event_type: eventType, url, enabled: b['enabled'] !== false });
    return [200, { status: 'ok', data: publicWebhook(hook) }];
  }
}

function publicWebhook(w: StandInWebhook) {
  return { id: w.id, event_type: w.event_type, url: w.url, enabled: w.enabled, errors_counter: w.errors_counter };
}

/** The spec's business rule on URLs: a structurally valid http(s) URL, else 400 validation_error. */
function urlRefusal(url: string): unknown | null {
  let ok = false;
  try {
    const u = new URL(url);
    ok = (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    ok = false;
  }
  return ok
    ? null
    : {
        status: 'error',
        message: 'Invalid URL',
        error_code: 'validation_error',
        errors: [{ fields: ['url'], msg: 'must be a valid http(s) URL' }],
      };
}

/** A query or path value as the type its schema names ("12" -> 12, "true" -> true); anything unreadable stays a string and fails. */
function asParameterType(value: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 -> JSON Schema for ajv

const SPEC_ID = 'https://hookwatch.invalid/timelines-public-api';
/** JSON Schema keywords kept as they are; OpenAPI-only ones (example, xml, discriminator, x-...) are dropped. */
const KEPT = new Set([
  'type',
  'enum',
  'const',
  'required',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'multipleOf',
  'minProperties',
  'maxProperties',
  'title',
  'description',
  'default',
]);

/**
 * Converts one OpenAPI 3.0 schema: `$ref`s to components become refs into `definitions`,
 * `nullable` becomes a `null` type, boolean exclusiveMinimum/Maximum become numbers, and
 * `format` is dropped (the spec uses it only for binary uploads and date-times it comments out).
 * With `close`, an object that lists its properties refuses others, so a field Hookwatch sends
 * that the spec does not define is a violation (not inside allOf/oneOf/anyOf, where closing
 * one branch would reject the other's fields).
 */
export function openApiToJsonSchema(node: unknown, close: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => openApiToJsonSchema(n, close));
  if (typeof node !== 'object' || node === null) return node;
  const s = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof s['$ref'] === 'string') {
    const m = /^#\/components\/schemas\/(.+)$/.exec(s['$ref']);
    if (!m) throw new Error(`unsupported $ref ${s['$ref']}`);
    return { $ref: `${SPEC_ID}#/definitions/${m[1]}` };
  }
  for (const [k, v] of Object.entries(s)) {
    if (KEPT.has(k)) out[k] = v;
    else if (k === 'properties' || k === 'patternProperties') {
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([name, sub]) => [name, openApiToJsonSchema(sub, close)]),
      );
    } else if (k === 'items' || k === 'not') out[k] = openApiToJsonSchema(v, close);
    else if (k === 'additionalProperties') out[k] = typeof v === 'boolean' ? v : openApiToJsonSchema(v, close);
    else if (k === 'allOf' || k === 'oneOf' || k === 'anyOf') out[k] = (v as unknown[]).map((sub) => openApiToJsonSchema(sub, false));
    else if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') {
      if (v === true) {
        const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        out[k] = s[bound];
        delete out[bound];
      } else if (typeof v === 'number') out[k] = v;
    }
  }
  if (s['exclusiveMinimum'] === true) delete out['minimum'];
  if (s['exclusiveMaximum'] === true) delete out['maximum'];
  if (close && out['properties'] && out['additionalProperties'] === undefined && !out['allOf'] && !out['oneOf'] && !out['anyOf']) {
    out['additionalProperties'] = false;
  }
  if (s['nullable'] === true) {
    if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    if (out['type'] === undefined) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const loaded = new Map<string, Operation[]>();

/** Parsing the spec and compiling its schemas takes a while: once per process and spec file. */
function loadOperations(specPath: string): Operation[] {
  let ops = loaded.get(specPath);
  if (!ops) {
    ops = compileOperations(specPath);
    loaded.set(specPath, ops);
  }
  return ops;
}

function compileOperations(specPath: string): Operation[] {
  // merge: the spec shares its error responses through YAML merge keys (`<<: *http_errors_common`).
  const spec = parseYaml(readFileSync(specPath, 'utf8'), { merge: true }) as {
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, unknown>; responses: Record<string, any>; parameters?: Record<string, any> };
  };
  const ajvFor = (close: boolean) => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
    const definitions = Object.fromEntries(
      Object.entries(spec.components.schemas).map(([name, s]) => [name, openApiToJsonSchema(s, close)]),
    );
    ajv.addSchema({ $id: SPEC_ID, definitions });
    return ajv;
  };
  const requestAjv = ajvFor(true);
  const responseAjv = ajvFor(false);
  const jsonSchemaOf = (content: any) => content?.['application/json']?.schema;
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)') + '$');
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const reqSchema = jsonSchemaOf(op.requestBody?.content);
      const responseValidators = new Map<string, ValidateFunction>();
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const r = (response as any)?.$ref
          ? spec.components.responses[
              String((response as any).$ref)
                .split('/')
                .pop()!
            ]
          : response;
        const schema = jsonSchemaOf(r?.content);
        if (schema) responseValidators.set(status, responseAjv.compile(openApiToJsonSchema(schema, false) as object));
      }
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map((p: any) => (p?.$ref ? spec.components.parameters?.[String(p.$ref).split('/').pop()!] : p))
        .filter((p: any) => p && (p.in === 'query' || p.in === 'path'))
        .map((p: any) => ({
          name: String(p.name),
          in: p.in,
          type: p.schema?.type,
          validate: requestAjv.compile(openApiToJsonSchema(p.schema ?? {}, true) as object),
        }));
      ops.push({
        method,
        template,
        pattern,
        parameters,
        requestValidator: reqSchema ? requestAjv.compile(openApiToJsonSchema(reqSchema, true) as object) : null,
        responseValidators,
      });
    }
  }
  return ops;
}

/** Writes `text` padded with spaces before its last character to `total` bytes, as fast as the client reads. */
async function streamPadded(res: ServerResponse, record: RecordedRequest, status: number, text: string, total: number): Promise<void> {
  res.writeHead(status, { 'content-type': 'application/json' });
  const write = (b: Buffer) =>
    new Promise<boolean>((resolveWrite) => {
      if (res.destroyed) return resolveWrite(false);
      if (res.write(b)) return resolveWrite(true);
      const done = (ok: boolean) => () => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        resolveWrite(ok);
      };
      const onDrain = done(true);
      const onClose = done(false);
      res.once('drain', onDrain);
      res.once('close', onClose);
    });
  const head = Buffer.from(text.slice(0, -1));
  const tail = Buffer.from(text.slice(-1));
  const spaces = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  let ok = await write(head);
  if (ok) sent += head.length;
  while (ok && sent + tail.length < total) {
    const n = Math.min(spaces.length, total - tail.length - sent);
    ok = await write(spaces.subarray(0, n));
    if (ok) sent += n;
  }
  if (ok) ok = await write(tail);
  if (ok) {
    sent += tail.length;
    res.end();
  }
  record.bytesSent = sent;
  record.cut = !ok;
}
