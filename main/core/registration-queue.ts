/** Registering Hookwatch's webhooks with TimelinesAI: one sync at a time, health kept, outcomes reported. */
import type { TimelinesApiClient } from './providers/timelines/api.js';
import { TimelinesApiError } from './providers/timelines/errors.js';
import { syncTimelinesWebhooks, type TimelinesSyncReport, type TimelinesWebhookHealth } from './providers/timelines/sync.js';
import type { HookwatchStore } from './store/store.js';

export type RegistrationOutcome = { ok: true; url: string; report: TimelinesSyncReport } | { ok: false; url: string; error: string };

/** What a registration reads (the secrets) and writes (the provider's view of our webhooks). */
export type RegistrationStore = Pick<HookwatchStore, 'webhookSecret' | 'formerWebhookSecrets' | 'recordProviderWebhooks'>;

export interface RegisterOnceOptions {
  publicUrl: string;
  eventTypes?: string[] | undefined;
  dryRun?: boolean;
  /** Accept a loopback/private public URL (HOOKWATCH_ALLOW_LOCAL_URL=1: tests with a local tunnel server). */
  allowLocalUrl: boolean;
}

/**
 * One sync at the given public URL: lists, plans and (unless a dry run) applies, then keeps what
 * TimelinesAI said of our webhooks for health and the errors_counter alert. Throws what the sync
 * throws (TimelinesApiError, RegistrationInputError); `hookwatch register` and the queue below both
 * run exactly this.
 */
export async function registerOnce(
  client: TimelinesApiClient,
  store: RegistrationStore,
  o: RegisterOnceOptions,
): Promise<TimelinesSyncReport> {
  const { report } = await syncTimelinesWebhooks(client, {
    publicUrl: o.publicUrl,
    secret: store.webhookSecret(),
    formerSecrets: store.formerWebhookSecrets(),
    allowLocalUrl: o.allowLocalUrl,
    ...(o.dryRun ? { dryRun: true } : {}),
    ...(o.eventTypes ? { eventTypes: o.eventTypes } : {}),
  });
  if (!report.dryRun) recordSyncHealth(store, report.health);
  return report;
}

/** Keeps what the provider said of our webhooks, for the health view and the errors_counter alert. */
export function recordSyncHealth(store: Pick<HookwatchStore, 'recordProviderWebhooks'>, health: readonly TimelinesWebhookHealth[]): void {
  store.recordProviderWebhooks(
    'timelines',
    health.map((h) => ({
      webhookId: String(h.webhookId),
      eventType: h.eventType,
      enabled: h.enabled,
      errorsCounter: h.errorsCounter,
      pointsAtCurrentUrl: h.pointsAtCurrentUrl,
      chosen: h.chosen,
    })),
  );
}

export const NO_TOKEN = 'no TimelinesAI token is set';

export interface RegistrationQueueOptions {
  client: TimelinesApiClient;
  store: RegistrationStore;
  /** Read at each run: the command line's choice, else the remembered one, else the default (undefined). */
  eventTypes: () => string[] | undefined;
  hasToken: () => Promise<boolean>;
  /** True once the owner is shutting down: queued runs end without calling the API. */
  stopping: () => boolean;
  allowLocalUrl: boolean;
  /** After each finished sync, with the health of our webhooks (the core feeds its alert rules). */
  onHealth?: (health: readonly TimelinesWebhookHealth[]) => void;
  /** Every outcome worth telling, in order (not "no token" for an automatic run: the setup screen says how). */
  onOutcome?: (outcome: RegistrationOutcome) => void;
}

/**
 * Serializes registrations: each public URL the tunnel reports is synced after the previous one
 * finished, in order, so the latest URL is the one TimelinesAI ends up with even when the tunnel
 * changes address while a sync is still talking to the API.
 */
export class RegistrationQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: RegistrationQueueOptions) {}

  /**
   * Queues a sync at `url`. `automatic`: started by a tunnel URL change, so a missing token is not
   * an error worth reporting (nothing to register yet); a person's "Register" reports it.
   */
  enqueue(url: string, automatic: boolean): Promise<RegistrationOutcome> {
    const run = this.tail.then(() => this.runOne(url, automatic));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every queued sync has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }

  private async runOne(url: string, automatic: boolean): Promise<RegistrationOutcome> {
    if (this.o.stopping()) return { ok: false, url, error: 'Hookwatch is stopping' };
    if (automatic && !(await this.o.hasToken())) return { ok: false, url, error: NO_TOKEN };
    let outcome: RegistrationOutcome;
    try {
      const report = await registerOnce(this.o.client, this.o.store, {
        publicUrl: url,
        eventTypes: this.o.eventTypes(),
        allowLocalUrl: this.o.allowLocalUrl,
      });
      this.o.onHealth?.(report.health);
      outcome = { ok: true, url, report };
    } catch (err) {
      outcome = {
        ok: false,
        url,
        error: err instanceof TimelinesApiError ? err.message : `registration failed: ${(err as Error).message}`,
      };
    }
    this.o.onOutcome?.(outcome);
    return outcome;
  }
}
