/**
 * Chats and messages for the TimelinesAI stand-in (test/support/timelines-standin.ts), as the
 * Public API spec describes them, for catch-up tests and the catch-up benchmark:
 * - GET /chats (and /v2/chats): newest activity first (then name), 50 a page, `page` from 1,
 *   `has_more_pages`; a chat without messages sorts last.
 * - GET /chats/{chat_id}/messages (and /v2): `after` / `before` inclusive (ISO date or datetime),
 *   `after_message` / `before_message` (exclusive), `from_me`, `sorting_order` (default desc),
 *   50 a page, `has_more_pages`; 404 for an unknown chat.
 * - The rate limit, enforced like the real API when `enforceRate` is on: 30 requests/s per IP
 *   with a burst of 10, a 429 `{error, message}` with Retry-After beyond it.
 * The stand-in validates every request (query parameters included) and answer against the spec.
 */
import type { ApiMessage } from '../../main/core/catchup/api.js';
import type { TimelinesStandIn } from './timelines-standin.js';

export interface WorldChat {
  id: number;
  name: string;
  phone: string | null;
  jid: string;
  is_group: boolean;
  whatsapp_account_id: string;
  created: number;
  messages: WorldMessage[];
}

export interface WorldMessage {
  uid: string;
  /** Epoch ms, the WhatsApp time; the list is kept ordered by it (then by insertion). */
  at: number;
  from_me: boolean;
  text: string | null;
  message_type: string;
  seq: number;
}

export interface ChatsWorldOptions {
  /** Enforce 30 req/s + burst 10 (429 with Retry-After beyond). Default off. */
  enforceRate?: boolean;
  ratePerSecond?: number;
  burst?: number;
  now?: () => number;
}

export const ACCOUNT_JID = '972501111111@s.whatsapp.net';

export class ChatsWorld {
  readonly chats = new Map<number, WorldChat>();
  /** Requests the rate enforcement refused. */
  rateLimited = 0;
  private seq = 0;
  private tat = -Infinity;
  private readonly now: () => number;

  constructor(private readonly options: ChatsWorldOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Serves chats and messages from this world through the stand-in. */
  attach(standIn: TimelinesStandIn): this {
    standIn.addRoutes((method, path, query) => this.route(method, path, query));
    return this;
  }

  addChat(c: Partial<WorldChat> & { id: number }): WorldChat {
    const chat: WorldChat = {
      name: `Chat ${c.id}`,
      phone: `+1555${String(c.id).padStart(7, '0')}`,
      jid: `1555${String(c.id).padStart(7, '0')}@s.whatsapp.net`,
      is_group: false,
      whatsapp_account_id: ACCOUNT_JID,
      created: Date.UTC(2026, 0, 1),
      messages: [],
      ...c,
    };
    this.chats.set(chat.id, chat);
    return chat;
  }

  addMessage(
    chatId: number,
    m: Omit<WorldMessage, 'seq' | 'message_type' | 'text'> & { text?: string | null; message_type?: string },
  ): WorldMessage {
    const chat = this.chats.get(chatId) ?? this.addChat({ id: chatId });
    const msg: WorldMessage = { text: `message ${m.uid}`, message_type: 'whatsapp', ...m, seq: this.seq++ };
    chat.messages.push(msg);
    chat.messages.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return msg;
  }

  lastMessageAt(chat: WorldChat): number | null {
    return chat.messages.length ? chat.messages[chat.messages.length - 1]!.at : null;
  }

  private route(method: string, path: string, query: URLSearchParams): [number, unknown, Record<string, string>?] | null {
    if (method !== 'GET') return null;
    const p = path.startsWith('/v2/') ? path.slice(3) : path;
    if (p !== '/chats' && !/^\/chats\/[^/]+\/messages$/.test(p)) return null;
    const refused = this.takeRate();
    if (refused) return refused;
    if (p === '/chats') return this.listChats(query);
    const id = /^\/chats\/(\d+)\/messages$/.exec(p)?.[1];
    const chat = id === undefined ? undefined : this.chats.get(Number(id));
    if (!chat) return [404, { status: 'error', message: `Chat ${p.split('/')[2]} not found`, error_code: 'not_found' }];
    return this.listMessages(chat, query);
  }

  /**
   * GCRA at arrival: a request earlier than its slot minus the burst is refused. A server sees
   * arrivals, not sends, so it allows some jitter (20 ms: new connections, a busy test machine) on top of the burst; how
   * the real API counts is not documented.
   */
  private takeRate(): [number, unknown, Record<string, string>] | null {
    if (!this.options.enforceRate) return null;
    const interval = 1000 / (this.options.ratePerSecond ?? 30);
    const tolerance = ((this.options.burst ?? 10) - 1) * interval + 20;
    const now = this.now();
    const tat = Math.max(this.tat, now);
    if (tat - tolerance - now > 1e-6) {
      this.rateLimited++;
      const wait = tat - tolerance - now;
      return [
        429,
        { error: 'rate_limit_exceeded', message: 'Too many requests, slow down' },
        { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) },
      ];
    }
    this.tat = tat + interval;
    return null;
  }

  private listChats(query: URLSearchParams): [number, unknown] {
    const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
    const all = [...this.chats.values()].sort((a, b) => {
      const la = this.lastMessageAt(a) ?? -Infinity;
      const lb = this.lastMessageAt(b) ?? -Infinity;
      return lb - la || a.name.localeCompare(b.name) || a.id - b.id;
    });
    const slice = all.slice((page - 1) * 50, page * 50);
    return [200, { status: 'ok', data: { has_more_pages: page * 50 < all.length, chats: slice.map((c) => this.chatInfo(c)) } }];
  }

  private listMessages(chat: WorldChat, query: URLSearchParams): [number, unknown] {
    let list = chat.messages;
    const after = query.get('after');
    const before = query.get('before');
    if (after !== null) {
      const t = parseQueryTime(after, false);
      if (t === null) return badParam('after');
      list = list.filter((m) => m.at >= t);
    }
    if (before !== null) {
      const t = parseQueryTime(before, true);
      if (t === null) return badParam('before');
      list = list.filter((m) => m.at <= t);
    }
    for (const [name, keep] of [
      ['after_message', (i: number, k: number) => i > k],
      ['before_message', (i: number, k: number) => i < k],
    ] as const) {
      const uid = query.get(name);
      if (uid === null) continue;
      const k = chat.messages.findIndex((m) => m.uid === uid);
      if (k < 0) return [404, { status: 'error', message: `Message ${uid} not found`, error_code: 'not_found' }];
      list = list.filter((m) => keep(chat.messages.indexOf(m), k));
    }
    const fromMe = query.get('from_me');
    if (fromMe !== null) list = list.filter((m) => m.from_me === (fromMe === 'true'));
    const ordered = query.get('sorting_order') === 'asc' ? list : [...list].reverse();
    const page = ordered.slice(0, 50);
    return [200, { status: 'ok', data: { has_more_pages: ordered.length > 50, messages: page.map((m) => this.messageInfo(chat, m)) } }];
  }

  private chatInfo(c: WorldChat): Record<string, unknown> {
    const last = c.messages[c.messages.length - 1];
    const info: Record<string, unknown> = {
      id: c.id,
      name: c.name,
      jid: c.jid,
      is_group: c.is_group,
      closed: false,
      read: true,
      labels: [],
      chatgpt_autoresponse_enabled: false,
      whatsapp_account_id: c.whatsapp_account_id,
      chat_url: `https://app.timelines.ai/chat/${c.id}/messages/`,
      created_timestamp: providerTime(c.created),
      unattended: false,
      photo: '',
    };
    if (c.phone !== null) info['phone'] = c.phone;
    if (last) {
      info['last_message_uid'] = last.uid;
      info['last_message_timestamp'] = providerTime(last.at);
    }
    return info;
  }

  private messageInfo(c: WorldChat, m: WorldMessage): Record<string, unknown> {
    const us = { phone: '+972501111111', name: 'Dana Levi' };
    const them = { phone: c.phone ?? '', name: c.name };
    const [sender, recipient] = m.from_me ? [us, them] : [them, us];
    const info: Record<string, unknown> = {
      uid: m.uid,
      chat_id: c.id,
      timestamp: providerTime(m.at),
      received_timestamp: providerTime(m.at + 1000),
      sender_phone: sender.phone,
      sender_name: sender.name,
      recipient_phone: recipient.phone,
      recipient_name: recipient.name,
      from_me: m.from_me,
      status: m.from_me ? 'Delivered' : 'Read',
      origin: m.from_me ? 'Shared Inbox' : 'synced from WhatsApp',
      has_attachment: false,
      message_type: m.message_type,
      data: {},
      created_by: m.from_me ? 'Dana Levi' : '',
    };
    if (m.text !== null) info['text'] = m.text;
    return info;
  }
}

/** A message as the catch-up engine has read it from the API (main/core/catchup/api.ts): a plain text, nobody named. */
export function apiMessage(chatId: string, uid: string, occurredAt: number, fields: Partial<ApiMessage> = {}): ApiMessage {
  return {
    uid,
    chatId,
    occurredAt,
    fromMe: false,
    text: `message ${uid}`,
    messageType: 'whatsapp',
    origin: null,
    hasAttachment: false,
    senderName: null,
    senderPhone: null,
    recipientName: null,
    recipientPhone: null,
    raw: { uid },
    ...fields,
  };
}

/** `2024-01-15 10:30:00 +0000`, TimelinesAI's own format. */
export function providerTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * "ISO date or datetime". A bare date as a `before` bound covers that whole day (inclusive). A
 * value without a zone is read as UTC here; the spec does not say, which is why Hookwatch always
 * sends one.
 */
function parseQueryTime(v: string, endOfDay: boolean): number | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    return Number.isNaN(t) ? null : endOfDay ? t + 86_399_999 : t;
  }
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!m) return null;
  const zone = m[3] === undefined ? 'Z' : m[3];
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(t)) return null;
  // Inclusive to the second: `before 10:00:00` includes 10:00:00.999.
  return endOfDay && !m[2]!.includes('.') ? t + 999 : t;
}

function badParam(name: string): [number, unknown] {
  return [
    400,
    {
      status: 'error',
      message: 'Request validation failed',
      error_code: 'validation_error',
      errors: [{ fields: [name], msg: 'must be an ISO date or datetime' }],
    },
  ];
}
