// Retention settings and the scheduled clean-up of old events and delivery-log rows.
import type { HookwatchStore } from './store/store.js';

const DAY = 24 * 60 * 60 * 1000;

export interface RetentionSettings {
  /** Events older than this many days are deleted; 0 keeps them forever. */
  eventDays: number;
  /** Delivery-log rows (not raw requests of kept events) older than this are deleted; 0 keeps them. */
  deliveryLogDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { eventDays: 90, deliveryLogDays: 10 };

export function readRetention(store: HookwatchStore): RetentionSettings {
  // A value that is not a whole number of days (edited by hand) reads as absent: the default applies.
  return {
    eventDays: store.meta.get('retentionEventDays') ?? DEFAULT_RETENTION.eventDays,
    deliveryLogDays: store.meta.get('retentionDeliveryLogDays') ?? DEFAULT_RETENTION.deliveryLogDays,
  };
}

export function writeRetention(store: HookwatchStore, settings: Partial<RetentionSettings>): RetentionSettings {
  for (const [key, value] of [
    ['retentionEventDays', settings.eventDays],
    ['retentionDeliveryLogDays', settings.deliveryLogDays],
  ] as const) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 36500)
      throw new RangeError(`retention must be a whole number of days from 0 to 36500, got ${value}`);
    store.meta.set(key, value);
  }
  return readRetention(store);
}

/**
 * Deletes what retention says is old, in small transactions with a pause between them so the
 * receiver keeps answering within the providers' 5 s window while a large backlog goes.
 */
export async function pruneOld(
  store: HookwatchStore,
  now = Date.now(),
  onProgress?: (deleted: { events: number; deliveries: number }) => void,
): Promise<{ events: number; deliveries: number }> {
  const r = readRetention(store);
  const eventsBefore = r.eventDays > 0 ? now - r.eventDays * DAY : null;
  const deliveriesBefore = r.deliveryLogDays > 0 ? now - r.deliveryLogDays * DAY : null;
  // Alert history and the tunnel log: a year, or as long as events if that is longer (0 = forever).
  const historyBefore = r.eventDays > 0 ? now - Math.max(r.eventDays, 365) * DAY : null;
  const total = { events: 0, deliveries: 0 };
  for (;;) {
    const step = store.pruneStep(eventsBefore, deliveriesBefore, 2000, historyBefore);
    total.events += step.events;
    total.deliveries += step.deliveries;
    if (step.events === 0 && step.deliveries === 0) return total;
    onProgress?.(total);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Keeps the full-text index and the account and chat lookups following the events in batches (see
 * HookwatchStore.indexSearch; the receiver's commits write neither: filters read the rows not yet indexed
 * from the events table, and a search indexes them first) without
 * waking an idle app: a batch is armed by `eventsStored()` (the receiver's commits) and runs `delayMs`
 * later, and again while events keep coming; with no traffic no timer runs but a slow backstop, which
 * opens no transaction when nothing is new (events written by other paths, e.g. a catch-up, still get
 * indexed; every search indexes the tail first anyway).
 */
export class SearchIndexScheduler {
  private timer: NodeJS.Timeout | null = null;
  private readonly backstop: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly indexBatch: () => number,
    private readonly delayMs = 250,
    backstopMs = 30_000,
  ) {
    this.backstop = setInterval(() => this.run(), backstopMs);
    this.backstop.unref();
  }

  /** Events were committed: index them within `delayMs` (one timer however many arrive meanwhile). */
  eventsStored(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A full batch means more may be waiting: come back after the same pause rather than loop here.
      if (this.run() > 0) this.eventsStored();
    }, this.delayMs);
    this.timer.unref();
  }

  private run(): number {
    return this.indexBatch();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    clearInterval(this.backstop);
  }
}
