// The provider_webhooks table: our webhooks as the provider last listed them (errors_counter feeds health and alerts).
import type { Db } from './db.js';
import { asRow, flag, num, str, strOrNull, type SqlRow } from './hydrate.js';

export interface ProviderWebhookHealth {
  provider: string;
  webhookId: string;
  eventType: string | null;
  enabled: boolean;
  errorsCounter: number;
  pointsAtCurrentUrl: boolean;
  chosen: boolean;
  checkedAt: number;
}

const T = 'provider_webhooks';

export function hydrateProviderWebhook(r: SqlRow): ProviderWebhookHealth {
  return {
    provider: str(r, T, 'provider'),
    webhookId: str(r, T, 'webhook_id'),
    eventType: strOrNull(r, T, 'event_type'),
    enabled: flag(r, T, 'enabled'),
    errorsCounter: num(r, T, 'errors_counter'),
    pointsAtCurrentUrl: flag(r, T, 'points_at_current_url'),
    chosen: flag(r, T, 'chosen'),
    checkedAt: num(r, T, 'checked_at'),
  };
}

export class ProviderWebhooksTable {
  constructor(private readonly db: Db) {}

  /** Replaces what we know of one provider's webhooks with its latest listing. */
  replace(provider: string, rows: ReadonlyArray<Omit<ProviderWebhookHealth, 'provider' | 'checkedAt'>>, at: number): void {
    const put = this.db.cached(`INSERT INTO provider_webhooks
      (provider, webhook_id, event_type, enabled, errors_counter, points_at_current_url, chosen, checked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      this.db.cached('DELETE FROM provider_webhooks WHERE provider = ?').run(provider);
      for (const r of rows)
        put.run(provider, r.webhookId, r.eventType, r.enabled ? 1 : 0, r.errorsCounter, r.pointsAtCurrentUrl ? 1 : 0, r.chosen ? 1 : 0, at);
    });
  }

  list(): ProviderWebhookHealth[] {
    return this.db
      .cached('SELECT * FROM provider_webhooks ORDER BY provider, event_type')
      .all()
      .map((r) => hydrateProviderWebhook(asRow(r, T)));
  }
}
