// Numbered schema migrations and the function that applies them.
import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';

/**
 * Numbered schema migrations. Each runs in one transaction with the `PRAGMA user_version` bump,
 * so a database is always at exactly one version. Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migration that moved the account and chat lookups into the search-index batches (events.ts reads by it). */
export const LOOKUPS_SCHEMA_VERSION = 8;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'deliveries, events, meta',
    sql: `
      -- Every HTTP request the receiver answered, accepted or rejected: the delivery log and the raw request.
      CREATE TABLE deliveries (
        id              INTEGER PRIMARY KEY,
        received_at     INTEGER NOT NULL,           -- epoch ms
        method          TEXT NOT NULL,
        path            TEXT NOT NULL,              -- with the secret replaced
        forced_provider TEXT,                       -- provider named in the URL, if any
        remote_addr     TEXT,
        status          INTEGER NOT NULL,
        reason          TEXT,
        latency_ms      REAL NOT NULL,
        size            INTEGER NOT NULL,           -- bytes received (or declared, when refused unread)
        content_type    TEXT,
        headers         TEXT NOT NULL,              -- JSON, credentials removed
        body            BLOB,                       -- the bytes as received; capped for rejected requests
        body_truncated  INTEGER NOT NULL DEFAULT 0,
        provider        TEXT,                       -- detected provider of accepted requests
        event_type      TEXT,                       -- type of the first event, for health per type
        event_count     INTEGER NOT NULL DEFAULT 0,
        duplicate       INTEGER NOT NULL DEFAULT 0  -- every event in it had been seen before
      );
      CREATE INDEX deliveries_received_at ON deliveries(received_at);

      -- Normalized events, derived from deliveries; rebuildable by normalizing the raw body again.
      CREATE TABLE events (
        id                INTEGER PRIMARY KEY,
        delivery_id       INTEGER NOT NULL REFERENCES deliveries(id),
        received_at       INTEGER NOT NULL,
        occurred_at       INTEGER,
        provider          TEXT NOT NULL,
        shape             TEXT NOT NULL,
        type              TEXT NOT NULL,
        original_type     TEXT,
        dedupe_key        TEXT NOT NULL,
        delivery_count    INTEGER NOT NULL DEFAULT 1,
        last_delivered_at INTEGER NOT NULL,
        account_phone     TEXT,
        account_id        TEXT,
        account_name      TEXT,
        chat_id           TEXT,
        chat_name         TEXT,
        chat_phone        TEXT,
        message_uid       TEXT,
        direction         TEXT,
        text              TEXT,
        details           TEXT NOT NULL DEFAULT '{}',
        UNIQUE (provider, type, dedupe_key)
      );
      CREATE INDEX events_received_at ON events(received_at);
      CREATE INDEX events_account ON events(account_phone, id);
      CREATE INDEX events_chat ON events(chat_id, id);
      CREATE INDEX events_type ON events(type, id);
      CREATE INDEX events_message_uid ON events(message_uid) WHERE message_uid IS NOT NULL;
      CREATE INDEX events_delivery ON events(delivery_id);

      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'full-text search over events',
    sql: `
      -- External-content FTS5 index kept current by triggers (the Signal Desktop pattern).
      CREATE VIRTUAL TABLE events_fts USING fts5(
        text, chat_name, account_name, chat_phone, account_phone,
        content = 'events', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO events_fts(rowid, text, chat_name, account_name, chat_phone, account_phone)
        SELECT id, text, chat_name, account_name, chat_phone, account_phone FROM events;
      CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
        INSERT INTO events_fts(rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES (new.id, new.text, new.chat_name, new.account_name, new.chat_phone, new.account_phone);
      END;
      CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES ('delete', old.id, old.text, old.chat_name, old.account_name, old.chat_phone, old.account_phone);
      END;
      CREATE TRIGGER events_fts_update AFTER UPDATE OF text, chat_name, account_name, chat_phone, account_phone ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES ('delete', old.id, old.text, old.chat_name, old.account_name, old.chat_phone, old.account_phone);
        INSERT INTO events_fts(rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES (new.id, new.text, new.chat_name, new.account_name, new.chat_phone, new.account_phone);
      END;
    `,
  },
  {
    version: 3,
    name: 'account state, alerts, provider webhook health, tunnel log',
    sql: `
      -- One row per WhatsApp account; record is the full AccountStatus (main/core/alerts/account-status.ts)
      -- including the short history needed to place late events. The columns serve queries.
      CREATE TABLE account_state (
        key        TEXT PRIMARY KEY,        -- E.164 phone, else the provider's account id
        phone      TEXT,
        name       TEXT,
        state      TEXT NOT NULL CHECK (state IN ('connected', 'disconnected', 'suspended', 'unknown')),
        since      INTEGER,
        record     TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );

      -- Alert history: every alert decided, shown or held back, linked to the event that raised it.
      CREATE TABLE alerts (
        id              INTEGER PRIMARY KEY,
        at              INTEGER NOT NULL,
        severity        TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info', 'recovery')),
        kind            TEXT NOT NULL,
        account_key     TEXT,
        account_phone   TEXT,
        chat_id         TEXT,
        title           TEXT NOT NULL,
        text            TEXT NOT NULL,
        event_id        INTEGER REFERENCES events(id) ON DELETE SET NULL,
        count           INTEGER,
        notified        INTEGER NOT NULL CHECK (notified IN (0, 1)),
        suppressed      TEXT CHECK (suppressed IN ('quiet-hours', 'snoozed', 'muted', 'folded')),
        acknowledged_at INTEGER
      );
      CREATE INDEX alerts_at ON alerts(at, id);
      CREATE INDEX alerts_account ON alerts(account_key, id);
      CREATE INDEX alerts_event ON alerts(event_id) WHERE event_id IS NOT NULL;

      -- Our webhooks as the provider last reported them (errors_counter feeds health and alerts).
      CREATE TABLE provider_webhooks (
        provider              TEXT NOT NULL,
        webhook_id            TEXT NOT NULL,
        event_type            TEXT,
        enabled               INTEGER NOT NULL,
        errors_counter        INTEGER NOT NULL,
        points_at_current_url INTEGER NOT NULL,
        chosen                INTEGER NOT NULL,
        checked_at            INTEGER NOT NULL,
        PRIMARY KEY (provider, webhook_id)
      );

      -- Every tunnel state change, for uptime and outages.
      CREATE TABLE tunnel_log (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        state  TEXT NOT NULL,
        url    TEXT,
        reason TEXT
      );
      CREATE INDEX tunnel_log_at ON tunnel_log(at);
    `,
  },
  {
    version: 4,
    name: 'full-text index kept in batches instead of per row',
    sql: `
      -- Indexing each row as it is inserted made FTS5 write (and merge) a new segment on every small
      -- transaction: about a third of the receiver's CPU per request. Rows are now indexed in batches
      -- (HookwatchStore.indexSearch); everything up to meta 'fts_indexed_upto' is in the index, and the
      -- delete/update triggers touch only those rows (an external-content index must never be asked to
      -- delete a row it does not hold).
      DROP TRIGGER events_fts_insert;
      DROP TRIGGER events_fts_delete;
      DROP TRIGGER events_fts_update;
      INSERT INTO meta (key, value) VALUES ('fts_indexed_upto', (SELECT coalesce(max(id), 0) FROM events))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      CREATE TRIGGER events_fts_delete AFTER DELETE ON events
        WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_indexed_upto') BEGIN
        INSERT INTO events_fts(events_fts, rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES ('delete', old.id, old.text, old.chat_name, old.account_name, old.chat_phone, old.account_phone);
      END;
      CREATE TRIGGER events_fts_update AFTER UPDATE OF text, chat_name, account_name, chat_phone, account_phone ON events
        WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_indexed_upto') BEGIN
        INSERT INTO events_fts(events_fts, rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES ('delete', old.id, old.text, old.chat_name, old.account_name, old.chat_phone, old.account_phone);
        INSERT INTO events_fts(rowid, text, chat_name, account_name, chat_phone, account_phone)
        VALUES (new.id, new.text, new.chat_name, new.account_name, new.chat_phone, new.account_phone);
      END;
    `,
  },
  // The team hub (docs/hub.md): outbox, follower inbox, forwarding destinations and their log.
  /**
   * Migration 5, the team hub's tables (their typed access is main/core/store/outbox.ts).
   * Why an outbox: the receiver answers 200 only after its commit, and publishing must never delay or
   * fail that answer. Writing a tiny row in the SAME transaction as the event makes "stored" imply
   * "will be published" (no event can be stored and forgotten, none published that was rolled back);
   * the publisher drains the rows in id order afterwards, at its own pace, and a NATS outage only
   * makes the table longer (the backlog shown in health and status).
   * Events are not copied into the outbox: the row points at the event, and the message (normalized
   * record + raw body) is read from events/deliveries when it is sent, so the receiver's transaction
   * writes about 40 more bytes per event, not the body twice. Account states and incidents change in
   * place, so their rows carry the JSON as it was at that moment.
   */
  {
    version: 5,
    name: 'team hub: outbox, follower inbox, forwarding destinations and log',
    sql: `
    -- Messages waiting to be published to the hub's JetStream stream, in id order.
    CREATE TABLE hub_outbox (
      id         INTEGER PRIMARY KEY,
      kind       TEXT NOT NULL CHECK (kind IN ('event', 'account', 'incident')),
      event_id   INTEGER,                 -- kind 'event': events.id (read when sent)
      type       TEXT NOT NULL,           -- event type, account state or incident kind: the subject's tail
      msg_id     TEXT NOT NULL,           -- Nats-Msg-Id without the workspace (outboxKey): JetStream drops a re-publish
      payload    TEXT,                    -- kinds 'account' and 'incident': the JSON record at that moment
      created_at INTEGER NOT NULL
    );

    -- Follower: hub messages already applied to this database, by message id, so a redelivery
    -- (crash between local commit and ack, or a hub re-publish after its duplicate window) is applied once.
    CREATE TABLE hub_inbox (
      msg_id     TEXT PRIMARY KEY,
      stream_seq INTEGER NOT NULL,
      applied_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX hub_inbox_applied_at ON hub_inbox(applied_at);

    -- Forwarding destinations (hookwatch forward add URL --types LIST). types: JSON array, empty = all.
    CREATE TABLE forward_destinations (
      id         INTEGER PRIMARY KEY,
      url        TEXT NOT NULL,
      types      TEXT NOT NULL DEFAULT '[]',
      created_at INTEGER NOT NULL
    );

    -- Every forwarding attempt: delivered, failed (will retry), parked (gave up after 24 h), skipped.
    CREATE TABLE forward_log (
      id             INTEGER PRIMARY KEY,
      destination_id INTEGER NOT NULL,
      at             INTEGER NOT NULL,
      msg_id         TEXT NOT NULL,
      stream_seq     INTEGER NOT NULL,
      event_type     TEXT,
      attempt        INTEGER NOT NULL,
      outcome        TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'parked')),
      status         INTEGER,
      error          TEXT,
      latency_ms     REAL
    );
    CREATE INDEX forward_log_destination ON forward_log(destination_id, id);
  `,
  },
  {
    version: 6,
    name: 'incidents: one row per outage, folded from alerts',
    sql: `
      -- One account outage, tunnel outage or failing provider webhook is one incident, however many alerts
      -- (flaps) it raised: main/core/alerts/incidents.ts decides; the alert service writes both together.
      CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER,
        flaps INTEGER NOT NULL DEFAULT 0,
        alerts INTEGER NOT NULL DEFAULT 0,
        acknowledged_at INTEGER,
        snoozed_until INTEGER,
        last_alert_id INTEGER
      );
      CREATE INDEX incidents_key ON incidents (key, id);
      CREATE INDEX incidents_open ON incidents (resolved_at, id);
    `,
  },
  {
    version: 7,
    name: 'catch-up: receiving marks, errors_counter samples, gaps with their outcome',
    sql: `
      -- When Hookwatch was last known to be receiving: 'start', 'heartbeat' (every 60 s while receiving)
      -- and 'clean-stop'. A hole in them is a gap catch-up reads back from the provider's API.
      CREATE TABLE receiving_marks (
        id   INTEGER PRIMARY KEY,
        at   INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('start', 'heartbeat', 'clean-stop'))
      );
      CREATE INDEX receiving_marks_at ON receiving_marks(at);

      -- TimelinesAI's errors_counter per webhook over time: a rise means deliveries failed while we thought we were up.
      CREATE TABLE webhook_error_samples (
        id             INTEGER PRIMARY KEY,
        at             INTEGER NOT NULL,
        webhook_id     TEXT NOT NULL,
        errors_counter INTEGER NOT NULL
      );
      CREATE INDEX webhook_error_samples_at ON webhook_error_samples(at);

      -- Each gap and what catch-up made of it, for Webhook health.
      CREATE TABLE catchup_gaps (
        gap_key     TEXT PRIMARY KEY,
        start       INTEGER NOT NULL,
        end         INTEGER NOT NULL,
        reasons     TEXT NOT NULL,
        status      TEXT NOT NULL,
        recovered   INTEGER NOT NULL DEFAULT 0,
        chats       INTEGER NOT NULL DEFAULT 0,
        requests    INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        line        TEXT,
        started_at  INTEGER,
        finished_at INTEGER
      );
      CREATE INDEX catchup_gaps_start ON catchup_gaps(start);
    `,
  },
  {
    version: LOOKUPS_SCHEMA_VERSION,
    name: 'account and chat lookups kept in the search-index batches',
    sql: `
      -- The indexes events(account_phone, id) and events(chat_id, id) rewrote two scattered b-tree pages
      -- on every insert (phones and chat ids arrive in no order), inside the receiver's commit. They become
      -- two small tables filled by the same batches as the full-text index (EventsTable.indexSearch),
      -- sorted, so a batch touches each page once. Everything up to meta 'fts_indexed_upto' is in them;
      -- reads take the newer rows straight from the events table (a short range of its primary key).
      CREATE TABLE events_by_account (
        account_phone TEXT NOT NULL,
        id            INTEGER NOT NULL,
        PRIMARY KEY (account_phone, id)
      ) WITHOUT ROWID;
      CREATE TABLE events_by_chat (
        chat_id TEXT NOT NULL,
        id      INTEGER NOT NULL,
        PRIMARY KEY (chat_id, id)
      ) WITHOUT ROWID;
      INSERT INTO events_by_account (account_phone, id)
        SELECT account_phone, id FROM events
        WHERE account_phone IS NOT NULL AND id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_indexed_upto')
        ORDER BY account_phone, id;
      INSERT INTO events_by_chat (chat_id, id)
        SELECT chat_id, id FROM events
        WHERE chat_id IS NOT NULL AND id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_indexed_upto')
        ORDER BY chat_id, id;
      DROP INDEX events_account;
      DROP INDEX events_chat;
      -- Deleting a row that was never indexed (newer than the watermark) deletes nothing: no condition needed.
      CREATE TRIGGER events_lookup_delete AFTER DELETE ON events BEGIN
        DELETE FROM events_by_account WHERE account_phone = old.account_phone AND id = old.id;
        DELETE FROM events_by_chat WHERE chat_id = old.chat_id AND id = old.id;
      END;
      -- Nothing changes these columns today; if something does, the lookups follow (indexed rows only).
      CREATE TRIGGER events_lookup_update AFTER UPDATE OF account_phone, chat_id ON events
        WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_indexed_upto') BEGIN
        DELETE FROM events_by_account WHERE account_phone = old.account_phone AND id = old.id;
        DELETE FROM events_by_chat WHERE chat_id = old.chat_id AND id = old.id;
        INSERT OR IGNORE INTO events_by_account (account_phone, id) SELECT new.account_phone, new.id WHERE new.account_phone IS NOT NULL;
        INSERT OR IGNORE INTO events_by_chat (chat_id, id) SELECT new.chat_id, new.id WHERE new.chat_id IS NOT NULL;
      END;
    `,
  },
  {
    version: 9,
    name: 'alerts: when the change they tell of happened',
    sql: `
      -- An alert's at is when Hookwatch decided it; occurred_at is when the change happened by the provider's
      -- clock (an account event's own time), which is earlier for a late delivery or a catch-up after sleep.
      -- Incidents open and resolve at occurred_at, so their times and the uptime agree with the status strip.
      ALTER TABLE alerts ADD COLUMN occurred_at INTEGER;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings a database up to `upTo` (default: the latest), one migration per IMMEDIATE transaction with its
 * `user_version` bump. Refuses a database written by a newer Hookwatch rather than guess at its tables.
 */
export function migrate(db: Database.Database, upTo = LATEST_SCHEMA_VERSION): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      `the database was written by a newer Hookwatch (schema ${current}; this build knows up to ${LATEST_SCHEMA_VERSION}). ` +
        'Upgrade Hookwatch, or point --data at another folder.',
    );
  }
  // Already current: no write lock (a read command must not wait on a busy writer, nor fail on a read-only copy).
  if (current >= upTo) return;
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    // IMMEDIATE: a second process starting at the same moment waits, then sees the new version and skips.
    db.transaction(() => {
      const now = Number(db.pragma('user_version', { simple: true }));
      if (m.version <= now) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
