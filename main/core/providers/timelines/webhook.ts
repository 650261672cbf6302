/** TimelinesAI's webhook normalizer: every payload shape it sends becomes normalized events. */
import {
  blankEvent,
  TIMELINES_TYPE_ALIASES,
  type Direction,
  type NormalizedEvent,
} from '../../events.js';
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
 */
export const timelinesProvider: ProviderPlugin = {
  id: 'timelines',
  detect(body) {
    if (typeof body.event_type === 'string') return true;
    return isObject(body.whatsapp_account) && isObject(body.chat) && (isObject(body.message) || Array.isArray(body.messages));
  },
  normalize(body) {
    if (typeof body.event_type === 'string') return [normalizeTimelinesV2(body)];
    return normalizeTimelinesV1(body);
  },
};

const MAX_EVENT_TYPE_LENGTH = 200;

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
  e.accountId = str(wa.id) ?? str(wa.whatsapp_account_wid) ?? str(chat.whatsapp_account_id);
  e.accountPhone = toE164(wa.phone) ?? toE164(e.accountId);
  e.accountName = str(wa.account_name);
  const owner = str(wa.owner_name) ?? str(wa.full_name);
  const ownerEmail = str(wa.owner_email) ?? str(wa.email);
  if (owner) e.details.ownerName = owner;
  if (ownerEmail) e.details.ownerEmail = ownerEmail;

  const responsibleName = str(chat.responsible_name);
  const responsibleEmail = str(chat.responsible_email);
  if (responsibleName || responsibleEmail) e.details.responsible = { name: responsibleName, email: responsibleEmail };

  if (type.startsWith('message:') && type !== 'message:reaction') {
    e.messageUid = str(message.message_uid);
    e.direction = directionOf(message.direction) ?? (type === 'message:received:new' ? 'received' : type === 'message:sent:new' ? 'sent' : null);
    e.text = str(message.text);
    e.occurredAt = parseProviderTime(message.timestamp);
    if (e.messageUid) e.dedupeKey = `uid:${e.messageUid}`;
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
  if (str(account.id)) e.accountId = `waba:${str(account.id)}`;
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
    if (Object.keys(failure).length) e.details.failure = { code: failure.code ?? null, title: str(failure.title), details: str(failure.details) };
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
  e.messageUid = str(data.message_uid);
  e.text = str(data.text);
  e.direction = directionOf(data.direction) ?? (type === 'message:received:new' ? 'received' : type === 'message:sent:new' ? 'sent' : null);
  e.chatPhone = toE164(data.chat_phone) ?? toE164(e.direction === 'sent' ? data.recipient_phone : data.sender_phone);
  e.accountPhone = toE164(data.whatsapp_account_phone) ?? toE164(data.account_phone);
  e.occurredAt = parseProviderTime(data.timestamp);
  // A reaction's message_uid is the message reacted to: keying on it would merge every reaction
  // to that message into one event, so reactions (like non-message events) keep the body hash.
  e.dedupeKey = e.messageUid && type.startsWith('message:') && type !== 'message:reaction' ? `uid:${e.messageUid}` : bodyHashKey(body);
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
