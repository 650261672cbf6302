/** Reading alert signals out of stored or normalized events: the payload side of the rules, kept apart from the decisions. */
import type { AssignmentSignal, Person } from './types.js';

/** Input for assignment alerts from a stored or normalized event. */
export interface AssignmentEventInput {
  id?: number | null;
  type: string;
  accountPhone: string | null;
  chatId: string | null;
  chatName: string | null;
  details: Record<string, unknown>;
}

function personOf(value: unknown): Person | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const name = typeof v.name === 'string' && v.name.trim() ? v.name.trim() : null;
  const email = typeof v.email === 'string' && v.email.trim() ? v.email.trim() : null;
  return name || email ? { name, email } : null;
}

/**
 * The assignment signal of an event, or null for other events. TimelinesAI's
 * `chat:responsible:*` carry `responsible_*` and `previous_responsible_*` (on unassign only the
 * previous one); WABA's `waba:chat:assigned` carries `responsible`, `waba:chat:unassigned` no one.
 */
export function assignmentSignalFromEvent(e: AssignmentEventInput): AssignmentSignal | null {
  let action: 'assigned' | 'unassigned';
  if (e.type === 'chat:responsible:assigned' || e.type === 'waba:chat:assigned') action = 'assigned';
  else if (e.type === 'chat:responsible:unassigned' || e.type === 'waba:chat:unassigned') action = 'unassigned';
  else return null;
  return {
    kind: 'assignment',
    action,
    eventId: e.id ?? null,
    chatId: e.chatId,
    chatName: e.chatName,
    accountPhone: e.accountPhone,
    responsible: action === 'assigned' ? personOf(e.details.responsible) : null,
    previous: personOf(e.details.previousResponsible),
  };
}
