/** The interface every provider's webhook normalizer implements. */
import type { NormalizedEvent, ProviderId } from '../events.js';
import type { JsonObject } from '../json.js';

/**
 * One provider = one module behind this interface. Adding a provider (Meta Cloud API, say)
 * means one new file and one line in `registry.ts`.
 */
export interface ProviderPlugin {
  readonly id: Exclude<ProviderId, 'unknown'>;
  /** True when the body looks like one of this provider's payloads. Must be cheap and never throw. */
  detect(body: JsonObject): boolean;
  /**
   * How strongly the body looks like this provider's: 0 when `detect` is false, else the weight of
   * the provider's own fields it carries. The registry gives a body to the highest score, so a
   * stray field of one provider (an `event_type` string, say) cannot claim another's payload.
   */
  score(body: JsonObject): number;
  /**
   * One or more events (a v1 bundle carries several messages). May throw on a payload it
   * claimed but cannot read; the registry then stores the body as an unrecognized event.
   */
  normalize(body: JsonObject): NormalizedEvent[];
}
