/** TimelinesAI's event types as Hookwatch subscribes to them: the groups, the default choice, and `--events` parsing. */
import { TIMELINES_EVENT_TYPES, TIMELINES_TYPE_ALIASES } from '../../events.js';
import { RegistrationInputError } from '../webhook-url.js';

export const ACCOUNT_EVENT_TYPES = [
  'whatsapp:account:disconnected',
  'whatsapp:account:suspended',
  'whatsapp:account:connected',
  'whatsapp:account:resumed',
] as const;
export const ASSIGNMENT_EVENT_TYPES = ['chat:responsible:assigned', 'chat:responsible:unassigned'] as const;
/** One webhook for both directions: `message:new` costs one of the 10 slots where sent+received cost two. */
export const MESSAGE_EVENT_TYPES = ['message:new'] as const;

/**
 * The default subscription, most important first: when the webhook limit cuts the list short,
 * account outages (what Hookwatch alerts on) are registered before assignments.
 */
export const DEFAULT_SYNC_EVENT_TYPES: readonly string[] = [...ACCOUNT_EVENT_TYPES, ...ASSIGNMENT_EVENT_TYPES];

const EVENT_TYPE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  default: DEFAULT_SYNC_EVENT_TYPES,
  account: ACCOUNT_EVENT_TYPES,
  accounts: ACCOUNT_EVENT_TYPES,
  assignment: ASSIGNMENT_EVENT_TYPES,
  assignments: ASSIGNMENT_EVENT_TYPES,
  messages: MESSAGE_EVENT_TYPES,
};

/**
 * Parses a `--events` list: comma- or space-separated current event names, the groups
 * `default`, `account`, `assignment`, `messages`, and the stale names of older docs (translated:
 * the create API accepts only current names). Keeps the order given, without repeats.
 */
export function parseEventTypeList(text: string): string[] {
  const words = text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter((w) => w !== '');
  if (words.length === 0)
    throw new RegistrationInputError(
      `no event types given: name some, e.g. --events default,messages (groups: ${Object.keys(EVENT_TYPE_GROUPS).join(', ')})`,
    );
  const out: string[] = [];
  for (const w of words) {
    const lower = w.toLowerCase();
    const group = EVENT_TYPE_GROUPS[lower];
    const found = group ?? (isCurrentEventType(lower) ? [lower] : TIMELINES_TYPE_ALIASES[lower] ? [TIMELINES_TYPE_ALIASES[lower]!] : null);
    if (!found) {
      throw new RegistrationInputError(
        `'${w.slice(0, 60)}' is not a TimelinesAI event type or group: use names like whatsapp:account:disconnected or the groups ${Object.keys(EVENT_TYPE_GROUPS).join(', ')}`,
      );
    }
    for (const t of found) if (!out.includes(t)) out.push(t);
  }
  return out;
}

export function isCurrentEventType(t: string): boolean {
  return (TIMELINES_EVENT_TYPES as readonly string[]).includes(t);
}
