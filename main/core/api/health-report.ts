// The Health screen's report: deliveries per provider and type over the window, read once and then kept up to date.
import type { CatchupHealth, HealthReport, HealthRow, ProviderId } from '../../contract/api.js';
import type { CatchupState } from '../catchup/service.js';
import type { CatchupGapRecord } from '../store/store.js';
import { HOUR_MS, latencyOfBin, type DeliveryAnswerRow, type DeliveryBucketRow } from '../store/health.js';
import type { HookwatchStore } from '../store/store.js';

export const HEALTH_WINDOW_DAYS = 10;
const WINDOW_HOURS = HEALTH_WINDOW_DAYS * 24;
const PROVIDER_ORDER = ['timelines', 'whatsable', 'unknown', 'unmatched'];

interface Accumulator {
  hourly: Map<number, number>;
  deliveries: number;
  rejected: number;
  lastId: number;
  bins: Map<number, number>;
}

function accumulator(): Accumulator {
  return { hourly: new Map(), deliveries: 0, rejected: 0, lastId: 0, bins: new Map() };
}

function add(acc: Accumulator, r: DeliveryBucketRow): void {
  acc.hourly.set(r.hour, (acc.hourly.get(r.hour) ?? 0) + r.deliveries);
  acc.deliveries += r.deliveries;
  acc.rejected += r.rejected;
  acc.lastId = Math.max(acc.lastId, r.lastId);
  acc.bins.set(r.latencyBin, (acc.bins.get(r.latencyBin) ?? 0) + r.deliveries);
}

/** The latency below which `p` of the deliveries fall, from a log-scale histogram; null when empty. */
export function percentileOfBins(bins: ReadonlyMap<number, number>, p: number): number | null {
  const sorted = [...bins.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bin, n] of sorted) {
    seen += n;
    if (seen >= rank) return latencyOfBin(bin);
  }
  return latencyOfBin(sorted[sorted.length - 1]![0]);
}

function rowOf(
  provider: HealthRow['provider'],
  eventType: string | null,
  acc: Accumulator,
  currentHour: number,
  answers: ReadonlyMap<number, DeliveryAnswerRow>,
): HealthRow {
  const hourly24h: number[] = [];
  for (let h = currentHour - 23; h <= currentHour; h++) hourly24h.push(acc.hourly.get(h) ?? 0);
  const last = answers.get(acc.lastId);
  return {
    provider,
    eventType,
    hourly24h,
    deliveries10d: acc.deliveries,
    rejected10d: acc.rejected,
    rejectedShare: acc.deliveries > 0 ? acc.rejected / acc.deliveries : null,
    last: last ? { id: last.id, at: last.receivedAt, status: last.status, reason: last.reason, latencyMs: last.latencyMs } : null,
    latency: { p50Ms: percentileOfBins(acc.bins, 0.5), p95Ms: percentileOfBins(acc.bins, 0.95) },
  };
}

function asProvider(p: string): Exclude<HealthRow['provider'], 'all'> {
  return p === 'timelines' || p === 'whatsable' || p === 'unmatched' ? p : ('unknown' satisfies ProviderId);
}

/**
 * Health per provider and event type from hourly delivery buckets: a pure function of the buckets,
 * the answers of each group's last delivery, and the current time.
 */
export function buildHealthFigures(
  buckets: readonly DeliveryBucketRow[],
  answers: ReadonlyMap<number, DeliveryAnswerRow>,
  now: number,
): Pick<HealthReport, 'generatedAt' | 'windowDays' | 'total' | 'providers'> {
  const currentHour = Math.floor(now / HOUR_MS);
  const firstHour = currentHour - WINDOW_HOURS + 1;
  const total = accumulator();
  const byProvider = new Map<string, { summary: Accumulator; types: Map<string | null, Accumulator> }>();
  for (const r of buckets) {
    if (r.hour < firstHour || r.hour > currentHour) continue;
    add(total, r);
    const provider = asProvider(r.provider);
    let p = byProvider.get(provider);
    if (!p) byProvider.set(provider, (p = { summary: accumulator(), types: new Map() }));
    add(p.summary, r);
    let t = p.types.get(r.eventType);
    if (!t) p.types.set(r.eventType, (t = accumulator()));
    add(t, r);
  }
  const providers = [...byProvider.entries()]
    .sort((a, b) => PROVIDER_ORDER.indexOf(a[0]) - PROVIDER_ORDER.indexOf(b[0]))
    .map(([name, p]) => {
      const provider = asProvider(name);
      return {
        provider,
        summary: rowOf(provider, null, p.summary, currentHour, answers),
        types: [...p.types.entries()]
          .sort((a, b) => b[1].deliveries - a[1].deliveries || String(a[0]).localeCompare(String(b[0])))
          .map(([type, acc]) => rowOf(provider, type, acc, currentHour, answers)),
      };
    });
  return { generatedAt: now, windowDays: HEALTH_WINDOW_DAYS, total: rowOf('all', null, total, currentHour, answers), providers };
}

/** Every group's last delivery id, so their answers can be looked up. */
export function lastDeliveryIds(buckets: readonly DeliveryBucketRow[], now: number): number[] {
  const firstHour = Math.floor(now / HOUR_MS) - WINDOW_HOURS + 1;
  const last = new Map<string, number>();
  let overall = 0;
  for (const r of buckets) {
    if (r.hour < firstHour) continue;
    for (const key of [r.provider, `${r.provider}\u0000${r.eventType ?? ''}`]) last.set(key, Math.max(last.get(key) ?? 0, r.lastId));
    overall = Math.max(overall, r.lastId);
  }
  return [...new Set([...last.values(), overall])].filter((id) => id > 0);
}

/**
 * Keeps hourly delivery buckets for the health window. An hour that is over never changes, so it is
 * read once; each refresh reads only the last two hours (a delivery stamped just before the hour
 * turned may commit just after). The first refresh reads the whole window a day at a time, yielding
 * between days so the receiver keeps answering within the providers' 5 s.
 *
 * Retention deleting old delivery-log rows does not change hours already read: health shows what
 * happened, and the window (10 days) matches the default log retention anyway.
 */
export class DeliveryHealthCache {
  private readonly settled = new Map<number, DeliveryBucketRow[]>();
  private refreshing: Promise<DeliveryBucketRow[]> | null = null;

  constructor(private readonly store: HookwatchStore) {}

  /** Drops every cached hour (the delivery log was changed behind our back, e.g. in tests). */
  reset(): void {
    this.settled.clear();
  }

  async report(now: number): Promise<Pick<HealthReport, 'generatedAt' | 'windowDays' | 'total' | 'providers'>> {
    const buckets = await this.buckets(now);
    const ids = lastDeliveryIds(buckets, now);
    const answers = new Map(this.store.health.deliveryAnswers(ids).map((a) => [a.id, a]));
    return buildHealthFigures(buckets, answers, now);
  }

  private buckets(now: number): Promise<DeliveryBucketRow[]> {
    // Concurrent callers share one read; the first (window-wide) read must not run twice.
    this.refreshing ??= this.read(now).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async read(now: number): Promise<DeliveryBucketRow[]> {
    const currentHour = Math.floor(now / HOUR_MS);
    const firstHour = currentHour - WINDOW_HOURS + 1;
    const settledBefore = currentHour - 1;
    for (const hour of this.settled.keys()) if (hour < firstHour) this.settled.delete(hour);
    let hour = firstHour;
    while (hour < settledBefore) {
      if (this.settled.has(hour)) {
        hour++;
        continue;
      }
      let end = hour;
      while (end < settledBefore && end - hour < 24 && !this.settled.has(end)) end++;
      const rows = this.store.health.deliveryBuckets(hour * HOUR_MS, end * HOUR_MS);
      for (let h = hour; h < end; h++) this.settled.set(h, []);
      for (const r of rows) this.settled.get(r.hour)?.push(r);
      hour = end;
      if (hour < settledBefore) await new Promise((resolve) => setImmediate(resolve));
    }
    const recent = this.store.health.deliveryBuckets(settledBefore * HOUR_MS, (currentHour + 1) * HOUR_MS);
    const out: DeliveryBucketRow[] = [];
    for (const rows of this.settled.values()) out.push(...rows);
    out.push(...recent);
    return out;
  }
}

/** Catch-up's part of Webhook health: the run in progress (from the service) and the latest gaps (from the store). */
export function catchupHealthOf(state: CatchupState, gaps: readonly CatchupGapRecord[]): CatchupHealth {
  const r = state.running;
  return {
    running: r
      ? {
          gapStart: r.gap.start,
          gapEnd: r.gap.end,
          reason: r.gap.reason,
          phase: r.phase,
          chatsFound: r.chatsFound,
          chatsDone: r.chatsDone,
          recovered: r.recovered,
          requests: r.requests,
          startedAt: r.startedAt,
        }
      : null,
    queued: state.queued,
    limits: { daysBack: state.limits.daysBack, maxChats: state.limits.maxChats },
    gaps: gaps.map((g) => ({
      key: g.gapKey,
      start: g.start,
      end: g.end,
      reasons: [...g.reasons],
      // A row left `running` by a run that is not running now was cut short (the app quit or crashed): it resumes at the next start.
      status: g.status === 'running' && r?.gapKey !== g.gapKey ? 'interrupted' : g.status,
      recovered: g.recovered,
      chats: g.chats,
      requests: g.requests,
      error: g.error,
      line: g.line,
      finishedAt: g.finishedAt,
    })),
  };
}
