// The public-URL family: the tunnel's public URL changed, so a pasted (not registered) webhook URL is stale.
import type { Emit } from './types.js';

/**
 * TimelinesAI webhooks are re-registered at the new URL by themselves; a WhatsAble webhook is pasted
 * by hand in its dashboard, so only the person can move it. One alert per real change (the tunnel
 * reports a change only when the verified URL differs from the one before).
 *
 * | signal                      | alert                 | severity | notifies |
 * |-----------------------------|-----------------------|----------|----------|
 * | public URL from A to B      | webhook-url-changed   | warning  | yes      |
 *
 * The alert's text names the public URL but NOT the full webhook URL: that one carries the webhook
 * secret, and alert texts are kept in the database, exported, and printed by `hookwatch serve`. The
 * Alerts screen and the desktop notification offer the full URL through a Copy action instead, built
 * from the current public URL when shown (main/core/api/service.ts, `copyText`).
 */
export interface UrlChangeSignal {
  kind: 'public-url';
  from: string;
  to: string;
  at: number;
}

export function onPublicUrlChange(signal: UrlChangeSignal, emit: Emit): void {
  emit({
    severity: 'warning',
    kind: 'webhook-url-changed',
    title: 'Your WhatsAble webhook URL changed',
    text:
      `The public URL moved from ${signal.from} to ${signal.to}. WhatsAble keeps sending to the old one: ` +
      'paste the new WhatsAble webhook URL (Copy) into WhatsAble > Operations > Webhooks. TimelinesAI is re-registered by itself.',
  });
}
