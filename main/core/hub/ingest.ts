// Turns a hub event message back into what the local store ingests (a delivery and its normalized event), for a follower's sink.
import type { NormalizedEvent } from '../events.js';
import type { DeliveryRecord } from '../store/store.js';
import type { HubRecord } from './encoding.js';

/**
 * The follower stores a hub event like a delivery of its own: the raw body and the request's
 * (credential-free) headers as the hub kept them, status 200, and the normalized event as the hub
 * made it (not normalized again, so hub and followers agree even across Hookwatch versions).
 * `remoteAddr` names the hub, not the provider's address, which followers have no need for.
 */
export function hubEventToIngest(
  r: Extract<HubRecord, { kind: 'event' }>,
  hubName: string,
): { delivery: DeliveryRecord; events: NormalizedEvent[] } {
  const req = r.record.request;
  const body = r.bodyOmitted === null ? Buffer.from(r.body) : null;
  return {
    delivery: {
      receivedAt: r.record.receivedAt,
      method: req.method,
      path: req.path,
      forcedProvider: req.forcedProvider,
      remoteAddr: `hub:${hubName}`,
      status: 200,
      reason: r.bodyOmitted === null ? null : `body of ${r.bodyOmitted} bytes not published by the hub (broker max_payload)`,
      latencyMs: 0,
      size: req.size,
      contentType: r.contentType ?? req.contentType,
      headers: req.headers,
      body,
      bodyTruncated: req.bodyTruncated || r.bodyOmitted !== null,
    },
    events: [r.record.event],
  };
}
