/**
 * Where in the renderer to open. The renderer routes by URL hash (`#/feed/123`, `#/alerts`; see
 * renderer/src/lib/route.ts parseHash), so a route is plain data the shell can put in a URL or send as a
 * navigation request. Pure: no Electron.
 */
export type RendererRoute =
  | { screen: 'feed'; eventId: number | null }
  | { screen: 'accounts'; eventId?: undefined; account?: string }
  | { screen: 'health' | 'alerts' | 'settings' | 'setup'; eventId?: undefined };

export function routeHash(route: RendererRoute): string {
  if (route.screen === 'feed' && route.eventId !== null && route.eventId !== undefined) return `#/feed/${route.eventId}`;
  // The number's own card; URL-encoded as the renderer's formatHash writes it.
  if (route.screen === 'accounts' && route.account) return `#/accounts/${encodeURIComponent(route.account)}`;
  return `#/${route.screen}`;
}

/** Where an alert takes the user: the event that raised it, else the alert history. */
export function routeForAlert(alert: { eventId?: number | null | undefined }): RendererRoute {
  return typeof alert.eventId === 'number' && Number.isSafeInteger(alert.eventId) && alert.eventId > 0
    ? { screen: 'feed', eventId: alert.eventId }
    : { screen: 'alerts' };
}
