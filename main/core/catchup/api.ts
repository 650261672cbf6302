/**
 * The narrow port the catch-up engine reads TimelinesAI through, and the shapes it reads, already
 * checked: two list calls, nothing else. Kept apart from the HTTP client so the engine can be
 * driven by anything that answers like the Public API's `GET /chats` and `GET /chats/{id}/messages`.
 */

/** One chat of `GET /chats` (the spec's ChatInfo), with what catch-up needs. */
export interface ApiChat {
  id: string;
  name: string | null;
  /** E.164 as sent; null for groups. */
  phone: string | null;
  jid: string | null;
  isGroup: boolean;
  /** The owning WhatsApp account's JID, e.g. `972501111111@s.whatsapp.net`. */
  accountId: string | null;
  /** The chat's latest message (epoch ms), or null: a chat without messages has no defined place in the list. */
  lastMessageAt: number | null;
}

/** One message of `GET /chats/{id}/messages` (the spec's MessageInfo). */
export interface ApiMessage {
  uid: string;
  chatId: string;
  /** WhatsApp's message time (epoch ms), or null when unreadable. */
  occurredAt: number | null;
  fromMe: boolean;
  text: string | null;
  /** `whatsapp`, `whatsapp_call`, `note`, `email`, `summary` (spec); compared case-insensitively. */
  messageType: string;
  origin: string | null;
  hasAttachment: boolean;
  senderName: string | null;
  senderPhone: string | null;
  recipientName: string | null;
  recipientPhone: string | null;
  /** The object exactly as the API sent it: kept as the recovered event's raw body. */
  raw: Record<string, unknown>;
}

export interface ChatPage {
  chats: ApiChat[];
  hasMore: boolean;
}

export interface MessagePage {
  messages: ApiMessage[];
  hasMore: boolean;
}

export interface MessageQuery {
  /** Inclusive bounds (epoch ms); the adapter sends them as UTC ISO datetimes. */
  after: number;
  before: number;
  /**
   * The last message already read in this chat (oldest first): the next page starts after it.
   * The spec gives the messages list no `page` parameter, only the `after_message` cursor, which
   * also makes a resumed catch-up continue exactly where it stopped.
   */
  afterMessage: string | null;
}

export interface CatchupApi {
  /** Chats ordered by their latest message, newest first; `page` starts at 1; 50 a page. */
  listChats(page: number): Promise<ChatPage>;
  /** The chat's messages in [after, before], oldest first, 50 a page. */
  listMessages(chatId: string, query: MessageQuery): Promise<MessagePage>;
}

/**
 * What the engine needs to know of a failed call; TimelinesApiError has these fields. `kind`
 * decides: `rate-limited` waits and retries, `not-found` skips a chat, transient kinds interrupt
 * (resume later), the rest stop the run with the error's message (it says what to do).
 */
export interface CatchupCallError {
  kind?: string;
  code?: string | null;
  status?: number | null;
  retryAfterMs?: number | null;
  message: string;
}
