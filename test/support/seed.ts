// Shared store seeding for tests: a delivery as the receiver records it, events stored one delivery each, an office-hours history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderId } from '../../main/contract/api.js';
import { blankEvent } from '../../main/core/events.js';
import { databasePath } from '../../main/core/paths.js';
import { HookwatchStore, type CommittedDelivery, type DeliveryRecord } from '../../main/core/store/store.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** An accepted webhook delivery received at `receivedAt`, with a small JSON body, as the receiver writes it. */
export function webhookDelivery(receivedAt: number, body: Buffer = Buffer.from('{}')): DeliveryRecord {
  return {
    receivedAt,
    method: 'POST',
    path: '/hooks/{secret}',
    forcedProvider: null,
    remoteAddr: null,
    status: 200,
    reason: null,
    latencyMs: 1,
    size: body.length,
    contentType: 'application/json',
    headers: {},
    body,
    bodyTruncated: false,
  };
}

/** Weekdays 09:00-18:00 UTC: an event every 4-12 minutes (deterministic), from `from` until `until`. */
export function officeHistory(from: number, until: number): number[] {
  const out: number[] = [];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let day = from; day < until; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let t = day + 9 * HOUR; t < day + 18 * HOUR && t < until; t += (4 + rand() * 8) * MIN) out.push(Math.round(t));
  }
  return out;
}

/** Whose events to store: the provider, the type and the account fields each event carries. */
export interface SeedAccount {
  provider: ProviderId;
  type: string;
  phone: string | null;
  name?: string;
  accountId?: string;
}

let seq = 0;

/**
 * Stores one event of `account` at each instant (received then, occurred then), one delivery each as the
 * receiver would, in one transaction; returns what each commit stored. Dedupe keys are unique per process.
 */
export function ingestAt(store: HookwatchStore, at: readonly number[], account: SeedAccount): CommittedDelivery[] {
  return store.transaction(() =>
    at.map((t) => {
      const ev = blankEvent(account.provider, account.provider, account.type, `seed:${seq++}`);
      ev.accountPhone = account.phone;
      ev.accountId = account.accountId ?? null;
      ev.accountName = account.name ?? null;
      ev.occurredAt = t;
      return store.ingest(webhookDelivery(t), [ev]);
    }),
  );
}

/**
 * A store in a fresh temp folder, where `hookwatch --data <dir>` finds it (durability normal: tests need no
 * power-cut safety); `close` closes it and removes the folder.
 */
export function tempStore(prefix = 'hookwatch-store-'): { store: HookwatchStore; dir: string; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = HookwatchStore.open(databasePath(dir), { durability: 'normal' });
  return {
    store,
    dir,
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
