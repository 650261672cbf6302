// Every mapper from a stored record to what leaves Hookwatch: the feed's summary and detail, export rows, CLI rows.
import type { AccountObservation, AccountStatus } from '../alerts/account-status.js';
import type { AccountSeenRow } from '../store/health.js';
import type { EventDetail as StoredEventDetail, ProviderWebhookHealth, StoredAlert, StoredDelivery, StoredEvent } from '../store/store.js';
import type { Incident } from '../store/incidents.js';
import { isoOrNull } from '../time.js';
import {
  type IncidentView,
  PROVIDER_IDS,
  type AccountCard,
  type AccountOutage,
  type AccountSeen,
  type AlertView,
  type DeliveryLogEntry,
  type EventDetailView,
  type EventSummary,
  type JsonValue,
  type ProviderId,
  type RegisteredWebhook,
} from '../../contract/api.js';
import { eventGroup } from '../../contract/events.js';

/**
 * One function per shape, so the live feed and a page read from the store show an event the same way,
 * and the dashboard's export and `hookwatch events` write the same columns. Nothing here reads the
 * database or decides a filter: records in, plain data out.
 */

const FEED_TEXT_MAX = 300;
const NOTE_MAX = 200;
const DAY = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Events

/**
 * What a summary is made of: the store's record, whether read back (a page) or just committed (the live
 * feed). Both paths call `summaryOf`, so a row looks the same before and after a reload.
 */
export type EventRecord = Pick<
  StoredEvent,
  | 'id'
  | 'receivedAt'
  | 'occurredAt'
  | 'provider'
  | 'type'
  | 'accountPhone'
  | 'accountId'
  | 'accountName'
  | 'chatId'
  | 'chatName'
  | 'chatPhone'
  | 'direction'
  | 'text'
  | 'deliveryCount'
  | 'details'
>;

function cut(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  return text.slice(0, max - 1) + '…';
}

/** One feed row. */
export function summaryOf(e: EventRecord): EventSummary {
  return {
    id: e.id,
    receivedAt: e.receivedAt,
    occurredAt: e.occurredAt,
    provider: e.provider,
    type: e.type,
    group: eventGroup(e.type),
    accountPhone: e.accountPhone,
    accountId: e.accountId,
    accountName: e.accountName,
    chatId: e.chatId,
    chatName: e.chatName,
    chatPhone: e.chatPhone,
    direction: e.direction,
    text: cut(e.text, FEED_TEXT_MAX),
    note: e.text ? null : cut(eventNote(e.details), NOTE_MAX),
    deliveryCount: e.deliveryCount,
    recovered: isRecoveredDetails(e.details),
  };
}

/** Catch-up marks what it read back from the API with `details.recovered` (main/core/catchup/recovered.ts). */
function isRecoveredDetails(details: Record<string, unknown>): boolean {
  const r = details.recovered;
  return typeof r === 'object' && r !== null && !Array.isArray(r);
}

function field(v: unknown, key: string): string | null {
  if (v === null || typeof v !== 'object') return null;
  const x = (v as Record<string, unknown>)[key];
  return typeof x === 'string' && x !== '' ? x : null;
}

/** One line that says what an event without text was about, from its normalized details. */
export function eventNote(details: Record<string, unknown>): string | null {
  const parts: string[] = [];
  const who = (v: unknown) => field(v, 'name') ?? field(v, 'email');
  const status = typeof details.status === 'string' ? details.status : null;
  if (status) parts.push(`status: ${status}`);
  if (typeof details.state === 'string') parts.push(`state: ${details.state}`);
  const responsible = who(details.responsible);
  if (responsible) parts.push(`assigned to ${responsible}`);
  const previous = who(details.previousResponsible);
  if (previous) parts.push(`previously ${previous}`);
  const call = details.call;
  if (call && typeof call === 'object') {
    const c = call as { status?: unknown; durationSeconds?: unknown; isVideo?: unknown };
    parts.push(
      [
        c.isVideo === true ? 'video call' : 'call',
        typeof c.status === 'string' ? c.status : null,
        typeof c.durationSeconds === 'number' ? `${c.durationSeconds} s` : null,
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
  const reaction = details.reaction;
  if (reaction && typeof reaction === 'object')
    parts.push(
      [field(reaction, 'action'), field(reaction, 'emoji'), field(reaction, 'reactor') ? `by ${field(reaction, 'reactor')}` : null]
        .filter(Boolean)
        .join(' '),
    );
  const template = details.template;
  if (template && typeof template === 'object')
    parts.push(`template ${field(template, 'name') ?? ''} ${field(template, 'status') ?? ''}`.trim());
  const failure = field(details.failure, 'title');
  if (failure) parts.push(`failed: ${failure}`);
  if (Array.isArray(details.labels) && details.labels.length) parts.push(`labels: ${details.labels.join(', ')}`);
  return parts.length ? parts.join(' · ') : null;
}

/** The detail pane's view of a stored event with its request. */
export function eventDetailViewOf(d: StoredEventDetail): EventDetailView {
  const body = d.request.body;
  return {
    event: {
      ...summaryOf(d),
      text: d.text,
      originalType: d.originalType,
      shape: d.shape,
      messageUid: d.messageUid,
      lastDeliveredAt: d.lastDeliveredAt,
      deliveryId: d.deliveryId,
      details: d.details as { [key: string]: JsonValue },
    },
    request: {
      method: d.request.method,
      path: d.request.path,
      forcedProvider: d.request.forcedProvider,
      contentType: d.request.headers['content-type'] ?? null,
      headers: d.request.headers,
      bodyText: body ? body.toString('utf8') : null,
      bodyTruncated: d.request.bodyTruncated,
    },
    related: d.related,
  };
}

/** The fields every event export carries, in order (the CSV header). */
export const EVENT_EXPORT_FIELDS = [
  'id',
  'receivedAt',
  'occurredAt',
  'provider',
  'type',
  'originalType',
  'accountPhone',
  'accountId',
  'accountName',
  'chatId',
  'chatName',
  'chatPhone',
  'messageUid',
  'direction',
  'text',
  'deliveryCount',
] as const;

/** One exported event: times as ISO text, the message text whole. */
export type EventExportRow = Record<(typeof EVENT_EXPORT_FIELDS)[number], string | number | null>;

export function eventExportRowOf(e: StoredEvent): EventExportRow {
  return {
    id: e.id,
    receivedAt: isoOrNull(e.receivedAt),
    occurredAt: isoOrNull(e.occurredAt),
    provider: e.provider,
    type: e.type,
    originalType: e.originalType,
    accountPhone: e.accountPhone,
    accountId: e.accountId,
    accountName: e.accountName,
    chatId: e.chatId,
    chatName: e.chatName,
    chatPhone: e.chatPhone,
    messageUid: e.messageUid,
    direction: e.direction,
    text: e.text,
    deliveryCount: e.deliveryCount,
  };
}

/** One row of `hookwatch events`'s table, before the terminal makes each cell safe and cuts it. */
export interface EventCliRow {
  id: string;
  /** UTC, to the second. */
  received: string;
  type: string;
  /** "(x3)" when delivered more than once. */
  deliveries: string;
  account: string | null;
  chat: string | null;
  /** `in`, `out` or empty. */
  direction: string;
  text: string | null;
}

export function eventCliRowOf(e: StoredEvent): EventCliRow {
  return {
    id: String(e.id),
    received: (isoOrNull(e.receivedAt) ?? '').replace('T', ' ').slice(0, 19),
    type: e.type,
    deliveries: e.deliveryCount > 1 ? ` (x${e.deliveryCount})` : '',
    account: e.accountPhone ?? e.accountId,
    chat: e.chatName ?? e.chatPhone ?? e.chatId,
    direction: e.direction === 'received' ? 'in' : e.direction === 'sent' ? 'out' : '',
    text: e.text,
  };
}

// ---------------------------------------------------------------------------------------------
// Accounts, alerts, webhooks, deliveries

function providerIdOf(p: string): ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(p) ? (p as ProviderId) : 'unknown';
}

export function accountSeenOf(r: AccountSeenRow): AccountSeen {
  return {
    key: r.phone ?? r.accountId ?? '',
    phone: r.phone,
    accountId: r.accountId,
    name: r.name,
    provider: providerIdOf(r.provider),
    lastEventAt: r.lastEventAt,
    lastEventType: r.lastEventType,
  };
}

function isDown(state: string): state is 'disconnected' | 'suspended' {
  return state === 'disconnected' || state === 'suspended';
}

/**
 * An account's outages from its observations (sorted by event time): a run of down observations is one
 * outage per state (a disconnection turning into a suspension shows as two coloured spans), ended by the
 * next `connected`. Only outages that overlap [now − days, now] are returned; an open one has `to: null`.
 */
export function outagesFromHistory(history: readonly Pick<AccountObservation, 'at' | 'state'>[], now: number, days = 7): AccountOutage[] {
  const out: AccountOutage[] = [];
  let open: { from: number; state: 'disconnected' | 'suspended' } | null = null;
  for (const o of history) {
    if (isDown(o.state)) {
      if (open && open.state !== o.state) {
        out.push({ from: open.from, to: o.at, state: open.state });
        open = null;
      }
      open ??= { from: o.at, state: o.state };
    } else if (o.state === 'connected' && open) {
      out.push({ from: open.from, to: o.at, state: open.state });
      open = null;
    }
  }
  if (open) out.push({ from: open.from, to: null, state: open.state });
  const windowStart = now - days * DAY;
  return out.filter((o) => (o.to ?? now) >= windowStart);
}

export function accountCardOf(a: AccountStatus, now: number): AccountCard {
  return {
    key: a.key,
    phone: a.phone,
    accountId: a.accountId,
    name: a.name,
    state: a.state,
    since: a.since,
    lastEvent: a.lastEvent ? { id: a.lastEvent.id, type: a.lastEvent.type, at: a.lastEvent.at } : null,
    outages7d: outagesFromHistory(a.history, now),
  };
}

export function alertViewOf(a: StoredAlert): AlertView {
  return {
    id: a.id,
    at: a.at,
    severity: a.severity,
    kind: a.kind,
    title: a.title,
    text: a.text,
    accountPhone: a.accountPhone ?? null,
    chatId: a.chatId ?? null,
    eventId: a.eventId ?? null,
    acknowledgedAt: a.acknowledgedAt,
  };
}

export function registeredWebhookOf(w: ProviderWebhookHealth): RegisteredWebhook {
  return {
    id: w.webhookId,
    provider: w.provider === 'timelines' || w.provider === 'whatsable' ? w.provider : 'unknown',
    eventType: w.eventType ?? '',
    pointsAtCurrentUrl: w.pointsAtCurrentUrl,
    enabled: w.enabled,
    errorsCounter: w.errorsCounter,
    checkedAt: w.checkedAt,
  };
}

export function deliveryLogEntryOf(d: StoredDelivery): DeliveryLogEntry {
  return {
    id: d.id,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    status: d.status,
    reason: d.reason,
    latencyMs: Math.round(d.latencyMs * 100) / 100,
    size: d.size,
    provider: d.provider,
    eventType: d.eventType,
    eventCount: d.eventCount,
    duplicate: d.duplicate,
  };
}

/** One line of the delivery-log download (`txt`), like the provider's own log. */
export function deliveryLogLine(d: DeliveryLogEntry): string {
  return (
    [
      new Date(d.receivedAt).toISOString(),
      `${d.method} ${d.path}`,
      String(d.status),
      `${d.latencyMs} ms`,
      `${d.size} B`,
      d.provider ? `${d.provider} ${d.eventType ?? ''}`.trim() : '-',
      d.duplicate ? 'duplicate' : '',
      d.reason ?? '',
    ]
      .filter((x) => x !== '')
      .join('\t')
      // One line per request, whatever a path or reason carries.
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]+/g, ' ')
  );
}

/** An incident as the UI sees it, with its duration until `now` while open. */
export function incidentViewOf(i: Incident, now: number): IncidentView {
  return {
    id: i.id,
    kind: i.kind,
    subject: i.subject,
    severity: i.severity,
    title: i.title,
    text: i.text,
    openedAt: i.openedAt,
    updatedAt: i.updatedAt,
    resolvedAt: i.resolvedAt,
    durationMs: (i.resolvedAt ?? now) - i.openedAt,
    flaps: i.flaps,
    alerts: i.alerts,
    acknowledgedAt: i.acknowledgedAt,
    snoozedUntil: i.snoozedUntil,
  };
}
