// The wire format of hub messages: raw body as the payload, normalized record and ids in headers; and decoding on the follower side.
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { NormalizedEvent, ProviderId } from '../events.js';
import { outboxKey, type OutboxRow } from '../store/store.js';
import { subjectFor, workspaceToken, type HubKind } from './subjects.js';

/**
 * One event = one message, whose payload is the raw request body byte for byte and whose headers
 * carry the rest (Content-Type, the normalized record as JSON, ids). Why not the record in the body
 * or on a second subject:
 * - Forwarders (ours, or anyone's `nats sub`) need the exact bytes with their content type, and get
 *   them with no decoding at all.
 * - A second subject would make one event two messages that retention, dedupe (Nats-Msg-Id) and
 *   redelivery treat separately, and a follower would have to join them. One message is atomic.
 * - NATS headers are text lines, so the JSON is made pure ASCII (\uXXXX escapes): nothing in a
 *   customer's message can break the header block. Its size counts toward the server's max_payload
 *   (1 MiB by default), which is why an oversized body is sent without its bytes and says so
 *   (Hookwatch-Body-Truncated: <size>); the record still travels and the hub keeps the bytes.
 * Account states and incidents are small JSON records: payload JSON, Content-Type application/json.
 */
export const HDR = {
  contentType: 'Content-Type',
  kind: 'Hookwatch-Kind',
  type: 'Hookwatch-Type',
  workspace: 'Hookwatch-Workspace',
  record: 'Hookwatch-Record',
  bodyTruncated: 'Hookwatch-Body-Truncated',
} as const;

/** JetStream's dedupe header: a message whose id the stream saw within its duplicate window is acknowledged as a duplicate, not stored. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** Version of the record format; a follower refuses (and reports) records newer than it knows. */
export const RECORD_VERSION = 1;

/** What a follower needs to store an event like the hub did (and what any other consumer may read). */
export interface HubEventRecord {
  v: number;
  /** The event's id in the hub's database (for links back to the hub; not the follower's id). */
  hubEventId: number;
  receivedAt: number;
  /** How often the hub had received it when it was published. */
  deliveryCount: number;
  event: NormalizedEvent;
  request: {
    method: string;
    /** Path with the webhook secret already replaced by `{secret}`. */
    path: string;
    forcedProvider: string | null;
    contentType: string | null;
    /** Request headers with credentials removed (as the hub's delivery log keeps them). */
    headers: Record<string, string>;
    /** The hub itself kept only part of the body (a rejected or capped request). */
    bodyTruncated: boolean;
    size: number;
  };
  /** The text and details were cut so the record fits the broker's message size. */
  trimmed?: boolean;
}

export interface OutboxMessage {
  /** The outbox row id (markSent takes these). */
  id: number;
  subject: string;
  msgId: string;
  /** Every header of the message, `Nats-Msg-Id` (JetStream's dedupe key) included. */
  headers: MsgHdrs;
  body: Uint8Array;
}

/** Nats-Msg-Id of an event: the workspace and the event's own key (see outboxKey in the store). */
export function eventMsgId(workspace: string, e: { provider: string; type: string; dedupeKey: string }, eventId: number): string {
  return `${workspaceToken(workspace)}:${outboxKey.event(e, eventId)}`;
}

/** An account-state change is identified by the account, its new state and when that state began. */
export function accountMsgId(workspace: string, a: { key: string; state: string; since: number | null }, at: number): string {
  return `${workspaceToken(workspace)}:${outboxKey.account(a, at)}`;
}

/** An incident change (an alert raised, acknowledged) of this hub. */
export function incidentMsgId(workspace: string, alertId: number, change: string): string {
  return `${workspaceToken(workspace)}:${outboxKey.incident(alertId, change)}`;
}

/** JSON with every non-ASCII character escaped, safe as a header value. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The normalized record of an outbox event row (the store's columns back into a NormalizedEvent). */
export function eventRecordOf(row: NonNullable<OutboxRow['event']>): HubEventRecord {
  const event: NormalizedEvent = {
    provider: row.provider as ProviderId,
    shape: row.shape,
    type: row.type,
    originalType: row.originalType,
    dedupeKey: row.dedupeKey,
    occurredAt: row.occurredAt,
    accountPhone: row.accountPhone,
    accountId: row.accountId,
    accountName: row.accountName,
    chatId: row.chatId,
    chatName: row.chatName,
    chatPhone: row.chatPhone,
    messageUid: row.messageUid,
    direction: row.direction as NormalizedEvent['direction'],
    text: row.text,
    details: parseJsonObject(row.details),
  };
  return {
    v: RECORD_VERSION,
    hubEventId: row.id,
    receivedAt: row.receivedAt,
    deliveryCount: row.deliveryCount,
    event,
    request: {
      method: row.request.method,
      path: row.request.path,
      forcedProvider: row.request.forcedProvider,
      contentType: row.request.contentType,
      headers: parseJsonObject(row.request.headers) as Record<string, string>,
      bodyTruncated: row.request.bodyTruncated,
      size: row.request.size,
    },
  };
}

/** Room kept for the protocol's own header lines (NATS/1.0, Nats-Msg-Id, our small headers). */
const HEADER_OVERHEAD = 1024;

/** What every message of one workspace, kind and type shares: its subject and two header values. */
interface TypeParts {
  workspace: string;
  subject: string;
  typeHeader: string;
}

/**
 * TypeParts by workspace, kind and type, made once: subjectToken escapes byte by byte, and each message
 * needed it four times (a few per cent of the publisher thread's CPU, profiled). Types come from
 * webhooks, so the map is bounded: emptied when full, which only costs making them again.
 */
const typeParts = new Map<string, TypeParts>();
const TYPE_PARTS_MAX = 1024;

function partsOf(workspace: string, kind: string, type: string): TypeParts {
  const key = `${workspace}\n${kind}\n${type}`;
  let parts = typeParts.get(key);
  if (parts === undefined) {
    if (typeParts.size >= TYPE_PARTS_MAX) typeParts.clear();
    parts = {
      workspace: workspaceToken(workspace),
      subject: subjectFor(workspace, kind as HubKind, type),
      typeHeader: asciiJson(type).slice(1, -1),
    };
    typeParts.set(key, parts);
  }
  return parts;
}

/**
 * Turns an outbox row into the message to publish; null when there is nothing left to send (the
 * event was removed by retention before NATS came back: counted by the publisher, not retried).
 */
export function encodeOutboxRow(row: OutboxRow, workspace: string, maxPayload: number): OutboxMessage | null {
  const parts = partsOf(workspace, row.kind, row.type);
  const h = natsHeaders();
  h.set(HDR.kind, row.kind);
  h.set(HDR.workspace, parts.workspace);
  h.set(HDR.type, parts.typeHeader);
  const subject = parts.subject;
  // Rows hold the id without the workspace (the receiver does not know the hub's settings).
  const msgId = `${parts.workspace}:${row.msgId}`;
  if (row.kind !== 'event') {
    if (row.payload === null) return null;
    h.set(HDR.contentType, 'application/json');
    h.set(MSG_ID_HEADER, msgId);
    return { id: row.id, subject, msgId, headers: h, body: new TextEncoder().encode(row.payload) };
  }
  if (row.event === null) return null;
  const record = eventRecordOf(row.event);
  let json = asciiJson(record);
  if (json.length + HEADER_OVERHEAD > maxPayload / 2) {
    // A record this large is a huge message text: keep its start, say it was cut; the hub has it all.
    record.event = { ...record.event, text: record.event.text?.slice(0, 4096) ?? null, details: {} };
    record.request = { ...record.request, headers: {} };
    record.trimmed = true;
    json = asciiJson(record);
  }
  h.set(HDR.record, json);
  const body = row.event.request.body ?? Buffer.alloc(0);
  if (row.event.request.contentType) h.set(HDR.contentType, row.event.request.contentType.replace(/[\r\n]/g, ' '));
  let payload: Uint8Array = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (json.length + HEADER_OVERHEAD + body.byteLength > maxPayload) {
    h.set(HDR.bodyTruncated, String(body.byteLength));
    payload = new Uint8Array(0);
  }
  h.set(MSG_ID_HEADER, msgId);
  return { id: row.id, subject, msgId, headers: h, body: payload };
}

interface WireMessage {
  subject: string;
  seq: number;
  headers: MsgHdrs | undefined;
  data: Uint8Array;
}

/** The few header values a decode reads, by exact name (first value, as MsgHdrs.get returns it). */
type HeaderValues = Pick<MsgHdrs, 'get'>;

/**
 * The header block of a message as one string, read from the client's buffer, or null where that buffer
 * is not reachable (another client version, a test's plain object): the caller then uses `m.headers`.
 * Why: MsgHdrs decodes every header into a map of arrays, validates each value with a regular
 * expression and copies the record twice (slice, trim); its `get` lists all keys for each lookup. For a
 * follower catching up that was a tenth of its CPU (profiled); this reads the block once and looks up
 * the five values it needs. @nats-io/jetstream's JsMsg keeps the core message as `msg`, whose `_rdata`
 * holds the header block and payload and `_msg.hdr` the header length (nats-core's MsgImpl). The
 * test test/integration/hub-encoding.test.ts compares both decodings on messages from a real nats-server, so a
 * client update that moves these fields is noticed (and decoding falls back, never breaks).
 */
function rawHeaderBlock(m: unknown): string | null {
  const inner = (m as { msg?: { _rdata?: unknown; _msg?: { hdr?: unknown } } }).msg;
  const data = inner?._rdata;
  const hdr = inner?._msg?.hdr;
  if (!(data instanceof Uint8Array) || typeof hdr !== 'number' || hdr <= 0 || hdr > data.byteLength) return null;
  return Buffer.from(data.buffer, data.byteOffset, hdr).toString('utf8');
}

/** Header lines parsed as nats-core's MsgHdrs.decode parses them (`Name: value`, value trimmed, first one wins). */
export function parseHeaderBlock(block: string): HeaderValues {
  const values = new Map<string, string>();
  let at = block.indexOf('\r\n');
  while (at !== -1) {
    const start = at + 2;
    const next = block.indexOf('\r\n', start);
    const end = next === -1 ? block.length : next;
    const colon = block.indexOf(':', start);
    if (colon !== -1 && colon < end) {
      const key = block.slice(start, colon);
      if (!values.has(key)) values.set(key, block.slice(colon + 1, end).trim());
    }
    at = next;
  }
  return { get: (k: string) => values.get(k) ?? '' };
}

/** The message's headers: parsed from the raw block when it is reachable, else the client's own decoding. */
export function headersOf(m: WireMessage): HeaderValues | undefined {
  const block = rawHeaderBlock(m);
  return block === null ? m.headers : parseHeaderBlock(block);
}

interface HubRecordBase {
  msgId: string;
  /** Stream sequence: where this message sits in the hub's stream. */
  seq: number;
  subject: string;
  workspace: string;
}

export type HubRecord =
  | (HubRecordBase & {
      kind: 'event';
      record: HubEventRecord;
      /** The raw request body exactly as the hub received it (empty when too large for the broker: see bodyOmitted). */
      body: Uint8Array;
      contentType: string | null;
      /** Size of a body the hub did not publish because it exceeded the broker's message size. */
      bodyOmitted: number | null;
    })
  | (HubRecordBase & { kind: 'account' | 'incident'; type: string; record: unknown });

export class HubDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubDecodeError';
  }
}

/** Reads a hub message back; throws HubDecodeError for a message that is not one of ours (or too new). */
export function decodeHubMessage(m: WireMessage): HubRecord {
  const h = headersOf(m);
  const msgId = h?.get(MSG_ID_HEADER) ?? '';
  const kind = h?.get(HDR.kind) ?? '';
  const base = { msgId: msgId || `seq:${m.seq}`, seq: m.seq, subject: m.subject, workspace: h?.get(HDR.workspace) ?? '' };
  if (kind === 'event') {
    let record: HubEventRecord;
    try {
      record = JSON.parse(h!.get(HDR.record)) as HubEventRecord;
    } catch {
      throw new HubDecodeError(`message ${m.seq} on ${m.subject} has no readable event record`);
    }
    if (typeof record?.v !== 'number' || record.v > RECORD_VERSION || !record.event) {
      throw new HubDecodeError(
        `message ${m.seq} has record version ${String(record?.v)}; this Hookwatch reads version ${RECORD_VERSION}: update it`,
      );
    }
    const omitted = h!.get(HDR.bodyTruncated);
    return {
      ...base,
      kind,
      record,
      body: m.data,
      contentType: h!.get(HDR.contentType) || null,
      bodyOmitted: omitted ? Number(omitted) : null,
    };
  }
  if (kind === 'account' || kind === 'incident') {
    let record: unknown;
    try {
      record = JSON.parse(new TextDecoder().decode(m.data));
    } catch {
      throw new HubDecodeError(`message ${m.seq} on ${m.subject} is not JSON`);
    }
    return { ...base, kind, type: JSON.parse(`"${h!.get(HDR.type)}"`) as string, record };
  }
  throw new HubDecodeError(`message ${m.seq} on ${m.subject} is not a Hookwatch message (no ${HDR.kind} header)`);
}
