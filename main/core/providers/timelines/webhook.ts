/** TimelinesAI's webhook normalizer: every payload shape it sends becomes normalized events. */
import { blankEvent, TIMELINES_TYPE_ALIASES, type Direction, type NormalizedEvent } from '../../events.js';
import { isObject, obj, str, type JsonObject } from '../../json.js';
import { toE164 } from '../../phone.js';
import { parseProviderTime } from '../../time.js';
import { bodyHashKey } from '../body-key.js';
import type { ProviderPlugin } from '../types.js';

/**
 * TimelinesAI: v2 "Public API webhooks" (every event carries `event_type`), the `{event_type, data}`
 * wrapper one guide shows, and the legacy v1 single-message and bundle payloads (no `event_type`).
 *
 * Dedupe keys (TimelinesAI sends no event id, and redelivers):
 * - messages, WABA messages: `uid:<message_uid>`; with the type in the unique key, the same message
 *   announced as both `message:new` and `message:received:new` stays two events sharing the uid.
 * - calls: the call's `message_uid`. Reactions: message uid + action + emoji + reactor + time.
 * - chat:new / incoming / outgoing: `chat:<id>`; a chat is created once.
 * - everything else (account status, assignments, WABA chat/account/template events): a hash of the
 *   canonical body. These payloads carry the times and people that make one occurrence differ from
 *   the next (`connected_on`, `disconnected_on`, `previous_responsible_*`), and a redelivery is byte-for-byte
 *   the same event, whatever its key order or whitespace.
 *   Not all of them do: `whatsapp:account:suspended`/`resumed` carry only the old `connected_on`, and
 *   WABA account, chat and template events no time at all, so a later identical occurrence (suspended,
 *   resumed, suspended again) hashes like a redelivery of the first. Only the store can tell the two
 *   apart, by how long ago the key was last delivered.
 * - v1 messages: `v1:<message_id>|<timestamp>`; the v1 docs show two messages of one bundle sharing a
 *   `message_id`, so the id alone would merge them. Without an id: a hash of the message with its chat.
 *   A v2-shaped message that carries v1's `message_id` instead of `message_uid` is keyed the same way.
 *
 * The account's identity is read from every place TimelinesAI puts it (see accountIdentity): the
 * `whatsapp_account` object (`id`, `whatsapp_account_wid`), a chat's `whatsapp_account_id`, and the
 * flat fields of the `data` wrapper; a JID (`15551234567@s.whatsapp.net`) also gives the phone.
 */
export const timelinesProvider = {
  id: 'timelines',
  detect(body: JsonObject) {
    return timelinesScore(body) > 0;
  },
  score: timelinesScore,
  normalize(body: JsonObject) {
    if (typeof body.event_type === 'string') return [normalizeTimelinesV2(body)];
    return normalizeTimelinesV1(body);
  },
} satisfies ProviderPlugin;

const MAX_EVENT_TYPE_LENGTH = 200;

/** Fields only TimelinesAI sends, weighted by how sure each makes us (see registry.ts: the highest score reads the body). */
const TIMELINES_WEIGHTS: Readonly<Record<string, (v: unknown) => number>> = {
  event_type: (v) => (typeof v === 'string' ? 3 : 0),
  whatsapp_account: (v) => (isObject(v) ? 2 : 0),
  chat: (v) => (isObject(v) ? 2 : 0),
  message: (v) => (isObject(v) ? 2 : 0),
  messages: (v) => (Array.isArray(v) ? 2 : 0),
  call_details: (v) => (isObject(v) ? 2 : 0),
  reaction: (v) => (isObject(v) ? 2 : 0),
  account: (v) => (isObject(v) ? 1 : 0),
  template: (v) => (isObject(v) ? 1 : 0),
  aggregation: (v) => (typeof v === 'string' ? 1 : 0),
  data: (v) => (isObject(v) && ['chat_id', 'message_uid', 'whatsapp_account_id', 'sender_phone', 'chat_name'].some((k) => k in v) ? 2 : 0),
};

/**
 * How much the body looks like TimelinesAI's: 0 unless it has an `event_type` (v2) or v1's
 * account + chat + message(s); then the weight of every TimelinesAI field it carries.
 */
export function timelinesScore(body: JsonObject): number {
  const v2 = typeof body.event_type === 'string';
  const v1 = isObject(body.whatsapp_account) && isObject(body.chat) && (isObject(body.message) || Array.isArray(body.messages));
  if (!v2 && !v1) return 0;
  let score = 0;
  for (const [key, weigh] of Object.entries(TIMELINES_WEIGHTS)) if (Object.hasOwn(body, key)) score += weigh(body[key]);
  return score;
}

/**
 * The WhatsApp account's identity from every place TimelinesAI puts it, most specific first:
 * the `whatsapp_account` object (a JID `id` on account and chat events, `whatsapp_account_wid` on
 * calls and reactions), then flat fields of the containers given (a chat's `whatsapp_account_id`,
 * the `data` wrapper's `whatsapp_account_id` / `whatsapp_account_phone`). A JID gives the phone
 * when no phone field does.
 */
function accountIdentity(wa: JsonObject, ...containers: JsonObject[]): { id: string | null; phone: string | null; name: string | null } {
  let id = str(wa.id) ?? str(wa.whatsapp_account_wid) ?? str(wa.jid);
  let phone = toE164(wa.phone);
  let name = str(wa.account_name);
  for (const c of containers) {
    id ??= str(c.whatsapp_account_id) ?? str(c.whatsapp_account_wid) ?? str(c.whatsapp_account_jid);
    phone ??= toE164(c.whatsapp_account_phone) ?? toE164(c.account_phone);
    name ??= str(c.whatsapp_account_name) ?? str(c.account_name);
  }
  return { id, phone: phone ?? toE164(id), name };
}

/** A message's id: `message_uid`, or v1's `message_id` where a v2-shaped payload carries that instead. */
function messageKeyOf(m: JsonObject): { uid: string | null; key: string | null } {
  const uid = str(m.message_uid);
  if (uid) return { uid, key: `uid:${uid}` };
  const id = str(m.message_id);
  // v1's rule (see above): its ids are not unique within a bundle, so the time goes with them.
  return id ? { uid: id, key: `v1:${id}|${str(m.timestamp) ?? ''}` } : { uid: null, key: null };
}

function directionOf(value: unknown): Direction | null {
  const d = str(value)?.toLowerCase();
  if (d === 'received' || d === 'incoming') return 'received';
  if (d === 'sent' || d === 'outgoing') return 'sent';
  return null;
}

export function normalizeTimelinesV2(body: JsonObject): NormalizedEvent {
  const sentType = String(body.event_type).trim();
  // hasOwn, not a plain lookup: `event_type: "constructor"` (or "__proto__", "toString") would
  // otherwise read Object.prototype, make `type` a function, crash the normalizer and lose the
  // name the sender used. A blank event_type names no type: store it as `unknown`, not as ''.
  const alias = Object.hasOwn(TIMELINES_TYPE_ALIASES, sentType) ? TIMELINES_TYPE_ALIASES[sentType] : undefined;
  // An event type is a short name; a megabyte of "event_type" is not one, and would become an indexed column.
  // Control characters are no part of a name either, and would reach terminals through the CLI's tables.
  const type = alias ?? (sentType === '' || sentType.length > MAX_EVENT_TYPE_LENGTH || /\p{Cc}/u.test(sentType) ? 'unknown' : sentType);
  const wrapped = isObject(body.data) && !isObject(body.chat) && !isObject(body.message) && !isObject(body.whatsapp_account);
  const event = wrapped ? normalizeDataWrapper(type, obj(body.data), body) : normalizeTopLevel(type, body);
  if (sentType !== type) event.originalType = sentType.slice(0, MAX_EVENT_TYPE_LENGTH);
  return event;
}

/** The spec's shape: `chat`, `whatsapp_account`, `message`, `call_details`, `reaction`, `account`, `template` at the top. */
function normalizeTopLevel(type: string, body: JsonObject): NormalizedEvent {
  // The key is filled in below; the body hash (the costly fallback) only when nothing better is found.
  const e = blankEvent('timelines', 'timelines.v2', type, '');
  const chat = obj(body.chat);
  const wa = obj(body.whatsapp_account);
  const message = obj(body.message);

  // Chat: chat events use `id`/`name`, message, call and reaction events use `chat_id`/`full_name`.
  e.chatId = str(chat.id) ?? str(chat.chat_id);
  e.chatName = str(chat.name) ?? str(chat.full_name);
  e.chatPhone = toE164(chat.phone) ?? toE164(chat.jid);

  // WhatsApp account: a JID object on account/chat events, the owning user on message events.
  const account = accountIdentity(wa, chat, body);
  e.accountId = account.id;
  e.accountPhone = account.phone;
  e.accountName = account.name;
  const owner = str(wa.owner_name) ?? str(wa.full_name);
  const ownerEmail = str(wa.owner_email) ?? str(wa.email);
  if (owner) e.details.ownerName = owner;
  if (ownerEmail) e.details.ownerEmail = ownerEmail;

  const responsibleName = str(chat.responsible_name);
  const responsibleEmail = str(chat.responsible_email);
  if (responsibleName || responsibleEmail) e.details.responsible = { name: responsibleName, email: responsibleEmail };

  if (type.startsWith('message:') && type !== 'message:reaction') {
    const id = messageKeyOf(message);
    e.messageUid = id.uid;
    e.direction =
      directionOf(message.direction) ?? (type === 'message:received:new' ? 'received' : type === 'message:sent:new' ? 'sent' : null);
    e.text = str(message.text);
    e.occurredAt = parseProviderTime(message.timestamp);
    if (id.key) e.dedupeKey = id.key;
    const attachments = Array.isArray(message.attachments) ? message.attachments.length : 0;
    if (attachments) e.details.attachments = attachments;
    if (str(message.reply_to_uid)) e.details.replyToUid = str(message.reply_to_uid);
    if (str(message.origin)) e.details.origin = str(message.origin);
  } else if (type.startsWith('chat:')) {
    const prevName = str(chat.previous_responsible_name);
    const prevEmail = str(chat.previous_responsible_email);
    if (prevName || prevEmail) e.details.previousResponsible = { name: prevName, email: prevEmail };
    if (Array.isArray(chat.labels)) e.details.labels = chat.labels.filter((l) => typeof l === 'string');
    if (typeof chat.is_group === 'boolean') e.details.isGroup = chat.is_group;
    if (str(chat.last_message_uid)) e.details.lastMessageUid = str(chat.last_message_uid);
    if (type === 'chat:new' || type === 'chat:incoming:new' || type === 'chat:outgoing:new') {
      e.occurredAt = parseProviderTime(chat.created_timestamp);
      if (e.chatId) e.dedupeKey = `chat:${e.chatId}`;
    }
  } else if (type.startsWith('whatsapp:account:')) {
    const status = str(wa.status);
    if (status) e.details.status = status;
    const connectedOn = parseProviderTime(wa.connected_on);
    const disconnectedOn = parseProviderTime(wa.disconnected_on);
    if (connectedOn !== null) e.details.connectedOn = connectedOn;
    if (disconnectedOn !== null) e.details.disconnectedOn = disconnectedOn;
    if (type === 'whatsapp:account:disconnected') e.occurredAt = disconnectedOn;
    if (type === 'whatsapp:account:connected') e.occurredAt = connectedOn;
  } else if (type.startsWith('call:')) {
    const call = obj(body.call_details);
    e.messageUid = str(call.message_uid);
    e.direction = directionOf(call.direction);
    e.occurredAt = parseProviderTime(call.timestamp);
    e.details.call = {
      status: str(call.status),
      isVideo: call.is_video === true,
      durationSeconds: typeof call.duration === 'number' ? call.duration : null,
    };
    if (e.messageUid) e.dedupeKey = `call:${e.messageUid}`;
  } else if (type === 'message:reaction') {
    const reaction = obj(body.reaction);
    const reactor = obj(reaction.reactor);
    e.messageUid = str(reaction.message_uid);
    e.text = str(reaction.emoji);
    e.occurredAt = parseProviderTime(reaction.timestamp);
    e.details.reaction = { action: str(reaction.action), emoji: str(reaction.emoji), reactor: str(reactor.full_name) };
    if (e.messageUid) {
      e.dedupeKey = `reaction:${e.messageUid}|${str(reaction.action)}|${str(reaction.emoji)}|${toE164(reactor.phone) ?? ''}|${str(reaction.timestamp)}`;
    }
  } else if (type.startsWith('waba:')) {
    normalizeWaba(type, body, e);
  }
  if (e.dedupeKey === '') e.dedupeKey = bodyHashKey(body);
  return e;
}

function normalizeWaba(type: string, body: JsonObject, e: NormalizedEvent): void {
  e.shape = 'timelines.waba';
  const account = obj(body.account);
  // Chat events name the number by the chat's `waba_account_id`, the same id as `account.id`.
  const wabaId = str(account.id) ?? str(obj(body.chat).waba_account_id);
  if (wabaId) e.accountId = `waba:${wabaId}`;
  e.accountPhone = toE164(account.phone) ?? toE164(account.display_phone_number);
  e.accountName = str(account.account_name);
  const chat = obj(body.chat);
  e.chatId = str(chat.id);
  if (type.startsWith('waba:message:')) {
    const message = obj(body.message);
    e.messageUid = str(message.message_uid);
    e.direction = directionOf(message.direction);
    e.text = str(message.text);
    e.occurredAt = parseProviderTime(message.timestamp);
    e.details.status = str(message.status);
    const failure = obj(message.failure_reason);
    if (Object.keys(failure).length)
      e.details.failure = { code: failure.code ?? null, title: str(failure.title), details: str(failure.details) };
    e.chatPhone = toE164(e.direction === 'received' ? obj(message.sender).phone : obj(message.recipient).phone);
    if (e.messageUid) e.dedupeKey = `uid:${e.messageUid}`;
  } else if (type.startsWith('waba:account:')) {
    e.details.state = str(account.state);
  } else if (type.startsWith('waba:template:')) {
    const t = obj(body.template);
    e.details.template = { id: t.id ?? null, name: str(t.name), status: str(t.status) };
  } else if (type === 'waba:chat:assigned') {
    const r = obj(body.responsible);
    e.details.responsible = { name: str(r.name), email: str(r.email) };
  }
}

/** The `{event_type, data: {chat_id, message_uid, sender_phone, text, ...}}` variant from the developer guide. */
function normalizeDataWrapper(type: string, data: JsonObject, body: JsonObject): NormalizedEvent {
  const e = blankEvent('timelines', 'timelines.v2.data', type, '');
  e.chatId = str(data.chat_id);
  e.chatName = str(data.chat_name) ?? str(data.full_name);
  const id = messageKeyOf(data);
  e.messageUid = id.uid;
  e.text = str(data.text);
  e.direction = directionOf(data.direction) ?? (type === 'message:received:new' ? 'received' : type === 'message:sent:new' ? 'sent' : null);
  e.chatPhone = toE164(data.chat_phone) ?? toE164(e.direction === 'sent' ? data.recipient_phone : data.sender_phone);
  const account = accountIdentity(obj(data.whatsapp_account), data, body);
  e.accountId = account.id;
  e.accountPhone = account.phone;
  e.accountName = account.name;
  e.occurredAt = parseProviderTime(data.timestamp);
  // A reaction's message_uid is the message reacted to: keying on it would merge every reaction
  // to that message into one event, so reactions (like non-message events) keep the body hash.
  e.dedupeKey = id.key && type.startsWith('message:') && type !== 'message:reaction' ? id.key : bodyHashKey(body);
  return e;
}

/** Legacy v1: `{whatsapp_account, chat, message}` or a bundle `{whatsapp_account, chat, messages[], aggregation}`. */
export function normalizeTimelinesV1(body: JsonObject): NormalizedEvent[] {
  const wa = obj(body.whatsapp_account);
  const chat = obj(body.chat);
  const bundle = Array.isArray(body.messages);
  const messages: unknown[] = bundle ? (body.messages as unknown[]) : [body.message];
  const events = messages.map((raw, index) => {
    const m = obj(raw);
    const dir = directionOf(m.direction);
    const type = dir === 'received' ? 'message:received:new' : dir === 'sent' ? 'message:sent:new' : 'message:new';
    const id = str(m.message_id);
    // Without an id, hash the message with its account and chat: the message object alone ("ok",
    // same second) is the same in two different chats, and those must not merge as redeliveries.
    const key = id ? `v1:${id}|${str(m.timestamp) ?? ''}` : bodyHashKey({ whatsapp_account: wa, chat, message: m });
    const e = blankEvent('timelines', bundle ? 'timelines.v1.bundle' : 'timelines.v1', type, key);
    e.accountPhone = toE164(wa.phone);
    e.chatId = str(chat.chat_id) ?? str(chat.id);
    e.chatName = str(chat.full_name);
    e.chatPhone = toE164(chat.phone);
    e.messageUid = id;
    e.direction = dir;
    e.text = str(m.text);
    e.occurredAt = parseProviderTime(m.timestamp);
    if (str(wa.full_name)) e.details.ownerName = str(wa.full_name);
    if (str(wa.email)) e.details.ownerEmail = str(wa.email);
    if (str(chat.responsible_name) || str(chat.responsible_email)) {
      e.details.responsible = { name: str(chat.responsible_name), email: str(chat.responsible_email) };
    }
    if (isObject(m.attachment)) e.details.attachments = 1;
    if (bundle) e.details.bundle = { index, size: messages.length };
    return e;
  });
  return events;
}
