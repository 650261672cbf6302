/**
 * The normalized event: what every provider payload becomes, whatever its shape.
 * Canonical event types are TimelinesAI's current names (see docs/providers.md).
 */

export type ProviderId = 'timelines' | 'whatsable' | 'unknown';
export const PROVIDER_IDS: readonly ProviderId[] = ['timelines', 'whatsable', 'unknown'];

export type Direction = 'received' | 'sent';

export interface NormalizedEvent {
  provider: ProviderId;
  /** Which payload shape was recognised, e.g. `timelines.v2`, `timelines.v1.bundle`, `whatsable`, `unknown`. */
  shape: string;
  /** Canonical event type; an unknown `event_type` is kept as sent; `unknown` when the payload has none we can tell. */
  type: string;
  /** The event type exactly as the provider named it, when that differs from `type` (stale aliases). */
  originalType: string | null;
  /** With provider and type, identifies a redelivery of the same event (see each provider for the choice). */
  dedupeKey: string;
  /** When it happened, per the provider (epoch ms, UTC); null when the payload does not say. */
  occurredAt: number | null;
  accountPhone: string | null;
  accountId: string | null;
  accountName: string | null;
  chatId: string | null;
  chatName: string | null;
  chatPhone: string | null;
  messageUid: string | null;
  direction: Direction | null;
  text: string | null;
  /** Further normalized facts (account status, responsible, call status, ...). Small; the raw body has the rest. */
  details: Record<string, unknown>;
}

/** Every TimelinesAI v2 event type, in the order of the webhook spec. */
export const TIMELINES_EVENT_TYPES = [
  'message:new',
  'message:sent:new',
  'message:received:new',
  'whatsapp:account:connected',
  'whatsapp:account:disconnected',
  'whatsapp:account:suspended',
  'whatsapp:account:resumed',
  'chat:new',
  'chat:incoming:new',
  'chat:outgoing:new',
  'chat:responsible:assigned',
  'chat:responsible:unassigned',
  'call:incoming:missed',
  'call:incoming:ended',
  'call:outgoing:ended',
  'message:reaction',
  'waba:message:received',
  'waba:message:delivered',
  'waba:message:failed',
  'waba:message:read',
  'waba:account:active',
  'waba:account:disabled',
  'waba:account:disconnected',
  'waba:template:approved',
  'waba:template:rejected',
  'waba:template:disabled',
  'waba:chat:incoming',
  'waba:chat:outgoing',
  'waba:chat:assigned',
  'waba:chat:unassigned',
  'waba:chat:closed',
  'waba:chat:reopened',
] as const;

export type TimelinesEventType = (typeof TIMELINES_EVENT_TYPES)[number];

/** Stale names from older TimelinesAI docs (seeds 000/001) that still reach receivers. */
export const TIMELINES_TYPE_ALIASES: Readonly<Record<string, TimelinesEventType>> = {
  'chat:created': 'chat:new',
  'chat:received:created': 'chat:incoming:new',
  'chat:sent:created': 'chat:outgoing:new',
  'chat:assigned': 'chat:responsible:assigned',
  'chat:unassigned': 'chat:responsible:unassigned',
};

export type EventGroup = 'message' | 'chat' | 'account' | 'call' | 'waba' | 'other';

export function eventGroup(type: string): EventGroup {
  if (type.startsWith('waba:')) return 'waba';
  if (type.startsWith('message:')) return 'message';
  if (type.startsWith('chat:')) return 'chat';
  if (type.startsWith('whatsapp:account:')) return 'account';
  if (type.startsWith('call:')) return 'call';
  return 'other';
}

/** A blank event of a provider and shape, to be filled in by a normalizer. */
export function blankEvent(provider: ProviderId, shape: string, type: string, dedupeKey: string): NormalizedEvent {
  return {
    provider,
    shape,
    type,
    originalType: null,
    dedupeKey,
    occurredAt: null,
    accountPhone: null,
    accountId: null,
    accountName: null,
    chatId: null,
    chatName: null,
    chatPhone: null,
    messageUid: null,
    direction: null,
    text: null,
    details: {},
  };
}
