/**
 * Turns a message read back from the TimelinesAI API into the event its webhook would have
 * stored, marked as recovered, with the same dedupe key (`uid:<message_uid>`) so a webhook that
 * still arrives for it is recognised as a redelivery, not stored a second time.
 */
import { blankEvent, type NormalizedEvent } from '../events.js';
import { toE164 } from '../phone.js';
import type { ApiChat, ApiMessage } from './api.js';

/** The shape that marks a recovered event: feed and detail show "recovered" for it. */
export const RECOVERED_SHAPE = 'timelines.catchup';

/** `details.recovered` of a recovered event. */
export interface RecoveredMarker {
  /** The gap it was missed in (epoch ms). */
  gapStart: number;
  gapEnd: number;
  /** When catch-up read it from the API. */
  fetchedAt: number;
}

/** A recovered message: the event to store and the API's object for its raw body. */
export interface RecoveredMessage {
  event: NormalizedEvent;
  raw: Record<string, unknown>;
  chatId: string;
}

export function isRecovered(e: Pick<NormalizedEvent, 'shape'>): boolean {
  return e.shape === RECOVERED_SHAPE;
}

/**
 * Only WhatsApp messages have message webhooks; notes, e-mails and summaries are TimelinesAI's
 * own records, and calls arrive as `call:*` events under another key, so recovering those as
 * messages would invent events no webhook ever sends.
 */
export function isRecoverableMessage(m: Pick<ApiMessage, 'messageType'>): boolean {
  return m.messageType.toLowerCase() === 'whatsapp';
}

export function recoveredEvent(chat: ApiChat, m: ApiMessage, marker: RecoveredMarker): NormalizedEvent {
  // from_me is the API's direction: sent from one of our sessions, else received.
  const type = m.fromMe ? 'message:sent:new' : 'message:received:new';
  const e = blankEvent('timelines', RECOVERED_SHAPE, type, `uid:${m.uid}`);
  e.messageUid = m.uid;
  e.direction = m.fromMe ? 'sent' : 'received';
  e.text = m.text;
  e.occurredAt = m.occurredAt;
  e.chatId = m.chatId;
  e.chatName = chat.name;
  // As the webhook normalizer: the chat's phone, else its JID's number (null for groups).
  e.chatPhone = toE164(chat.phone) ?? (chat.isGroup ? null : toE164(chat.jid));
  e.accountId = chat.accountId;
  e.accountPhone = toE164(chat.accountId);
  e.details.recovered = { ...marker };
  if (m.origin) e.details.origin = m.origin;
  if (m.hasAttachment) e.details.attachments = 1;
  const other = m.fromMe ? { name: m.recipientName, phone: m.recipientPhone } : { name: m.senderName, phone: m.senderPhone };
  if (other.name || other.phone) e.details[m.fromMe ? 'recipient' : 'sender'] = { name: other.name, phone: toE164(other.phone) };
  return e;
}
