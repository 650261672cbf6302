import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { normalizeBody } from '../../main/core/providers/registry.js';
import { commitBatch } from '../../main/core/receiver/commit-queue.js';
import { pruneOld, writeRetention } from '../../main/core/retention.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { fixturePayloads, postJson, tempDir } from '../support/harness.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

const fixture = (name: string) => fixturePayloads().find((p) => p.name === name)!.body;
const delivery = (body: string, receivedAt = Date.now()) => ({
  receivedAt,
  method: 'POST',
  path: '/hooks/{secret}',
  forcedProvider: null,
  remoteAddr: null,
  status: 200,
  reason: null,
  latencyMs: 0,
  size: body.length,
  contentType: 'application/json',
  headers: {},
  body: Buffer.from(body),
  bodyTruncated: false,
});
function message(uid: string, text: string) {
  return JSON.stringify({
    event_type: 'message:received:new',
    chat: { chat_id: 1, full_name: 'C', phone: '+15555550123', is_group: false, chat_url: 'x' },
    whatsapp_account: { full_name: 'A', email: 'a@example.com', phone: '+15555550100' },
    message: {
      text,
      direction: 'received',
      origin: 'WhatsApp',
      timestamp: '2025-03-02 15:20:11 +0000',
      message_uid: uid,
      sender: { full_name: 'C' },
      recipient: { full_name: 'A' },
    },
  });
}

describe('after retention deleted everything old', () => {
  it('ids keep growing, so search, alerts and the index stay right (ids were reused once the table was empty)', async () => {
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    const old = Date.now() - 10 * 86_400_000;
    for (let i = 0; i < 5; i++) {
      const b = message(`old-${i}`, `apple ${i}`);
      core.store.ingest(delivery(b, old), normalizeBody(JSON.parse(b)).events);
    }
    core.alerts.afterIngest(['message:received:new']);
    expect(core.store.listEvents({ search: 'apple' })).toHaveLength(5);
    writeRetention(core.store, { eventDays: 1, deliveryLogDays: 1 });
    await pruneOld(core.store);
    const left = core.store.listEvents();
    expect(left.map((e) => e.messageUid)).toEqual(['old-4']); // the newest row stays: it holds the id sequence

    const url = core.receiver.localUrl;
    const fresh = await postJson(url, message('new-1', 'cherry pie'));
    expect(fresh.json.events[0].id).toBeGreaterThan(left[0]!.id);
    expect(core.store.listEvents({ search: 'cherry' }).map((e) => e.messageUid)).toEqual(['new-1']);
    const down = await postJson(url, fixture('tl_account_disconnected.json'));
    expect(down.status).toBe(200);
    expect(core.store.listAlerts().map((a) => a.kind)).toContain('account-down');
    // Later prunes keep the full-text index consistent.
    core.store.rawForTests.prepare('UPDATE events SET received_at = ? WHERE id < ?').run(old, down.json.events[0].id);
    await pruneOld(core.store);
    expect(() => core.store.rawForTests.prepare("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')").run()).not.toThrow();
    await core.stop();
  });
});

describe('alerts when saving fails', () => {
  it('an outage whose save failed is alerted on at the next chance, not skipped for good', async () => {
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    const b = fixture('tl_account_disconnected.json');
    core.store.ingest(delivery(b), normalizeBody(JSON.parse(b)).events);
    const save = core.store.saveAccounts.bind(core.store);
    core.store.saveAccounts = () => {
      throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    };
    expect(() => core.alerts.afterIngest(['whatsapp:account:disconnected'])).toThrow(/locked/);
    expect(core.store.listAlerts()).toEqual([]);
    expect(core.alerts.accounts()).toEqual([]); // nothing learned in memory either
    core.store.saveAccounts = save;
    core.alerts.afterIngest(['whatsapp:account:disconnected']);
    expect(core.store.listAlerts().map((a) => a.kind)).toEqual(['account-down']);
    expect(core.alerts.accounts().map((a) => a.state)).toEqual(['disconnected']);
    await core.stop();
  });
});

describe('a locked database', () => {
  it('fails a whole batch at once instead of waiting out the lock once per job', () => {
    let transactions = 0;
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const store = {
      transaction: () => {
        transactions++;
        throw busy;
      },
    } as unknown as HookwatchStore;
    const outcomes = commitBatch(store, [() => 1, () => 2, () => 3]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false]);
    expect(transactions).toBe(1);
  });

  it('does not stop a read command: opening a current database takes no write lock', () => {
    const file = join(tmp.dir, 'h.sqlite3');
    HookwatchStore.open(file).close();
    const holder = new Database(file);
    holder.prepare('BEGIN IMMEDIATE').run();
    const t = Date.now();
    const reader = HookwatchStore.open(file, { mustExist: true });
    expect(reader.listEvents()).toEqual([]);
    expect(Date.now() - t).toBeLessThan(4000); // the busy timeout is 5 s: we did not wait for the lock
    reader.close();
    holder.prepare('ROLLBACK').run();
    holder.close();
  });
});

describe('the receiver after a rotation in another process', () => {
  it('gives its new URL at once', async () => {
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    const before = core.receiver.localUrl;
    const other = HookwatchStore.open(join(tmp.dir, 'hookwatch.sqlite3'));
    const secret = other.rotateWebhookSecret();
    other.close();
    expect(core.receiver.localUrl).not.toBe(before);
    expect(core.receiver.webhookPath).toBe(`/hooks/${secret}`);
    await core.stop();
    await core.stop(); // a second stop waits for the first, and does not fail
  });
});

describe('a client dripping its headers', () => {
  it('is cut off silently at the header deadline, while a normal connection keeps working', async () => {
    const { connect } = await import('node:net');
    const core = await HookwatchCore.start({
      dataDir: tmp.dir,
      port: 0,
      durability: 'normal',
      log: () => {},
      receiver: { headerDeadlineMs: 400 },
    });
    const { port } = new URL(core.receiver.localUrl);
    const received: string[] = [];
    const sock = connect(Number(port), '127.0.0.1');
    sock.on('data', (d) => received.push(d.toString()));
    const closed = new Promise<number>((resolve) => sock.once('close', () => resolve(Date.now())));
    await new Promise((r) => sock.once('connect', r));
    const started = Date.now();
    const drip = 'POST /hooks/x HTTP/1.1\r\nHost: a\r\nX-Slow: ' + 'y'.repeat(40);
    let i = 0;
    const timer = setInterval(() => (i < drip.length && !sock.destroyed ? sock.write(drip[i++]!) : undefined), 50);
    const at = await closed;
    clearInterval(timer);
    expect(at - started).toBeLessThan(1500); // well before the drip would have finished (2 s)
    expect(received).toEqual([]); // nothing written: no stale 408 for a tunnel to pass on
    // A connection that completed a request is not affected by the deadline afterwards.
    const ok = await postJson(core.receiver.localUrl, message('drip-ok', 'fine'));
    expect(ok.status).toBe(200);
    await core.stop();
  });
});
