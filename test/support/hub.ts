// Shared set-up for the hub tests: temp folders, real nats-servers, hub stores with their publisher, followers, cores, CLI processes and HTTP destinations, each stopped after its test in bounded time.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect } from 'vitest';
import { HookwatchCore, type CoreOptions } from '../../main/core/core.js';
import { blankEvent } from '../../main/core/events.js';
import { HubLink, connectHub, type HubConnectionConfig } from '../../main/core/hub/connection.js';
import { HDR, accountMsgId, eventMsgId } from '../../main/core/hub/encoding.js';
import { HubFollower, type FollowerOptions } from '../../main/core/hub/follower.js';
import { HubPublisher, storeOutbox } from '../../main/core/hub/publisher.js';
import { STREAM_NAME } from '../../main/core/hub/subjects.js';
import { HookwatchStore, outboxKey } from '../../main/core/store/store.js';
import { BIN, spawnServe } from './harness.js';
import { NatsServer, eventually, type NatsServerOptions } from './nats.js';
import { webhookDelivery } from './seed.js';

/** How long one cleanup may take before the next one runs anyway (a publisher thread's own stop grace is 15 s). */
const CLEANUP_LIMIT_MS = 20_000;
/** How long a child process gets after SIGTERM before it is killed -9. */
const CHILD_STOP_GRACE_MS = 10_000;

// ---- Hub-side store: the real store file, the event and its outbox row in one transaction. ----

/** The raw body of test event n: a TimelinesAI-like payload with non-ASCII text, so bytes matter. */
export function rawBody(n: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      event_type: 'message:received:new',
      message: { message_uid: `uid-${n}`, text: `Grüße ${n} 👋 — “quoted”` },
      chat: { chat_id: 4800000 + (n % 7) },
    }),
    'utf8',
  );
}

export type HubStore = ReturnType<typeof openHubStore>;

/**
 * Opens (creating) a real SQLite store with the hub tables, the way the receiver uses it: the
 * event and its outbox row in one transaction.
 */
export function openHubStore(file: string, workspace = 'acme') {
  const store = HookwatchStore.open(file, { durability: 'normal' });
  return {
    store,
    /** Stores event n (type message:received:new unless given) and queues it; returns its message id. */
    ingest(n: number, type = 'message:received:new', body: Buffer = rawBody(n)): string {
      const e = {
        ...blankEvent('timelines', 'timelines.v2', type, `m:uid-${n}`),
        messageUid: `uid-${n}`,
        text: `Grüße ${n} 👋`,
        chatId: String(4800000 + (n % 7)),
      };
      return store.transaction(() => {
        const at = Date.now();
        const res = store.ingest(
          {
            ...webhookDelivery(at, body),
            remoteAddr: '127.0.0.1',
            contentType: 'application/json; charset=utf-8',
            headers: { 'content-type': 'application/json; charset=utf-8' },
          },
          [e],
        );
        const ev = res.events[0]!;
        const msgId = eventMsgId(workspace, e, ev.id);
        if (!ev.duplicate) store.hub.enqueue([{ kind: 'event', eventId: ev.id, type, msgId: outboxKey.event(e, ev.id), createdAt: at }]);
        return msgId;
      });
    },
    /** Queues an account-state change (as the alert service does on every transition). */
    accountChange(key: string, state: 'connected' | 'disconnected' | 'suspended', since: number): string {
      const msgId = accountMsgId(workspace, { key, state, since }, since);
      store.transaction(() =>
        store.hub.enqueue([
          {
            kind: 'account',
            type: state,
            msgId: outboxKey.account({ key, state, since }, since),
            payload: { key, phone: key, state, since, name: 'Dana Owner' },
            createdAt: Date.now(),
          },
        ]),
      );
      return msgId;
    },
    close: () => store.close(),
  };
}

/** `SELECT count(...) AS n ...` on a database: the number. */
export function countOf(db: Database.Database, sql: string): number {
  return (db.prepare(sql).get() as { n: number }).n;
}

// ---- Reading the hub's stream directly, as a test's own client. ----

export interface StreamMessage {
  seq: number;
  subject: string;
  msgId: string;
  contentType: string;
  record: string;
  body: Buffer;
}

/** Every message in the hub's stream, in order: subject, message id, the headers the publisher sets, body bytes. */
export async function readStream(url: string): Promise<StreamMessage[]> {
  const nc = await connect({ servers: url.replace('nats://', '') });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(STREAM_NAME);
    const c = await js.consumers.get(STREAM_NAME, { deliver_policy: DeliverPolicy.All });
    const out: StreamMessage[] = [];
    while (out.length < state.messages) {
      const m = await c.next({ expires: 2000 });
      if (!m) break;
      out.push({
        seq: m.seq,
        subject: m.subject,
        msgId: m.headers?.get('Nats-Msg-Id') ?? '',
        contentType: m.headers?.get(HDR.contentType) ?? '',
        record: m.headers?.get(HDR.record) ?? '',
        body: Buffer.from(m.data),
      });
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** How many messages the hub's stream holds; -1 while the broker or the stream cannot answer. */
export async function streamCount(url: string): Promise<number> {
  const nc = await connect({ servers: url.replace('nats://', ''), reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(STREAM_NAME)).state.messages;
  } catch {
    return -1;
  } finally {
    await nc.close();
  }
}

/** Connects with `config`, which must be refused (a connection made is closed); returns the refusal's message. */
export async function connectRefusal(config: HubConnectionConfig): Promise<string> {
  const err = await connectHub(config).then(
    async (nc) => {
      await nc.close();
      return null;
    },
    (e: Error) => e,
  );
  expect(err, 'the connection should have been refused').toBeInstanceOf(Error);
  return err!.message;
}

// ---- Processes and HTTP destinations. ----

/** SIGTERM, then SIGKILL if it has not exited after the grace; resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = CHILD_STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  return exited.finally(() => clearTimeout(timer));
}

export interface DestinationRequest {
  body: Buffer;
  contentType: string | undefined;
  eventId: string | undefined;
  /** The status answered, or 0 for a request left hanging. */
  answered: number;
}

export interface Destination {
  url: string;
  /** Every request, in the order received. */
  got: DestinationRequest[];
}

// ---- The bed: everything a hub test starts, stopped after each test. ----

/**
 * Call once at the top of a test file: it registers an afterEach that undoes, newest first, everything
 * started through it (or handed to defer()). Every cleanup runs even when an earlier one fails, each
 * within CLEANUP_LIMIT_MS, and the failures are reported after all have run.
 */
export function hubTestBed(): HubTestBed {
  const bed = new HubTestBed();
  afterEach(() => bed.cleanUp(), 6 * CLEANUP_LIMIT_MS);
  return bed;
}

export class HubTestBed {
  private readonly cleanups: Array<() => unknown> = [];

  /** Runs `fns` after the current test (the last registered first). */
  defer(...fns: Array<() => unknown>): void {
    this.cleanups.push(...fns);
  }

  async cleanUp(): Promise<void> {
    const failures: unknown[] = [];
    while (this.cleanups.length) {
      const fn = this.cleanups.pop()!;
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`a cleanup did not finish within ${CLEANUP_LIMIT_MS} ms`)), CLEANUP_LIMIT_MS);
      });
      try {
        await Promise.race([Promise.resolve().then(fn), limit]);
      } catch (err) {
        failures.push(err);
      } finally {
        clearTimeout(timer);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} cleanups failed: ${failures.map(String).join('; ')}`);
  }

  /** A fresh temp folder, removed after the test. */
  tempDir(prefix = 'hookwatch-test-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.defer(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A real nats-server (JetStream, temp store) on 127.0.0.1, disposed after the test. */
  async nats(options: NatsServerOptions = {}): Promise<NatsServer> {
    const nats = await NatsServer.start(options);
    this.defer(() => nats.dispose());
    return nats;
  }

  /** A hub store (workspace acme) at `dir`/hub.sqlite, closed after the test. */
  hubStore(dir: string): HubStore {
    const hub = openHubStore(join(dir, 'hub.sqlite'));
    this.defer(() => hub.close());
    return hub;
  }

  /** A HubLink (it starts connecting at once), closed after the test. */
  link(config: HubConnectionConfig, onState?: ConstructorParameters<typeof HubLink>[1]): HubLink {
    const link = new HubLink(config, onState);
    this.defer(() => link.close());
    return link;
  }

  /** A running publisher of `hub`'s outbox on its own link (named `name`); stopped, then its link closed, after the test. */
  publisher(hub: HubStore, url: string, options: { name?: string; publishTimeoutMs?: number } = {}) {
    const link = this.link({ url, ...(options.name ? { name: options.name } : {}) });
    const publisher = new HubPublisher({
      link,
      outbox: storeOutbox(hub.store, 'acme'),
      ...(options.publishTimeoutMs ? { publishTimeoutMs: options.publishTimeoutMs } : {}),
    });
    this.defer(() => publisher.stop());
    publisher.start();
    return { link, publisher };
  }

  /** A temp folder, a nats-server and a hub store in the folder (no publisher yet). */
  async hubAndBroker() {
    const dir = this.tempDir();
    const nats = await this.nats();
    const hub = this.hubStore(dir);
    return { dir, nats, hub };
  }

  /** A temp folder, a nats-server, a hub store in the folder and its running publisher. */
  async hubWithPublisher(options: { name?: string; publishTimeoutMs?: number } = {}) {
    const { dir, nats, hub } = await this.hubAndBroker();
    const { link, publisher } = this.publisher(hub, nats.url, options);
    return { dir, nats, hub, link, publisher };
  }

  /** A running follower of `url` on its own link (named `linkName`); stopped, then its link closed, after the test. */
  follower(url: string, options: Omit<FollowerOptions, 'link'> & { linkName?: string }) {
    const { linkName, ...rest } = options;
    const link = this.link({ url, ...(linkName ? { name: linkName } : {}) });
    const follower = new HubFollower({ link, ...rest });
    this.defer(() => follower.stop());
    follower.start();
    return { link, follower };
  }

  /** A real core (SQLite file + receiver on a free port) in `dataDir` (else a fresh temp folder), stopped after the test. */
  async core(options: Partial<CoreOptions> = {}, dataDir = this.tempDir()): Promise<HookwatchCore> {
    const core = await HookwatchCore.start({ dataDir, port: 0, durability: 'normal', log: () => {}, ...options });
    this.defer(() => core.stop());
    return core;
  }

  /** `hookwatch serve --hub <url>` on `dataDir` as a child process, stopped after the test. */
  async serveHub(dataDir: string, hubUrl: string) {
    const serve = await spawnServe(['--data', dataDir, '--port', '0', '--no-dashboard', '--hub', hubUrl]);
    this.defer(() => stopChild(serve.child));
    return serve;
  }

  /** `hookwatch follow <args>` as a child process, stopped after the test; resolves once it printed `following:` and `ready`. */
  async cliFollow(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
    const child = spawn(process.execPath, [BIN, 'follow', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    this.defer(() => stopChild(child));
    await eventually('follow to start', () => /^following: /m.test(out) && /^ready/m.test(out), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; it printed:\n${out}`);
    });
    return { child, output: () => out };
  }

  /** An HTTP destination on 127.0.0.1 whose answer is chosen per request (a status, or never answering); closed after the test. */
  async destination(answer: (n: number) => number | 'hang', path = '/hook'): Promise<Destination> {
    const got: DestinationRequest[] = [];
    const hanging: ServerResponse[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const a = answer(got.length);
        got.push({
          body: Buffer.concat(chunks),
          contentType: req.headers['content-type'],
          eventId: req.headers['hookwatch-event-id'] as string | undefined,
          answered: a === 'hang' ? 0 : a,
        });
        if (a === 'hang') hanging.push(res);
        else res.writeHead(a).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.defer(
      () =>
        new Promise<void>((r) => {
          for (const res of hanging) res.destroy();
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`, got };
  }
}
