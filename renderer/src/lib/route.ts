// The page's routes in the URL's hash: which screen, and on it which event is open or which account card is shown.
import type { ScreenName } from '../contract.js';

export type Screen = ScreenName;

export interface Route {
  screen: Screen;
  eventId: number | null;
  /** On Accounts: the card to bring into view (an account key, as incidents and the status strip name it). */
  account?: string;
}

const SCREEN_NAMES: readonly Screen[] = ['feed', 'accounts', 'health', 'alerts', 'settings', 'setup'];

/**
 * `#/feed`, `#/feed/123` (an event open), `#/accounts/%2B15551234567` (a card brought into view), `#/health`, …
 * Hash routes work from file:// in Electron too. Anything else after the screen is ignored, not an error.
 */
export function parseHash(hash: string): Route | null {
  const m = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash);
  if (!m || !SCREEN_NAMES.includes(m[1] as Screen)) return null;
  const screen = m[1] as Screen;
  const rest = m[2];
  const route: Route = { screen, eventId: screen === 'feed' && rest && /^\d+$/.test(rest) ? Number(rest) : null };
  if (screen === 'accounts' && rest) {
    try {
      route.account = decodeURIComponent(rest);
    } catch {
      // A malformed escape (a hand-edited link): the screen still opens, without a card to show.
    }
  }
  return route;
}

export function formatHash(r: Route): string {
  if (r.screen === 'feed' && r.eventId !== null) return `#/feed/${r.eventId}`;
  if (r.screen === 'accounts' && r.account) return `#/accounts/${encodeURIComponent(r.account)}`;
  return `#/${r.screen}`;
}
