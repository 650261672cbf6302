// Sends one clearly marked test event through the public URL (or the local receiver) and times each hop.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeNetworkError, loopbackAwareLookup } from './tunnel/http-get.js';

/** One hop of a test delivery and when it was done (epoch ms). */
export interface TestEventHop {
  hop: 'tunnel reached' | 'receiver answered' | 'stored';
  at: number;
  detail: string;
}

export interface TestEventReport {
  ok: boolean;
  /** 'tunnel' when sent through the public URL; 'local' when straight to the receiver (the tunnel was not up). */
  via: 'tunnel' | 'local';
  sentAt: number;
  hops: TestEventHop[];
  eventId: number | null;
  /** What went wrong and what to do; null when every hop was done. */
  problem: string | null;
}

/** The test event's type: not a provider type, so no alert rule reads it (rules look at account and chat types). */
export const TEST_EVENT_TYPE = 'hookwatch:test';

/** A TimelinesAI-shaped body, marked `hookwatch_test` so that nobody mistakes it for a customer message. */
export function testEventBody(id = randomUUID(), now = Date.now()): Record<string, unknown> {
  return {
    event_type: TEST_EVENT_TYPE,
    hookwatch_test: true,
    test_id: id,
    message: { message_uid: `hookwatch-test-${id}`, text: 'Hookwatch test event', timestamp: new Date(now).toISOString() },
  };
}

export interface SendTestEventOptions {
  /** The full webhook URL to post to (with its secret); it is never put in the report. */
  url: string;
  via: 'tunnel' | 'local';
  /** Confirms the event is in the store (the receiver's id); absent: the receiver's answer is taken as stored. */
  isStored?: (eventId: number) => boolean;
  now?: () => number;
  timeoutMs?: number;
}

/** The most of an answer read: the receiver's is a few hundred bytes; a tunnel's error page is not needed whole. */
const MAX_ANSWER_BYTES = 256 * 1024;

interface Posted {
  /** When the connection to the URL's host was open (TLS included): for a public URL, the tunnel was reached. */
  connectedAt: number | null;
  status: number | null;
  body: string;
  /** Why no answer came, in words (connection refused, no answer in time, ...). */
  error: string | null;
}

/**
 * POSTs the body with node:http(s) rather than fetch: `*.localhost` (a localtunnel server on this computer hands out
 * such URLs) resolves to loopback here even where the system resolver does not know it, and the moment the
 * connection opens is known, so "tunnel reached" is timed apart from "receiver answered".
 */
function post(url: URL, body: string, timeoutMs: number, now: () => number): Promise<Posted> {
  return new Promise((resolve) => {
    let connectedAt: number | null = null;
    let settled = false;
    const done = (p: Omit<Posted, 'connectedAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ connectedAt, ...p });
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      agent: false,
      lookup: loopbackAwareLookup,
      // localtunnel shows a reminder page to browsers without this header.
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'bypass-tunnel-reminder': '1',
        'user-agent': 'hookwatch-test',
        connection: 'close',
      },
    });
    const timer = setTimeout(() => done({ status: null, body: '', error: 'no answer in time' }), timeoutMs);
    req.on('socket', (socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connectedAt = now()));
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ status: null, body: '', error: describeNetworkError(err) }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk.subarray(0, MAX_ANSWER_BYTES - size));
        size += chunk.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), error: null }));
      res.on('error', (err) => done({ status: res.statusCode ?? 0, body: '', error: describeNetworkError(err) }));
    });
    req.end(body);
  });
}

export async function sendTestEvent(o: SendTestEventOptions): Promise<TestEventReport> {
  const now = o.now ?? Date.now;
  const sentAt = now();
  const hops: TestEventHop[] = [];
  const report = (problem: string | null, eventId: number | null = null): TestEventReport => ({
    ok: problem === null,
    via: o.via,
    sentAt,
    hops,
    eventId,
    problem,
  });
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    return report('the webhook URL is not a URL: copy it again from Setup');
  }
  const r = await post(url, JSON.stringify(testEventBody(undefined, sentAt)), o.timeoutMs ?? 15_000, now);
  if (o.via === 'tunnel' && r.connectedAt !== null) hops.push({ hop: 'tunnel reached', at: r.connectedAt, detail: url.host });
  if (r.status === null) {
    if (o.via === 'local') return report(`the local receiver did not answer (${r.error}): is Hookwatch running?`);
    return report(
      r.connectedAt === null
        ? `the public URL did not answer (${r.error}): check the tunnel on the Health screen`
        : `the tunnel took the request but no answer came back (${r.error}): the tunnel may be reconnecting; try again in a minute`,
    );
  }
  let eventId: number | null = null;
  try {
    const id = (JSON.parse(r.body) as { events?: Array<{ id?: unknown }> }).events?.[0]?.id;
    eventId = typeof id === 'number' ? id : null;
  } catch {
    /* not the receiver's answer: a tunnel's error page */
  }
  if (r.status !== 200 || eventId === null) {
    return report(
      o.via === 'tunnel' && eventId === null && r.status >= 500
        ? `the tunnel answered ${r.status} but the receiver did not: the tunnel may be reconnecting; try again in a minute`
        : `the receiver answered ${r.status} without storing the event: check the URL (its secret) and the Health screen`,
    );
  }
  hops.push({ hop: 'receiver answered', at: now(), detail: `HTTP 200, event ${eventId}` });
  if (o.isStored && !o.isStored(eventId)) return report(`the receiver answered but event ${eventId} is not in the store`, eventId);
  hops.push({ hop: 'stored', at: now(), detail: `event ${eventId}` });
  return report(null, eventId);
}
