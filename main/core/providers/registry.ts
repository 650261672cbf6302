/** The provider registry: which plugin reads a body, and the `unknown` event for bodies none can read. */
import { blankEvent, type NormalizedEvent, type ProviderId } from '../events.js';
import type { JsonObject } from '../json.js';
import { bodyHashKey } from './body-key.js';
import { timelinesProvider } from './timelines/webhook.js';
import type { ProviderPlugin } from './types.js';
import { whatsableProvider } from './whatsable/webhook.js';

/** Detection order matters only for bodies two providers could claim; none do today. */
export const PROVIDERS: readonly ProviderPlugin[] = [timelinesProvider, whatsableProvider];

export function providerById(id: string): ProviderPlugin | undefined {
  return PROVIDERS.find((p) => p.id === id);
}

export interface NormalizeOutcome {
  events: NormalizedEvent[];
  /** Set when a plugin claimed the body but failed to read it; the body is kept as an unrecognized event. */
  problem: string | null;
}

/**
 * Turns a JSON object into events. Never loses one: a body no provider recognises, or one a
 * provider fails on, becomes a single event of type `unknown` that keeps the raw request.
 * `forced` is the provider named in the URL (`/hooks/<secret>/<provider>`); it wins over detection.
 */
export function normalizeBody(body: JsonObject, forced?: ProviderPlugin): NormalizeOutcome {
  const plugin = forced ?? PROVIDERS.find((p) => safeDetect(p, body));
  if (!plugin) return { events: [unrecognized('unknown', body)], problem: null };
  if (forced && !safeDetect(forced, body)) {
    return { events: [unrecognized(forced.id, body)], problem: `body does not look like a ${forced.id} payload` };
  }
  try {
    const events = plugin.normalize(body);
    if (events.length === 0) return { events: [unrecognized(plugin.id, body)], problem: 'payload carried no events' };
    return { events, problem: null };
  } catch (err) {
    return { events: [unrecognized(plugin.id, body)], problem: `${plugin.id} normalizer failed: ${(err as Error).message}` };
  }
}

function safeDetect(p: ProviderPlugin, body: JsonObject): boolean {
  try {
    return p.detect(body);
  } catch {
    return false;
  }
}

function unrecognized(provider: ProviderId, body: JsonObject): NormalizedEvent {
  return blankEvent(provider, 'unknown', 'unknown', bodyHashKey(body));
}
