// Sends one clearly marked test event through the public URL (or the local receiver) and times each hop.
import { randomUUID } from 'node:crypto';

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
  let res: Response;
  try {
    res = await fetch(o.url, {
      method: 'POST',
      // localtunnel shows a reminder page to browsers without this header.
      headers: { 'content-type': 'application/json', 'bypass-tunnel-reminder': '1', 'user-agent': 'hookwatch-test' },
      body: JSON.stringify(testEventBody(undefined, sentAt)),
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const why =
      (err as Error).name === 'TimeoutError'
        ? 'no answer in time'
        : ((err as { cause?: { code?: string } }).cause?.code ?? 'network error');
    return report(
      o.via === 'tunnel'
        ? `the public URL did not answer (${why}): check the tunnel on the Health screen`
        : `the local receiver did not answer (${why}): is Hookwatch running?`,
    );
  }
  if (o.via === 'tunnel') hops.push({ hop: 'tunnel reached', at: now(), detail: `HTTP ${res.status}` });
  const text = await res.text().catch(() => '');
  let eventId: number | null = null;
  try {
    const id = (JSON.parse(text) as { events?: Array<{ id?: unknown }> }).events?.[0]?.id;
    eventId = typeof id === 'number' ? id : null;
  } catch {
    /* not the receiver's answer */
  }
  if (res.status !== 200 || eventId === null) {
    return report(
      o.via === 'tunnel' && res.status >= 500
        ? `the tunnel answered ${res.status} but the receiver did not: the tunnel may be reconnecting; try again in a minute`
        : `the receiver answered ${res.status} without storing the event: check the URL (its secret) and the Health screen`,
    );
  }
  hops.push({ hop: 'receiver answered', at: now(), detail: `HTTP 200, event ${eventId}` });
  if (o.isStored && !o.isStored(eventId)) return report(`the receiver answered but event ${eventId} is not in the store`, eventId);
  hops.push({ hop: 'stored', at: now(), detail: `event ${eventId}` });
  return report(null, eventId);
}
