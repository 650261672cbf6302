// Connects to the hub's NATS server: options from a URL plus a credentials file, TLS, and descriptions that never show a secret.
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  usernamePasswordAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';

/**
 * What the CLI gets from the user: `--hub nats://HOST:PORT` (several servers of a cluster joined by
 * commas), optionally `--hub-creds FILE`, optionally TLS files. Credentials may sit in the URL
 * (`nats://user:pass@host:4222`, `nats://token@host:4222`) for quick trials, but a file is better:
 * it stays out of shell history and `ps`, and it can be readable by its owner only.
 */
export interface HubConnectionConfig {
  /** `nats://host:port` or `tls://host:port`, comma-separated for a cluster. */
  url: string;
  /**
   * A file holding one of: a NATS `.creds` file (JWT + nkey seed, decentralized auth), an nkey
   * user seed (`SU…`, the server lists the public key), or one line `user:password`.
   */
  credsFile?: string;
  /** TLS: CA bundle to trust (a private CA), and a client certificate/key for mutual TLS. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Connection name the NATS server shows in its monitoring (`hookwatch-hub`, `hookwatch-follow-<name>`). */
  name?: string;
}

export class HubConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubConfigError';
  }
}

interface ParsedUrl {
  servers: string[];
  tls: boolean;
  user?: string;
  pass?: string;
  token?: string;
}

/** Parses the hub URL(s); credentials found in them are returned apart so they never reach a log line. */
export function parseHubUrl(url: string): ParsedUrl {
  const parts = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) throw new HubConfigError('no hub URL: pass --hub nats://HOST:PORT');
  const out: ParsedUrl = { servers: [], tls: false };
  for (const part of parts) {
    let u: URL;
    try {
      u = new URL(part.includes('://') ? part : `nats://${part}`);
    } catch {
      throw new HubConfigError(`not a hub URL: ${redactUrl(part)} (expected nats://HOST:PORT or tls://HOST:PORT)`);
    }
    if (u.protocol !== 'nats:' && u.protocol !== 'tls:') {
      throw new HubConfigError(`a hub URL starts with nats:// or tls://, not ${u.protocol}// (${redactUrl(part)})`);
    }
    if (u.hostname === '') throw new HubConfigError(`no host in hub URL ${redactUrl(part)}`);
    if (u.protocol === 'tls:') out.tls = true;
    if (u.username !== '') {
      const user = decodeURIComponent(u.username);
      if (u.password !== '') {
        out.user = user;
        out.pass = decodeURIComponent(u.password);
      } else {
        out.token = user;
      }
    }
    out.servers.push(`${u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname}:${u.port || '4222'}`);
  }
  return out;
}

/** The URL with any password or token replaced: for logs, status lines and errors. */
export function redactUrl(url: string): string {
  return url.replace(
    /(\b[a-z]+:\/\/)([^@/\s]+)@/gi,
    (_m, scheme: string, info: string) => `${scheme}${info.includes(':') ? `${info.split(':')[0]}:***` : '***'}@`,
  );
}

/** How the hub is described to people: servers, TLS, which kind of credentials (never their value). */
export function describeHub(config: HubConnectionConfig): string {
  let parsed: ParsedUrl;
  try {
    parsed = parseHubUrl(config.url);
  } catch {
    return redactUrl(config.url);
  }
  const scheme = parsed.tls || config.tls ? 'tls' : 'nats';
  const auth = config.credsFile
    ? `credentials from ${config.credsFile}`
    : parsed.user
      ? `user ${parsed.user}`
      : parsed.token
        ? 'token'
        : null;
  return `${parsed.servers.map((s) => `${scheme}://${s}`).join(',')}${auth ? ` (${auth})` : ''}`;
}

type CredsKind = 'creds' | 'nkey' | 'userpass';

/** Reads a --hub-creds file and tells what it holds. Errors name the file, never its content. */
export function readCredsFile(file: string): { kind: CredsKind; options: Pick<NodeConnectionOptions, 'authenticator'> } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HubConfigError(
      `cannot read the hub credentials file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (text.includes('BEGIN NATS USER JWT')) {
    return { kind: 'creds', options: { authenticator: credsAuthenticator(new TextEncoder().encode(text)) } };
  }
  const seed = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^SU[A-Z2-7]{50,}$/.test(l));
  if (seed) return { kind: 'nkey', options: { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) } };
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !l.startsWith('#'));
  if (line && line.includes(':')) {
    const at = line.indexOf(':');
    return { kind: 'userpass', options: { authenticator: usernamePasswordAuthenticator(line.slice(0, at), line.slice(at + 1)) } };
  }
  throw new HubConfigError(
    `${file} is not a NATS credentials file: expected a .creds file (nsc/NGS), an nkey user seed (SU…) or one line user:password`,
  );
}

/** Builds nats.js connection options: reconnect forever, because a hub or follower must outlive broker restarts. */
export function hubConnectOptions(config: HubConnectionConfig): NodeConnectionOptions {
  const parsed = parseHubUrl(config.url);
  const options: NodeConnectionOptions = {
    servers: parsed.servers,
    name: config.name ?? 'hookwatch',
    // Never give up: the outbox (hub) and the durable consumer (follower) make a long outage harmless,
    // and people should not have to restart Hookwatch because the broker was down for an hour.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    reconnectJitter: 500,
    // Notice a silently dead connection (laptop sleep, NAT timeout) within about a minute.
    pingInterval: 20_000,
    maxPingOut: 3,
    timeout: 10_000,
    // No stack trace captured at the start of every request (nats.js builds two Error objects per
    // request for it): a JetStream publish is a request, and a profile of the publisher thread showed those
    // Errors at about a tenth of its CPU per event. Errors shown to people carry only their message anyway.
    noAsyncTraces: true,
  };
  if (config.credsFile) {
    Object.assign(options, readCredsFile(config.credsFile).options);
  } else if (parsed.user !== undefined) {
    options.user = parsed.user;
    options.pass = parsed.pass;
  } else if (parsed.token !== undefined) {
    options.token = parsed.token;
  }
  if (parsed.tls || config.tls) {
    // An empty object already means "TLS required, verify the server against the system CAs".
    options.tls = {
      ...(config.tls?.caFile ? { caFile: config.tls.caFile } : {}),
      ...(config.tls?.certFile ? { certFile: config.tls.certFile } : {}),
      ...(config.tls?.keyFile ? { keyFile: config.tls.keyFile } : {}),
    };
  }
  return options;
}

/** Any secret the config carries, to scrub from error text before it is shown or logged. */
function secretsOf(config: HubConnectionConfig): string[] {
  try {
    const p = parseHubUrl(config.url);
    return [p.pass, p.token].filter((s): s is string => typeof s === 'string' && s.length > 0);
  } catch {
    return [];
  }
}

/** Error text safe to show: URLs redacted and any known secret removed. */
export function safeErrorText(err: unknown, config?: HubConnectionConfig): string {
  let text = redactUrl(err instanceof Error ? err.message : String(err));
  for (const secret of config ? secretsOf(config) : []) text = text.split(secret).join('***');
  return text;
}

/** Node's codes for a server certificate that no trusted CA signed. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/** What to do about a refused TLS handshake, in words: Node's reason alone ("unable to verify the first certificate") does not say. */
function tlsAdvice(err: unknown, config: HubConnectionConfig): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return '';
  if (UNTRUSTED.has(code))
    return `: the hub's certificate is not signed by ${config.tls?.caFile ? `the CA in ${config.tls.caFile}` : 'a CA this computer trusts'}; choose the CA file that signed it (Settings → Team hub, or --hub-ca FILE)`;
  if (code === 'CERT_HAS_EXPIRED') return ": the hub's certificate has expired; renew it on the NATS server";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return ": the hub's certificate is for another name; use the host name its certificate names";
  return '';
}

/** One attempt to connect; the error says which hub, never with its secrets, and for a refused certificate what to do. */
export async function connectHub(config: HubConnectionConfig): Promise<NatsConnection> {
  const options = hubConnectOptions(config);
  try {
    return await connect(options);
  } catch (err) {
    throw new Error(`cannot connect to the hub ${describeHub(config)}: ${safeErrorText(err, config)}${tlsAdvice(err, config)}`, {
      cause: err,
    });
  }
}

export type LinkState = 'connecting' | 'up' | 'reconnecting' | 'closed';

/**
 * A connection that may start while the broker is down. nats.js reconnects by itself once it has
 * connected (maxReconnectAttempts -1); what it cannot do is a first connect that is both patient and
 * stoppable (waitOnFirstConnect cannot be cancelled), so the first connect is retried here with
 * backoff, and stop() ends it. The hub must start and answer webhooks with NATS unreachable.
 */
export class HubLink {
  private nc: NatsConnection | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly ready: Promise<NatsConnection | null>;
  state: LinkState = 'connecting';
  lastError: string | null = null;

  constructor(
    readonly config: HubConnectionConfig,
    private readonly onState: (state: LinkState, detail: string | null) => void = () => {},
  ) {
    this.ready = this.connectLoop();
  }

  /** Resolves with the connection once connected, or null if stopped first. */
  connection(): Promise<NatsConnection | null> {
    return this.ready;
  }

  get current(): NatsConnection | null {
    return this.nc;
  }

  describe(): string {
    return describeHub(this.config);
  }

  private setState(state: LinkState, detail: string | null): void {
    this.state = state;
    if (detail !== null) this.lastError = detail;
    this.onState(state, detail);
  }

  private async connectLoop(): Promise<NatsConnection | null> {
    let delay = 500;
    while (!this.stopped) {
      try {
        const nc = await connectHub(this.config);
        if (this.stopped) {
          await nc.close();
          return null;
        }
        this.nc = nc;
        this.lastError = null;
        this.setState('up', null);
        void this.watch(nc);
        return nc;
      } catch (err) {
        this.setState('connecting', safeErrorText(err, this.config));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
        delay = Math.min(delay * 2, 15_000);
      }
    }
    return null;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') {
        if (this.state !== 'reconnecting') this.setState('reconnecting', `lost the connection to ${this.describe()}`);
      } else if (s.type === 'reconnect') {
        this.setState('up', null);
      } else if (s.type === 'close') {
        break;
      }
    }
    if (!this.stopped) this.setState('closed', 'the connection to the hub was closed');
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const nc = this.nc ?? (await this.ready);
    // Publisher and consumers stop first (they own what is in flight), so a plain close loses nothing.
    if (nc && !nc.isClosed()) await nc.close();
    this.state = 'closed';
  }
}
