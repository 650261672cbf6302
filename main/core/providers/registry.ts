/** The provider registry: which plugin reads a body, and the `unknown` event for bodies none can read. */
import { blankEvent, PROVIDER_IDS, type NormalizedEvent, type ProviderId } from '../events.js';
import type { JsonObject } from '../json.js';
import { bodyHashKey } from './body-key.js';
import { timelinesProvider } from './timelines/webhook.js';
import type { ProviderPlugin } from './types.js';
import { whatsableProvider } from './whatsable/webhook.js';

/**
 * One plugin per provider id of events.ts's PROVIDER_IDS (the one list of ids): a new id without a
 * plugin here does not compile. `unknown` names bodies no plugin reads, so it has none.
 */
const PLUGINS: { readonly [id in Exclude<ProviderId, 'unknown'>]: ProviderPlugin & { id: id } } = {
  timelines: timelinesProvider,
  whatsable: whatsableProvider,
};

/** In PROVIDER_IDS order, which also breaks a detection tie (see detectProvider). */
export const PROVIDERS: readonly ProviderPlugin[] = PROVIDER_IDS.flatMap((id) => (id === 'unknown' ? [] : [PLUGINS[id]]));

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
  const plugin = forced ?? detectProvider(body);
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

/**
 * The provider whose fields the body carries most of (each plugin's `score`), not the first that
 * could claim it: a WhatsAble snapshot that happens to carry an `event_type` string is still
 * WhatsAble's. A tie goes to the earlier plugin in PROVIDERS.
 */
export function detectProvider(body: JsonObject): ProviderPlugin | undefined {
  let best: ProviderPlugin | undefined;
  let bestScore = 0;
  for (const p of PROVIDERS) {
    const s = safeScore(p, body);
    if (s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}

function safeScore(p: ProviderPlugin, body: JsonObject): number {
  try {
    const s = p.score(body);
    return Number.isFinite(s) && s > 0 ? s : 0;
  } catch {
    return 0;
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
