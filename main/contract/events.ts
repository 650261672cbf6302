// The names every layer shares about events: provider ids, event groups, TimelinesAI's event types and their stale aliases.
/**
 * Pure data (no imports), so the renderer, the preload, the core and the shell all read the same lists.
 * Canonical event types are TimelinesAI's current names (docs/providers.md).
 */

export type ProviderId = 'timelines' | 'whatsable' | 'unknown';
export const PROVIDER_IDS: readonly ProviderId[] = ['timelines', 'whatsable', 'unknown'];

export type Direction = 'received' | 'sent';

/** Event groups the feed filters by; `unknown` is the payloads no provider recognised. */
export type EventGroupName = 'message' | 'chat' | 'account' | 'call' | 'waba' | 'unknown';
export const EVENT_GROUP_NAMES: readonly EventGroupName[] = ['message', 'chat', 'account', 'call', 'waba', 'unknown'];

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

/** Stale names from older TimelinesAI docs that still reach receivers (stored under the canonical name). */
export const TIMELINES_TYPE_ALIASES: Readonly<Record<string, TimelinesEventType>> = {
  'chat:created': 'chat:new',
  'chat:received:created': 'chat:incoming:new',
  'chat:sent:created': 'chat:outgoing:new',
  'chat:assigned': 'chat:responsible:assigned',
  'chat:unassigned': 'chat:responsible:unassigned',
};

/**
 * The type prefix of each group (`unknown` is the exact type `unknown`, not a prefix). `waba:` comes first
 * in `eventGroup`: a `waba:message:…` event is a WABA event, not a message one.
 */
export const EVENT_GROUP_PREFIXES: Readonly<Record<Exclude<EventGroupName, 'unknown'>, string>> = {
  waba: 'waba:',
  message: 'message:',
  chat: 'chat:',
  account: 'whatsapp:account:',
  call: 'call:',
};

export function isEventGroupName(v: unknown): v is EventGroupName {
  return typeof v === 'string' && (EVENT_GROUP_NAMES as readonly string[]).includes(v);
}

/** The group of an event type; `other` for a type of no group (an unfamiliar name stored as sent). */
export function eventGroup(type: string): EventGroupName | 'other' {
  if (type === 'unknown') return 'unknown';
  for (const [group, prefix] of Object.entries(EVENT_GROUP_PREFIXES)) {
    if (type.startsWith(prefix)) return group as EventGroupName;
  }
  return 'other';
}

/** The canonical name of an event type (a stale alias becomes today's name; anything else stays). */
export function canonicalEventType(type: string): string {
  return TIMELINES_TYPE_ALIASES[type] ?? type;
}
