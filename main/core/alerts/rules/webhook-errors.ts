/**
 * Alert rules, provider webhook errors: a rising `errors_counter` (consecutive failed deliveries) is a warning.
 *
 * ## Webhook errors_counter (TimelinesAI: consecutive failed deliveries, never auto-disabled)
 *
 * | memory for the webhook | counter c seen in a poll           | alert                         |
 * |------------------------|------------------------------------|-------------------------------|
 * | none                   | c = 0                              | none                          |
 * | none                   | c > 0 (failing before we looked)   | webhook-errors warning        |
 * | p, streak not warned   | c > p                              | webhook-errors warning        |
 * | p, streak warned       | c > p                              | kept, folded (count = c)      |
 * | p                      | c = p                              | none                          |
 * | p                      | c < p (a delivery succeeded since) | c = 0: streak over, none;     |
 * |                        |                                    | c > 0: a new streak, warning  |
 * Webhooks missing from a poll were deleted: their memory is dropped (GET /webhooks is complete).
 */
import type { Emit, WebhookErrorsSample } from './types.js';

export interface WebhookMemory {
  errorsCounter: number;
  warned: boolean;
}

/** Keyed `<provider>:<webhook id>`. */
export type WebhooksMemory = Record<string, WebhookMemory>;

/** One poll of a provider's whole webhook list. Mutates `webhooks`. */
export function onWebhookErrors(webhooks: WebhooksMemory, provider: string, samples: readonly WebhookErrorsSample[], emit: Emit): void {
  const seen = new Set<string>();
  for (const w of samples) {
    const key = `${provider}:${w.id}`;
    seen.add(key);
    const c = Number.isFinite(w.errorsCounter) && w.errorsCounter > 0 ? Math.floor(w.errorsCounter) : 0;
    const m = webhooks[key];
    const p = m?.errorsCounter ?? 0;
    let warned = m?.warned ?? false;
    // The webhook URL carries the secret: name the webhook by its event type and id, never its URL.
    const what = `The ${providerName(provider)} webhook for ${w.eventType ?? 'an event type'} (id ${w.id})`;
    const title = w.eventType ?? `id ${w.id}`;
    const lost = 'Events whose delivery attempts all fail are lost; the provider does not disable the webhook.';
    if (c === 0) {
      warned = false;
    } else if (m === undefined || c < p || p === 0 || (c > p && !warned)) {
      // A new streak: first look, a drop (a delivery succeeded in between), or a rise from zero.
      const context =
        m === undefined ? 'when Hookwatch first looked' : c < p ? `(it was ${p}, so a delivery got through in between)` : `(was ${p})`;
      emit({
        severity: 'warning',
        kind: 'webhook-errors',
        title: `Webhook failing: ${title}`,
        text: `${what} had failed ${c} deliveries in a row ${context}. ${lost}`,
        count: c,
      });
      warned = true;
    } else if (c > p) {
      emit({
        severity: 'warning',
        kind: 'webhook-errors',
        title: `Webhook still failing: ${title}`,
        text: `${what} has now failed ${c} deliveries in a row (was ${p}). ${lost}`,
        count: c,
        folded: true,
      });
    }
    webhooks[key] = { errorsCounter: c, warned };
  }
  for (const key of Object.keys(webhooks)) {
    if (key.startsWith(`${provider}:`) && !seen.has(key)) delete webhooks[key];
  }
}

function providerName(provider: string): string {
  return provider === 'timelines' ? 'TimelinesAI' : provider === 'whatsable' ? 'WhatsAble' : provider;
}
