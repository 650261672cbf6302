// The normalized event: what every provider payload becomes, whatever its shape.
/**
 * The normalized event: what every provider payload becomes, whatever its shape.
 * Canonical event types are TimelinesAI's current names (see docs/providers.md).
 * The names shared with the UI (provider ids, groups, event types and aliases) live in the contract, so
 * the page and the core read one list; they are re-exported here for the core's own modules.
 */
import type { Direction, ProviderId } from '../contract/events.js';

export {
  canonicalEventType,
  EVENT_GROUP_NAMES,
  EVENT_GROUP_PREFIXES,
  eventGroup,
  isEventGroupName,
  PROVIDER_IDS,
  TIMELINES_EVENT_TYPES,
  TIMELINES_TYPE_ALIASES,
  type Direction,
  type EventGroupName,
  type ProviderId,
  type TimelinesEventType,
} from '../contract/events.js';

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
