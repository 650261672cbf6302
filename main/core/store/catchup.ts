// The catch-up tables: receiving marks (start, heartbeat, clean stop), errors_counter samples, gaps with their outcome.
import type { Db } from './db.js';
import { asRow, num, numOrNull, oneOf, parseJsonColumn, str, strOrNull, type SqlRow } from './hydrate.js';

export const RECEIVING_MARK_KINDS = ['start', 'heartbeat', 'clean-stop'] as const;
export type ReceivingMarkKind = (typeof RECEIVING_MARK_KINDS)[number];

export interface ReceivingMark {
  at: number;
  kind: ReceivingMarkKind;
}

export interface WebhookErrorSample {
  at: number;
  webhookId: string;
  errorsCounter: number;
}

/** One gap as Webhook health lists it; `status` is the engine's (running, done, interrupted, failed, no-token, ...). */
export interface CatchupGapRecord {
  gapKey: string;
  start: number;
  end: number;
  reasons: string[];
  status: string;
  recovered: number;
  chats: number;
  requests: number;
  error: string | null;
  line: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

const M = 'receiving_marks';
const W = 'webhook_error_samples';
const G = 'catchup_gaps';

export function hydrateReceivingMark(r: SqlRow): ReceivingMark {
  return { at: num(r, M, 'at'), kind: oneOf(r, M, 'kind', RECEIVING_MARK_KINDS) };
}

export function hydrateWebhookErrorSample(r: SqlRow): WebhookErrorSample {
  return { at: num(r, W, 'at'), webhookId: str(r, W, 'webhook_id'), errorsCounter: num(r, W, 'errors_counter') };
}

export function hydrateCatchupGap(r: SqlRow): CatchupGapRecord {
  const reasons = parseJsonColumn(r, G, 'reasons');
  return {
    gapKey: str(r, G, 'gap_key'),
    start: num(r, G, 'start'),
    end: num(r, G, 'end'),
    reasons: Array.isArray(reasons) ? reasons.filter((x): x is string => typeof x === 'string') : [],
    status: str(r, G, 'status'),
    recovered: num(r, G, 'recovered'),
    chats: num(r, G, 'chats'),
    requests: num(r, G, 'requests'),
    error: strOrNull(r, G, 'error'),
    line: strOrNull(r, G, 'line'),
    startedAt: numOrNull(r, G, 'started_at'),
    finishedAt: numOrNull(r, G, 'finished_at'),
  };
}

export class CatchupTables {
  constructor(private readonly db: Db) {}

  mark(kind: ReceivingMarkKind, at: number): void {
    this.db.cached('INSERT INTO receiving_marks (at, kind) VALUES (?, ?)').run(at, kind);
  }

  /** Marks since `since`, oldest first (detectGaps' heartbeats, starts and clean stops). */
  marks(since: number): ReceivingMark[] {
    return this.db
      .cached('SELECT at, kind FROM receiving_marks WHERE at >= ? ORDER BY at, id')
      .all(since)
      .map((r) => hydrateReceivingMark(asRow(r, M)));
  }

  /** Stores a sample only when the counter changed for that webhook: a flat counter needs no history. */
  sampleErrors(sample: WebhookErrorSample): boolean {
    const last: unknown = this.db
      .cached('SELECT at, webhook_id, errors_counter FROM webhook_error_samples WHERE webhook_id = ? ORDER BY id DESC LIMIT 1')
      .get(sample.webhookId);
    if (last !== undefined && hydrateWebhookErrorSample(asRow(last, W)).errorsCounter === sample.errorsCounter) return false;
    this.db
      .cached('INSERT INTO webhook_error_samples (at, webhook_id, errors_counter) VALUES (?, ?, ?)')
      .run(sample.at, sample.webhookId, sample.errorsCounter);
    return true;
  }

  errorSamples(since: number): WebhookErrorSample[] {
    return this.db
      .cached('SELECT at, webhook_id, errors_counter FROM webhook_error_samples WHERE at >= ? ORDER BY at, id')
      .all(since)
      .map((r) => hydrateWebhookErrorSample(asRow(r, W)));
  }

  /** Inserts or updates a gap's row (a resumed run updates the same key). */
  saveGap(g: CatchupGapRecord): void {
    this.db
      .cached(
        `INSERT INTO catchup_gaps (gap_key, start, end, reasons, status, recovered, chats, requests, error, line, started_at, finished_at)
          VALUES (@gapKey, @start, @end, @reasons, @status, @recovered, @chats, @requests, @error, @line, @startedAt, @finishedAt)
          ON CONFLICT (gap_key) DO UPDATE SET status = excluded.status, recovered = excluded.recovered, chats = excluded.chats,
            requests = excluded.requests, error = excluded.error, line = excluded.line,
            started_at = coalesce(catchup_gaps.started_at, excluded.started_at), finished_at = excluded.finished_at`,
      )
      .run({ ...g, reasons: JSON.stringify(g.reasons) });
  }

  getGap(gapKey: string): CatchupGapRecord | null {
    const row: unknown = this.db.cached(`SELECT * FROM catchup_gaps WHERE gap_key = ?`).get(gapKey);
    return row === undefined ? null : hydrateCatchupGap(asRow(row, G));
  }

  /** The latest gaps, newest first. */
  listGaps(limit = 50): CatchupGapRecord[] {
    return this.db
      .cached('SELECT * FROM catchup_gaps ORDER BY start DESC LIMIT ?')
      .all(limit)
      .map((r) => hydrateCatchupGap(asRow(r, G)));
  }

  /** Drops marks and samples older than `before` (gaps are kept: they are the health history). */
  prune(before: number): number {
    return (
      this.db.cached('DELETE FROM receiving_marks WHERE at < ?').run(before).changes +
      this.db.cached('DELETE FROM webhook_error_samples WHERE at < ?').run(before).changes
    );
  }
}
