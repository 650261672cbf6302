/** WhatsAble's webhook normalizer: a conversation snapshot becomes one message event. */
import { blankEvent, type Direction, type NormalizedEvent } from '../../events.js';
import { isObject, str, type JsonObject } from '../../json.js';
import { toE164 } from '../../phone.js';
import { parseProviderTime } from '../../time.js';
import { bodyHashKey } from '../body-key.js';
import type { ProviderPlugin } from '../types.js';

/**
 * WhatsAble: a conversation snapshot with no event type (WhatsAble's webhook documentation; docs/providers.md).
 *
 * - `last_messages` is documented as an array but usually arrives as a JSON *string* of one.
 * - `phone_number` is the customer, digits without "+", sometimes a JSON number.
 * - Direction: the Notifier system says `incoming_message`; the bot payload does not, and then the
 *   newer of `user_last_message_time` / `bot_last_message_time` tells who spoke last.
 *
 * - The snapshot may come inside an envelope, `{ "event": "<name>", "data": { ...snapshot } }`: the
 *   snapshot is read from `data` and the event name kept in the details.
 *
 * Dedupe key: WhatsAble's own advice, phone + the time of the last message in that direction
 * (`user_last_message_time` for incoming, `bot_last_message_time` for outgoing). A snapshot without
 * that time falls back to a hash of the body.
 */
export const whatsableProvider = {
  id: 'whatsable',
  detect(body: JsonObject) {
    return whatsableScore(body) > 0;
  },
  score: whatsableScore,
  normalize(body: JsonObject) {
    const envelope = envelopeOf(body);
    if (!envelope) return [normalizeWhatsAble(body)];
    const e = normalizeWhatsAble(envelope.snapshot, body);
    e.shape = 'whatsable.envelope';
    if (envelope.event) e.details.event = envelope.event;
    return [e];
  },
} satisfies ProviderPlugin;

/** WhatsAble's fields, weighted by how sure each makes us (see registry.ts: the highest score reads the body). */
const WHATSABLE_WEIGHTS: Readonly<Record<string, number>> = {
  phone_number: 2,
  last_messages: 3,
  conversation_paragraph: 3,
  last_message_of_user: 2,
  last_message_of_bot: 2,
  user_last_message_time: 1,
  bot_last_message_time: 1,
  user_timestamp: 1,
  bot_timestamp: 1,
  recipient_name: 1,
  incoming_message: 1,
  was_message_by_human: 1,
  send_by: 1,
};

/** A snapshot needs the customer's phone and one field that only a snapshot has. */
function isSnapshot(o: JsonObject): boolean {
  if (!('phone_number' in o)) return false;
  return (
    'last_messages' in o ||
    'conversation_paragraph' in o ||
    'last_message_of_user' in o ||
    'user_last_message_time' in o ||
    'user_timestamp' in o
  );
}

/** The `{event, data}` envelope around a snapshot, or null when the body is the snapshot itself. */
function envelopeOf(body: JsonObject): { snapshot: JsonObject; event: string | null } | null {
  if (isSnapshot(body) || !isObject(body.data) || !isSnapshot(body.data)) return null;
  const event = str(body.event) ?? str(body.event_type);
  return { snapshot: body.data, event: event === null ? null : event.slice(0, 200) };
}

/** 0 unless the body (or its envelope's `data`) is a snapshot; then the weight of the WhatsAble fields in it. */
export function whatsableScore(body: JsonObject): number {
  const snapshot = isSnapshot(body) ? body : envelopeOf(body)?.snapshot;
  if (!snapshot) return 0;
  let score = 0;
  for (const [key, weight] of Object.entries(WHATSABLE_WEIGHTS)) if (Object.hasOwn(snapshot, key)) score += weight;
  // The envelope's own keys are WhatsAble's too.
  if (snapshot !== body && typeof body.event === 'string') score += 1;
  return score;
}

export interface WhatsAbleMessage {
  type: string | null;
  content: string | null;
  timestamp: number | null;
  contentType: string | null;
}

/** `last_messages` as a list, whether it came as an array or as a JSON string; null if unreadable. */
export function whatsAbleLastMessages(value: unknown): WhatsAbleMessage[] | null {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(list)) return null;
  return list.filter(isObject).map((m) => ({
    type: str(m.type),
    content: str(m.content),
    timestamp: parseProviderTime(m.timestamp),
    contentType: str(m.content_type),
  }));
}

/** One snapshot; `whole` is the body as received (an envelope around it), for the fallback key. */
export function normalizeWhatsAble(body: JsonObject, whole: JsonObject = body): NormalizedEvent {
  const userTime = parseProviderTime(body.user_last_message_time ?? body.user_timestamp);
  const botTime = parseProviderTime(body.bot_last_message_time ?? body.bot_timestamp);
  let direction: Direction;
  if (typeof body.incoming_message === 'boolean') direction = body.incoming_message ? 'received' : 'sent';
  else direction = (botTime ?? 0) > (userTime ?? 0) ? 'sent' : 'received';

  const phone = toE164(body.phone_number);
  const when = direction === 'received' ? userTime : botTime;
  const rawPhone = str(body.phone_number);
  const key = rawPhone && when !== null ? `wa:${phone ?? rawPhone}|${direction === 'received' ? 'in' : 'out'}|${when}` : bodyHashKey(whole);

  const e = blankEvent('whatsable', 'whatsable', direction === 'received' ? 'message:received:new' : 'message:sent:new', key);
  e.direction = direction;
  e.occurredAt = when;
  e.chatPhone = phone;
  // WhatsAble has no chat id: the customer's number is the conversation.
  e.chatId = phone ?? rawPhone;
  e.chatName = str(body.recipient_name);
  e.accountId = str(body.user_id);
  e.text = direction === 'received' ? str(body.last_message_of_user) : str(body.last_message_of_bot);

  const lastMessages = whatsAbleLastMessages(body.last_messages);
  if (lastMessages === null && body.last_messages !== undefined) e.details.lastMessagesUnreadable = true;
  if (lastMessages) e.details.lastMessageCount = lastMessages.length;
  if (str(body.message_type)) e.details.messageType = str(body.message_type);
  if (str(body.labels))
    e.details.labels = String(body.labels)
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
  if (str(body.attachment_url)) e.details.attachments = 1;
  if (str(body.send_by)) e.details.sendBy = str(body.send_by);
  if (typeof body.was_message_by_human === 'boolean') e.details.byHuman = body.was_message_by_human;
  if (isObject(body.referral)) e.details.referral = true;
  return e;
}
