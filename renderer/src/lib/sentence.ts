// Plain sentences and meanings for event types, so the feed says what happened instead of showing a machine name (pure).
import type { EventSummary } from '../contract.js';

/** What an event means to the reader; the feed colours by this, not by the event's group. */
export type EventTone = 'down' | 'up' | 'info';

type Who = { chat: string; account: string; assignee: string | null };
const SENTENCES: Record<string, (w: Who) => string> = {
  'message:new': (w) => `Message in the chat with ${w.chat}`,
  'message:sent:new': (w) => `Message sent to ${w.chat}`,
  'message:received:new': (w) => `Message from ${w.chat}`,
  'whatsapp:account:connected': (w) => `${w.account} connected`,
  'whatsapp:account:disconnected': (w) => `${w.account} disconnected`,
  'whatsapp:account:suspended': (w) => `${w.account} was suspended`,
  'whatsapp:account:resumed': (w) => `${w.account} is back`,
  'chat:new': (w) => `New chat with ${w.chat}`,
  'chat:incoming:new': (w) => `${w.chat} started a chat`,
  'chat:outgoing:new': (w) => `Chat started with ${w.chat}`,
  'chat:responsible:assigned': (w) => (w.assignee ? `Chat with ${w.chat} assigned to ${w.assignee}` : `Chat with ${w.chat} assigned`),
  'chat:responsible:unassigned': (w) => `Chat with ${w.chat} unassigned`,
  'call:incoming:missed': (w) => `Missed call from ${w.chat}`,
  'call:incoming:ended': (w) => `Call from ${w.chat} ended`,
  'call:outgoing:ended': (w) => `Call to ${w.chat} ended`,
  'message:reaction': (w) => `${w.chat} reacted to a message`,
  'waba:message:received': (w) => `Message from ${w.chat}`,
  'waba:message:delivered': (w) => `Message to ${w.chat} delivered`,
  'waba:message:failed': (w) => `Message to ${w.chat} failed`,
  'waba:message:read': (w) => `${w.chat} read a message`,
  'waba:account:active': (w) => `${w.account} is active`,
  'waba:account:disabled': (w) => `${w.account} was disabled`,
  'waba:account:disconnected': (w) => `${w.account} disconnected`,
  'waba:template:approved': () => 'Message template approved',
  'waba:template:rejected': () => 'Message template rejected',
  'waba:template:disabled': () => 'Message template disabled',
  'waba:chat:incoming': (w) => `${w.chat} started a chat`,
  'waba:chat:outgoing': (w) => `Chat started with ${w.chat}`,
  'waba:chat:assigned': (w) => (w.assignee ? `Chat with ${w.chat} assigned to ${w.assignee}` : `Chat with ${w.chat} assigned`),
  'waba:chat:unassigned': (w) => `Chat with ${w.chat} unassigned`,
  'waba:chat:closed': (w) => `Chat with ${w.chat} closed`,
  'waba:chat:reopened': (w) => `Chat with ${w.chat} reopened`,
  unknown: () => 'A request no provider recognised',
};

const DOWN = new Set([
  'whatsapp:account:disconnected',
  'whatsapp:account:suspended',
  'waba:account:disabled',
  'waba:account:disconnected',
  'waba:message:failed',
  'waba:template:rejected',
  'waba:template:disabled',
  'call:incoming:missed',
]);
const UP = new Set(['whatsapp:account:connected', 'whatsapp:account:resumed', 'waba:account:active', 'waba:template:approved']);

export function eventTone(type: string): EventTone {
  return DOWN.has(type) ? 'down' : UP.has(type) ? 'up' : 'info';
}

/** True for an id that means nothing to a person (a WhatsAble user UUID, a WhatsApp JID). */
function opaque(id: string): boolean {
  return id.length > 16 || id.includes('@');
}

/** The contact: chat name, else its phone, else the chat id. */
export function contactOf(e: Pick<EventSummary, 'chatName' | 'chatPhone' | 'chatId'>): string | null {
  return e.chatName ?? e.chatPhone ?? (e.chatId ? `chat ${e.chatId}` : null);
}

/** The WhatsApp number: its name, else its phone; an opaque account id only when nothing else is known. */
export function accountOf(e: Pick<EventSummary, 'accountName' | 'accountPhone' | 'accountId'>, allowOpaque = false): string | null {
  if (e.accountName ?? e.accountPhone) return e.accountName ?? e.accountPhone;
  if (e.accountId && (allowOpaque || !opaque(e.accountId))) return e.accountId;
  return null;
}

/** Who the event is about: the number for account events, else the contact. */
export function eventWho(e: EventSummary): string {
  const account = accountOf(e);
  const contact = contactOf(e);
  if (e.group === 'account' || e.type.startsWith('waba:account:')) return account ?? 'A WhatsApp number';
  return contact ?? account ?? '';
}

/** The assignee out of the core's note ("assigned to Alex Agent · previously …"). */
function assigneeOf(note: string | null): string | null {
  const m = note ? /assigned to ([^·]+)/.exec(note) : null;
  return m?.[1] ? m[1].trim() : null;
}

/** One plain sentence saying what happened, for rows without message text. */
export function eventSentence(e: EventSummary): string {
  const w: Who = {
    chat: contactOf(e) ?? 'a contact',
    account: accountOf(e) ?? 'A WhatsApp number',
    assignee: assigneeOf(e.note),
  };
  if (e.type === 'message:new' && e.direction)
    return (SENTENCES[e.direction === 'sent' ? 'message:sent:new' : 'message:received:new'] as (w: Who) => string)(w);
  const make = SENTENCES[e.type];
  if (make) return make(w);
  return `Event “${e.type}”`;
}

/** All event types this file has a sentence for (the test checks it covers the contract's list). */
export const SENTENCE_TYPES: readonly string[] = Object.keys(SENTENCES);
