// Benchmark: history reads over a million stored events (newest page, by account, full-text search).
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { blankEvent, type NormalizedEvent } from '../main/core/events.js';
import { HookwatchStore, type DeliveryRecord } from '../main/core/store/store.js';
import { messagePayload, percentile, round } from './common.js';

const WORDS = [
  'order',
  'shipped',
  'delivery',
  'invoice',
  'refund',
  'thanks',
  'price',
  'tomorrow',
  'address',
  'tracking',
  'hello',
  'payment',
  'receipt',
  'discount',
  'question',
  'support',
];

/** Fills a store with `total` realistic events through the real ingest path, in large transactions. */
export function seedHistory(store: HookwatchStore, total: number, onProgress?: (done: number) => void): void {
  const batch = 20_000;
  const start = Date.now() - total * 1000; // one event a second, ending now
  for (let base = 0; base < total; base += batch) {
    store.transaction(() => {
      for (let i = base; i < Math.min(total, base + batch); i++) {
        const body = messagePayload(`seed-${i}`, i);
        const d: DeliveryRecord = {
          receivedAt: start + i * 1000,
          method: 'POST',
          path: '/hooks/{secret}',
          forcedProvider: null,
          remoteAddr: '127.0.0.1',
          status: 200,
          reason: null,
          latencyMs: 1,
          size: body.length,
          contentType: 'application/json',
          headers: { 'content-type': 'application/json', 'user-agent': 'TimelinesAI-Webhooks' },
          body: Buffer.from(body),
          bodyTruncated: false,
        };
        const account = `+1555555${String(100 + (i % 20)).padStart(4, '0')}`;
        const e: NormalizedEvent = {
          ...blankEvent(
            'timelines',
            'timelines.v2',
            i % 50 === 0 ? 'whatsapp:account:disconnected' : i % 2 ? 'message:received:new' : 'message:sent:new',
            `uid:seed-${i}`,
          ),
          accountPhone: account,
          chatId: String(4800000 + (i % 500)),
          chatName: `Customer ${i % 500}`,
          chatPhone: `+1555${String(5500000 + (i % 500)).padStart(7, '0')}`,
          messageUid: `seed-${i}`,
          direction: i % 2 ? 'received' : 'sent',
          // ~16 common words spread evenly; "zanzibar" in one event of 100k.
          text: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} message ${i}${i % 100_000 === 7 ? ' zanzibar' : ''}`,
          occurredAt: start + i * 1000 - 500,
        };
        store.ingest(d, [e]);
      }
    });
    onProgress?.(Math.min(total, base + batch));
  }
}

function time(fn: () => unknown, runs = 50): { medianMs: number; p95Ms: number; rows: number } {
  let rows = 0;
  fn(); // warm the statement and the page cache
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = fn();
    ms.push(performance.now() - t);
    rows = Array.isArray(r) ? r.length : rows;
  }
  ms.sort((a, b) => a - b);
  return { medianMs: round(percentile(ms, 50), 3), p95Ms: round(percentile(ms, 95), 3), rows };
}

export async function benchHistory(total = 1_000_000, log: (line: string) => void = () => {}): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwatch-history-'));
  const file = join(dir, 'hookwatch.sqlite3');
  try {
    const store = HookwatchStore.open(file, { durability: 'normal' });
    const t0 = performance.now();
    let lastLog = 0;
    seedHistory(store, total, (done) => {
      if (performance.now() - lastLog > 5000 || done === total) {
        lastLog = performance.now();
        log(`history: seeded ${done.toLocaleString('en')} of ${total.toLocaleString('en')} events`);
      }
    });
    const seedSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    while (store.indexSearch(50_000) > 0) {
      /* the full-text index follows in batches, as in the running app */
    }
    const indexSeconds = (performance.now() - t1) / 1000;
    store.checkpointAndAnalyze();
    const size = statSync(file).size + (existsSync(file + '-wal') ? statSync(file + '-wal').size : 0);

    const middle = Math.floor(total / 2);
    const results = {
      newestPage: time(() => store.listEvents({ limit: 50 })),
      deepPage: time(() => store.listEvents({ limit: 50, beforeId: middle })),
      byAccount: time(() => store.listEvents({ account: '+15555550105', limit: 50 })),
      byChat: time(() => store.listEvents({ chat: '4800042', limit: 50 })),
      byType: time(() => store.listEvents({ type: 'whatsapp:account:disconnected', limit: 50 })),
      searchCommonWord: time(() => store.listEvents({ search: 'shipped', limit: 50 })),
      searchRareWord: time(() => store.listEvents({ search: 'zanzibar', limit: 50 })),
      searchTwoWords: time(() => store.listEvents({ search: 'refund invoice', limit: 50 })),
      searchWithAccount: time(() => store.listEvents({ search: 'refund', account: '+15555550105', limit: 50 })),
      eventDetail: time(() => store.getEvent(middle)),
    };
    store.close();
    return {
      events: total,
      seedSeconds: round(seedSeconds, 1),
      searchIndexSeconds: round(indexSeconds, 1),
      databaseMiB: round(size / 1024 / 1024, 1),
      bytesPerEvent: Math.round(size / total),
      queries: results,
      targets: { newestPageMs: 5, byAccountMs: 10, searchMs: 50 },
      met:
        results.newestPage.p95Ms < 5 &&
        results.byAccount.p95Ms < 10 &&
        Math.max(results.searchCommonWord.p95Ms, results.searchRareWord.p95Ms, results.searchTwoWords.p95Ms) < 50,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
