// Phone numbers to E.164 (pure, no imports): the store, the alerts and the event filter all spell a phone this way.
/**
 * Phone numbers in E.164 with a leading `+`.
 *
 * Providers disagree: TimelinesAI sends "+15551234567", its call and reaction
 * events send bare digits, WhatsAble sends digits without "+" and sometimes a
 * JSON number, WABA sends "+1 555 010 1234", and a JID looks like
 * "15551234567@s.whatsapp.net". Anything that does not become 6-15 digits is
 * not a phone number and gives null (the raw payload still has it).
 */
export function toE164(value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) return null;
    value = String(value);
  }
  if (typeof value !== 'string') return null;
  let text = value.trim();
  const at = text.indexOf('@');
  if (at >= 0) {
    // A JID: only person JIDs carry a phone; group JIDs (@g.us) do not.
    if (!/@s\.whatsapp\.net$|@c\.us$/i.test(text)) return null;
    text = text.slice(0, at).split(':')[0] ?? '';
  }
  text = text.replace(/[\s\-().\u00a0]/g, '');
  if (text.startsWith('00')) text = text.slice(2);
  else if (text.startsWith('+')) text = text.slice(1);
  if (!/^[1-9]\d{5,14}$/.test(text)) return null;
  return `+${text}`;
}
