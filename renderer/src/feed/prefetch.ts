// Fetches the first feed page before React mounts, so the first paint has rows.
import type { EventPage, HookwatchApi } from '../contract.js';

/** A prefetched page older than this is not used: the live stream may have moved on since. */
const FRESH_MS = 2000;

let prefetched: { page: EventPage; at: number } | null = null;

/**
 * Reads the feed's newest page while the scripts start, so its first paint can already show rows
 * instead of an empty list followed by a second render once a request made after that paint returns.
 */
export function prefetchFirstPage(api: HookwatchApi, limit: number): Promise<void> {
  return api.listEvents({ limit }).then(
    (page) => {
      prefetched = { page, at: Date.now() };
    },
    () => {
      // The feed asks again itself and shows the error then.
    },
  );
}

/** The prefetched first page of the unfiltered feed, if it is fresh. */
export function prefetchedFirstPage(now = Date.now()): EventPage | null {
  return prefetched && now - prefetched.at < FRESH_MS ? prefetched.page : null;
}
