/**
 * Finds the spans when Hookwatch was not receiving webhooks, from what it recorded while it was.
 * Pure: records in, gaps out; the store keeps the records and the core decides when to look.
 *
 * ## What counts as a gap (H = heartbeatMs, the interval at which the running app writes one)
 *
 * | records                                                    | gap                                   | reason         |
 * |------------------------------------------------------------|---------------------------------------|----------------|
 * | a start, a = the last heartbeat or start before it (the    | [a, the start]                        | offline        |
 * | app was started again)                                     |                                       |                |
 * | the same with a clean stop in [a, start) (quit on purpose) | [the stop, the start]                 | stopped        |
 * | heartbeats a, b far apart and no start between them        | [a, b]                                | asleep         |
 * | (the process lived on: the computer slept)                 |                                       |                |
 * | tunnel log: a state other than `up` after an `up`, or a    | [when it left up (or the start), when | tunnel         |
 * | start that reaches `up` only later                         | it was up again]                      |                |
 * | tunnel still not up at `now`                               | [left up, now], open                  | tunnel         |
 * | errors_counter of one webhook rises between two samples    | [the earlier sample, the later one]   | webhook-errors |
 * | the first start ever (no heartbeat before it)              | none: nothing was promised before     |                |
 * | tunnel `off` (switched off, local only)                    | none by itself: receiving through     |                |
 * |                                                            | something else is possible            |                |
 *
 * A gap shorter than `minGapMs` is dropped: TimelinesAI retries a failed delivery twice, so a
 * blip of seconds loses nothing, and each catch-up costs API calls from the monthly quota.
 * Overlapping gaps, or gaps closer than `mergeSlackMs`, merge into one (a restart that first
 * waits for its tunnel is one gap, not two), keeping every reason.
 */

/** `manual`: a span asked for by hand (`hookwatch catch-up --since`), never detected. */
export type GapReason = 'offline' | 'stopped' | 'asleep' | 'tunnel' | 'webhook-errors' | 'manual';

/** The order in which a merged gap names its main reason: what the user most needs to hear. */
const REASON_RANK: readonly GapReason[] = ['offline', 'stopped', 'asleep', 'tunnel', 'webhook-errors', 'manual'];

export interface Gap {
  /** The last instant Hookwatch is known to have been receiving (epoch ms). */
  start: number;
  /** When it was receiving again; for an open gap, `now`. */
  end: number;
  /** The main reason (see REASON_RANK) and every reason that contributed. */
  reason: GapReason;
  reasons: GapReason[];
  /** Still going on at `now` (the tunnel is not up yet): catch up only once it closes. */
  open: boolean;
}

export interface TunnelRecord {
  at: number;
  /** The tunnel log's state: off, connecting, up, degraded, down, reconnecting. */
  state: string;
}

export interface WebhookErrorsRecord {
  at: number;
  /** Which webhook (provider and id): counters of different webhooks are not compared. */
  webhookId: string;
  errorsCounter: number;
}

export interface GapRecords {
  /** Instants at which the running app wrote a heartbeat. */
  heartbeats: readonly number[];
  /** Instants at which the app started. */
  starts: readonly number[];
  /** Instants at which the app stopped cleanly (quit, `serve` stopped by a signal). */
  cleanStops: readonly number[];
  tunnel?: readonly TunnelRecord[];
  webhookErrors?: readonly WebhookErrorsRecord[];
}

export interface GapOptions {
  now: number;
  /** Heartbeat interval. Default 60 s. */
  heartbeatMs?: number;
  /** Heartbeats further apart than this many intervals mean a gap. Default 2.5 (a busy event loop is late, not gone). */
  lateFactor?: number;
  /** Shorter gaps are dropped. Default 60 s. */
  minGapMs?: number;
  /** Gaps closer than this merge. Default 60 s. */
  mergeSlackMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 60_000;

export function detectGaps(records: GapRecords, options: GapOptions): Gap[] {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const late = heartbeatMs * (options.lateFactor ?? 2.5);
  const minGapMs = options.minGapMs ?? 60_000;
  const now = options.now;
  const gaps: Gap[] = [];
  const add = (start: number, end: number, reason: GapReason, open = false) => {
    if (end > start) gaps.push({ start, end, reason, reasons: [reason], open });
  };

  const beats = sorted(records.heartbeats);
  const starts = sorted(records.starts);
  const stops = sorted(records.cleanStops);

  // The app's own life. Each start closes a gap that began at the last sign of life before it (a
  // heartbeat, or an earlier start: a run shorter than one heartbeat interval left only its start),
  // or at the clean stop after that sign.
  const alive = [...beats, ...starts].sort((x, y) => x - y);
  for (const s of starts) {
    let prev: number | undefined;
    for (const t of alive) if (t < s) prev = t;
    if (prev === undefined) continue;
    const stop = stops.find((t) => t >= prev && t < s);
    add(stop ?? prev, s, stop !== undefined ? 'stopped' : 'offline');
  }
  // Heartbeats far apart with no start between them: the process lived on, the computer slept.
  for (let i = 1; i < beats.length; i++) {
    const a = beats[i - 1]!;
    const b = beats[i]!;
    if (b - a > late && !starts.some((s) => s > a && s <= b)) add(a, b, 'asleep');
  }

  // The tunnel: not receiving from when it left `up` until it is up again.
  const tunnel = [...(records.tunnel ?? [])].sort((x, y) => x.at - y.at);
  let downSince: number | null = null;
  let wasUp = false;
  for (const r of tunnel) {
    if (r.state === 'up') {
      if (downSince !== null) add(downSince, r.at, 'tunnel');
      downSince = null;
      wasUp = true;
    } else if (r.state === 'off') {
      // Switched off: the user receives some other way or not at all; either way not our outage.
      downSince = null;
      wasUp = false;
    } else if (downSince === null && (wasUp || r.state === 'connecting')) {
      // After a start (`connecting`), the gap the restart began runs on until the tunnel is up.
      downSince = r.at;
    }
  }
  if (downSince !== null) add(downSince, now, 'tunnel', true);

  // A rising errors_counter: deliveries failed somewhere between two samples of the same webhook.
  const byHook = new Map<string, WebhookErrorsRecord[]>();
  for (const r of records.webhookErrors ?? []) {
    const list = byHook.get(r.webhookId) ?? [];
    list.push(r);
    byHook.set(r.webhookId, list);
  }
  for (const list of byHook.values()) {
    list.sort((x, y) => x.at - y.at);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.errorsCounter > list[i - 1]!.errorsCounter) add(list[i - 1]!.at, list[i]!.at, 'webhook-errors');
    }
  }

  return mergeGaps(gaps, options.mergeSlackMs ?? 60_000).filter((g) => g.open || g.end - g.start >= minGapMs);
}

/** Merges overlapping gaps and gaps closer than `slackMs`; the result is sorted by start. */
export function mergeGaps(gaps: readonly Gap[], slackMs = 0): Gap[] {
  const list = [...gaps].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Gap[] = [];
  for (const g of list) {
    const last = out[out.length - 1];
    if (last && g.start <= last.end + slackMs) {
      if (g.end > last.end) {
        last.end = g.end;
        last.open = g.open;
      } else if (g.end === last.end) {
        last.open = last.open || g.open;
      }
      for (const r of g.reasons) if (!last.reasons.includes(r)) last.reasons.push(r);
      last.reasons.sort((x, y) => REASON_RANK.indexOf(x) - REASON_RANK.indexOf(y));
      last.reason = last.reasons[0]!;
    } else {
      out.push({ ...g, reasons: [...g.reasons] });
    }
  }
  return out;
}

/** A stable key for a gap (for the checkpoint and the gap history): the same gap gives the same key. */
export function gapKey(gap: Pick<Gap, 'start' | 'end'>): string {
  return `${gap.start}-${gap.end}`;
}

function sorted(values: readonly number[]): number[] {
  return [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}
