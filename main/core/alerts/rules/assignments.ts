/**
 * Alert rules, chat assignments (info), per the assignmentAlerts setting.
 *
 * ## Chat assignments (info)
 *
 * | setting | assigned to me | taken from me (assigned to another) | unassigned from me | anything else |
 * |---------|----------------|-------------------------------------|--------------------|---------------|
 * | all     | alert          | alert                               | alert              | alert         |
 * | mine    | alert          | alert                               | alert              | nothing       |
 * | none    | nothing        | nothing                             | nothing            | nothing       |
 * "Nothing" means no alert at all (the setting chose not to hear of it), not a suppressed one.
 */
import { toE164 } from '../../phone.js';
import type { AlertSettings } from '../settings.js';
import type { AssignmentSignal, Emit, Person } from './types.js';

function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function personLabel(p: Person | null): string {
  if (!p) return 'someone';
  return p.name && p.email ? `${p.name} <${p.email}>` : (p.name ?? p.email ?? 'someone');
}

export function onAssignment(s: AssignmentSignal, settings: AlertSettings, emit: Emit): void {
  if (settings.assignmentAlerts === 'none') return;
  const me = settings.myEmail;
  const toMe = s.action === 'assigned' && sameEmail(s.responsible?.email, me);
  const fromMe = sameEmail(s.previous?.email, me) && !toMe;
  if (settings.assignmentAlerts === 'mine' && !toMe && !fromMe) return;
  const chat = s.chatName ?? (s.chatId !== null ? `chat ${s.chatId}` : 'a chat');
  let title: string;
  let text: string;
  if (s.action === 'assigned') {
    title = toMe ? `Chat assigned to you: ${chat}` : fromMe ? `Chat taken from you: ${chat}` : `Chat assigned: ${chat}`;
    text = `${chat} was assigned to ${toMe ? 'you' : personLabel(s.responsible)}${s.previous ? ` (before: ${fromMe ? 'you' : personLabel(s.previous)})` : ''}.`;
  } else {
    title = fromMe ? `Chat unassigned from you: ${chat}` : `Chat unassigned: ${chat}`;
    text = `${chat} is no longer assigned to ${fromMe ? 'you' : personLabel(s.previous)}.`;
  }
  const phone = s.accountPhone ? toE164(s.accountPhone) : null;
  emit({
    severity: 'info',
    kind: s.action === 'assigned' ? 'chat-assigned' : 'chat-unassigned',
    ...(phone ? { accountPhone: phone, accountKey: phone } : {}),
    ...(s.chatId !== null ? { chatId: s.chatId } : {}),
    title,
    text,
    ...(s.eventId !== null ? { eventId: s.eventId } : {}),
  });
}
