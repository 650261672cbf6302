// The tunnel_log table: every tunnel state change, for uptime and outages.
import type { Db } from './db.js';
import { asRow, num, str, strOrNull, type SqlRow } from './hydrate.js';

export interface TunnelLogEntry {
  id: number;
  at: number;
  state: string;
  url: string | null;
  reason: string | null;
}

const T = 'tunnel_log';

export function hydrateTunnelLogEntry(r: SqlRow): TunnelLogEntry {
  return {
    id: num(r, T, 'id'),
    at: num(r, T, 'at'),
    state: str(r, T, 'state'),
    url: strOrNull(r, T, 'url'),
    reason: strOrNull(r, T, 'reason'),
  };
}

export class TunnelLogTable {
  constructor(private readonly db: Db) {}

  record(entry: Omit<TunnelLogEntry, 'id'>): number {
    return Number(
      this.db
        .cached('INSERT INTO tunnel_log (at, state, url, reason) VALUES (?, ?, ?, ?)')
        .run(entry.at, entry.state, entry.url, entry.reason).lastInsertRowid,
    );
  }

  /** The last public URL a tunnel had while up, or null. */
  lastPublicUrl(): string | null {
    const row: unknown = this.db.cached("SELECT url FROM tunnel_log WHERE state = 'up' AND url IS NOT NULL ORDER BY id DESC LIMIT 1").get();
    return row === undefined ? null : strOrNull(asRow(row, T), T, 'url');
  }

  /** Entries since `since` (and the one in force at that moment), oldest first. */
  list(since: number, limit: number): TunnelLogEntry[] {
    return this.db
      .cached(
        `SELECT id, at, state, url, reason FROM tunnel_log WHERE at >= coalesce(
          (SELECT max(at) FROM tunnel_log WHERE at < ?), ?) ORDER BY at, id LIMIT ?`,
      )
      .all(since, since, limit)
      .map((r) => hydrateTunnelLogEntry(asRow(r, T)));
  }

  prune(before: number, batch: number): number {
    return this.db
      .cached('DELETE FROM tunnel_log WHERE id IN (SELECT id FROM tunnel_log WHERE at < ? ORDER BY id LIMIT ?)')
      .run(before, batch).changes;
  }
}
