import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankEvent } from '../../main/core/events.js';
import { WorkerWriter, writerWorkerScript } from '../../main/core/receiver/writer.js';
import { HookwatchStore, type DeliveryRecord } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';

let tmp: ReturnType<typeof tempDir>;
let store: HookwatchStore;
let writer: WorkerWriter;
beforeEach(() => {
  tmp = tempDir();
  store = HookwatchStore.open(join(tmp.dir, 'w.sqlite3'));
  const script = writerWorkerScript();
  if (!script) throw new Error('run `npm run build` first: the writer thread runs compiled code');
  writer = new WorkerWriter(store.file, 'full', script);
});
afterEach(async () => {
  await writer.close();
  store.close();
  tmp.cleanup();
});

const delivery = (n: number, body = '{"n":1}'): DeliveryRecord => ({
  receivedAt: 1_700_000_000_000 + n,
  method: 'POST',
  path: '/hooks/{secret}',
  forcedProvider: null,
  remoteAddr: null,
  status: 200,
  reason: null,
  latencyMs: 0,
  size: body.length,
  contentType: null,
  headers: { a: 'b' },
  body: Buffer.from(body),
  bodyTruncated: false,
});
const event = (uid: string) => ({
  ...blankEvent('timelines', 'timelines.v2', 'message:new', `uid:${uid}`),
  messageUid: uid,
  text: `text ${uid}`,
});

describe('the writer thread', () => {
  it('commits before it answers; the main connection reads the rows, bytes intact', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => writer.ingest(delivery(n, `{"n":${n},"ü":"\u00fc"}`), [event(`w${n}`)])));
    expect(results.map((r) => r.events[0]!.duplicate)).toEqual([false, false, false]);
    const logged = await writer.log(delivery(4));
    expect(typeof logged.delivery.id).toBe('number');
    expect(logged.events).toEqual([]);
    expect(store.counts()).toEqual({ events: 3, deliveries: 4 });
    const e = store.getEvent(results[1]!.events[0]!.id)!;
    expect(e.request.body!.toString('utf8')).toBe('{"n":2,"ü":"ü"}');
    expect(e.request.headers).toEqual({ a: 'b' });
    const dup = await writer.ingest(delivery(5), [event('w1')]);
    expect(dup.events[0]).toMatchObject({ duplicate: true, deliveryCount: 2 });
  });

  it('one failing job fails alone', async () => {
    const ok = writer.ingest(delivery(1), [event('x1')]);
    const bad = writer.ingest({ ...delivery(2), method: null as unknown as string }, [event('x2')]); // NOT NULL violated
    await expect(ok).resolves.toMatchObject({ events: [{ duplicate: false }] });
    await expect(bad).rejects.toThrow(/NOT NULL/);
    expect(store.listEvents().map((x) => x.messageUid)).toEqual(['x1']);
  });

  it('when the thread dies, writes in flight fail (so the receiver answers 503) and the next write starts a new one', async () => {
    await writer.ingest(delivery(1), [event('y1')]);
    const worker = (writer as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const inFlight = writer.ingest(delivery(2), [event('y2')]);
    await worker.terminate();
    await expect(inFlight).rejects.toThrow(/the database writer stopped/);
    await expect(writer.ingest(delivery(3), [event('y3')])).resolves.toMatchObject({ events: [{ duplicate: false }] });
    expect(store.listEvents().map((x) => x.messageUid)).toContain('y3');
  });
});
