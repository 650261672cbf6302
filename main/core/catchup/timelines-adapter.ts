/**
 * Reads chats and messages for catch-up through the TimelinesAI Public API client, so catch-up
 * shares the client's rate limiter (30 requests/s per IP, its burst one short of the server's 10, shared with every
 * other call Hookwatch makes), its 429/Retry-After and 5xx retries, its error wording and its
 * token handling (never logged). Answers are checked here and turned into the engine's shapes.
 */
import { parseProviderTime } from '../time.js';
import type { TimelinesApiClient } from '../providers/timelines/api.js';
import { TimelinesApiError } from '../providers/timelines/errors.js';
import type { ApiChat, ApiMessage, CatchupApi, ChatPage, MessagePage, MessageQuery } from './api.js';

/** A GET of a Public API path with a query, answering the parsed JSON body (errors thrown as TimelinesApiError). */
export interface TimelinesGetJson {
  getJson(path: string, query: Record<string, string>): Promise<unknown>;
}

/** The client's own GET: catch-up goes through its one limiter, retries and answer cap. */
export function clientGetJson(client: TimelinesApiClient): TimelinesGetJson {
  return { getJson: (path, query) => client.getJson(path, query) };
}

export interface TimelinesCatchupOptions {
  /** `/v2/...` lists only what the token's own member may see; v1 (default) is the whole workspace. */
  version?: 'v1' | 'v2';
}

export function timelinesCatchupApi(http: TimelinesGetJson, options: TimelinesCatchupOptions = {}): CatchupApi {
  const root = options.version === 'v2' ? '/v2' : '';
  return {
    async listChats(page: number): Promise<ChatPage> {
      const path = `${root}/chats`;
      const body = await http.getJson(path, { page: String(page) });
      const data = dataOf(body, path);
      const list = data['chats'];
      if (!Array.isArray(list)) throw unexpected(path, 'data.chats was not an array');
      return { chats: list.map((c, i) => chatFrom(c, path, i)), hasMore: data['has_more_pages'] === true };
    },
    async listMessages(chatId: string, q: MessageQuery): Promise<MessagePage> {
      if (!/^\d{1,18}$/.test(chatId))
        throw unexpected(`${root}/chats/{chat_id}/messages`, `chat id '${chatId.slice(0, 40)}' is not a number`);
      const path = `${root}/chats/${chatId}/messages`;
      const query: Record<string, string> = { after: isoUtc(q.after), before: isoUtc(q.before), sorting_order: 'asc' };
      if (q.afterMessage) query['after_message'] = q.afterMessage;
      const body = await http.getJson(path, query);
      const data = dataOf(body, path);
      const list = data['messages'];
      if (!Array.isArray(list)) throw unexpected(path, 'data.messages was not an array');
      return { messages: list.map((m, i) => messageFrom(m, chatId, path, i)), hasMore: data['has_more_pages'] === true };
    },
  };
}

/** The spec leaves the zone of a bare datetime open: always send UTC with its `Z`, whole seconds. */
export function isoUtc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function chatFrom(v: unknown, path: string, i: number): ApiChat {
  if (!isRecord(v)) throw unexpected(path, `chat ${i + 1} was not an object`);
  const id = idOf(v['id']);
  if (id === null) throw unexpected(path, `chat ${i + 1} had no id`);
  return {
    id,
    name: text(v['name']),
    phone: text(v['phone']),
    jid: text(v['jid']),
    isGroup: v['is_group'] === true,
    accountId: text(v['whatsapp_account_id']),
    lastMessageAt: parseProviderTime(v['last_message_timestamp']),
  };
}

function messageFrom(v: unknown, chatId: string, path: string, i: number): ApiMessage {
  if (!isRecord(v)) throw unexpected(path, `message ${i + 1} was not an object`);
  const uid = text(v['uid']);
  if (uid === null) throw unexpected(path, `message ${i + 1} had no uid`);
  return {
    uid,
    chatId: idOf(v['chat_id']) ?? chatId,
    occurredAt: parseProviderTime(v['timestamp']),
    fromMe: v['from_me'] === true,
    // Attachment-only and call messages have a null text (the prose says so; the schema does not).
    text: text(v['text']),
    messageType: text(v['message_type']) ?? 'whatsapp',
    origin: text(v['origin']),
    hasAttachment: v['has_attachment'] === true,
    senderName: text(v['sender_name']),
    senderPhone: text(v['sender_phone']),
    recipientName: text(v['recipient_name']),
    recipientPhone: text(v['recipient_phone']),
    raw: v,
  };
}

function dataOf(body: unknown, path: string): Record<string, unknown> {
  const data = isRecord(body) ? body['data'] : undefined;
  if (!isRecord(data)) throw unexpected(path, 'the answer had no data object');
  return data;
}

function unexpected(path: string, detail: string): TimelinesApiError {
  return new TimelinesApiError({
    kind: 'unexpected',
    method: 'GET',
    path,
    message: `TimelinesAI answered GET ${path} in a form Hookwatch does not know (${detail}): the API may have changed; Hookwatch needs an update`,
  });
}

function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^\d{1,18}$/.test(v)) return v;
  return null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
